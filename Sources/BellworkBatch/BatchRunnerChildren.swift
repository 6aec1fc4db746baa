import BellworkOutputs
import Bellwork
import Foundation
import MediaIO
import LessonMetrics

/// A batch's children: how one starts, and what is recorded when it ends.
extension BatchRunner {
    /// Starts `task` for the lesson `id` when it is still pending; nil when it is not, or when its child could
    /// not be started (the lesson is then failed).
    func start(_ id: Int64, task: Task) throws -> Running? {
        guard var row = try store.lesson(id: id), row.status == .pending else { return nil }
        let token = "\(id)-\(UInt32.random(in: 0...UInt32.max))"
        let stdout = workDirectory.appendingPathComponent("\(token).\(task == .probe ? "probe" : "result").json").path
        let stderr = workDirectory.appendingPathComponent("\(token).err").path
        var arguments: [String]
        var limit = options.timeLimitBase
        switch task {
        case .probe:
            arguments = ["bellwork", "probe", row.path, "--format", "json"]
        case .analyse:
            limit += options.timeLimitRatio * BatchOptions.plausibleSeconds(stated: row.durationSeconds,
                                                                           sizeBytes: row.sizeBytes.map(Int.init))
            // The child's result goes to the work folder, replacing (never writing through) a link planted there.
            arguments = ["bellwork", "analyze", row.path, "--format", "json", "--output", stdout, "--no-follow-output",
                         "--quiet", "--config", settingsFile, "--memory-limit", String(options.memoryLimitMB),
                         "--cpu-limit", String(Int(limit * Double(ProcessInfo.processInfo.activeProcessorCount)))]
            if let fault = options.faults.first(where: { row.path.contains($0.match) }) {
                arguments = ["bellwork", "batch", "--test-fault", fault.kind, stdout]
            }
            // Committed before the child starts, so a restarted batch can find it by its work file.
            row.status = .running
            row.workFile = stdout
            row.startedAt = Date().timeIntervalSince1970
            try store.save(&row)
        }
        let child: BatchChild
        do {
            child = try BatchChild(executable: options.executable, arguments: arguments,
                                   stdout: task == .probe ? stdout : "/dev/null", stderr: stderr)
        } catch {
            row.status = .failed
            row.error = "\(error)"
            row.workFile = nil
            try store.save(&row)
            return nil
        }
        if task == .analyse {
            row.childPid = Int(child.pid)
            try store.save(&row)
        }
        return Running(child: child, id: id, limit: limit, stdout: stdout, stderr: stderr)
    }

    /// Records an analysis that ended (`child` nil: adopted after a restart).
    func finishAnalysis(_ row: inout BatchLesson, child: (BatchChild, Bool, String)?, limit: Double) throws {
        let now = Date().timeIntervalSince1970
        row.finishedAt = now
        row.analysisSeconds = row.startedAt.map { now - $0 }
        row.attempts += 1
        let exit = child?.0.exit ?? .exited(0)
        if exit == .exited(0), let work = row.workFile, let data = FileManager.default.contents(atPath: work),
           let parsed = try? parseResult(work) {
            let relative = Self.resultFile(for: row.relativePath, source: row.path)
            do {
                try folder.write(data, to: relative)
                // The report is a convenience: a result it cannot be made from is still a result (the summary
                // then links to the JSON).
                if options.reports, let full = try? ResultJSON.decode(AnalysisResult.self, from: data),
                   let page = try? OutputFormat.html.render(LessonAnalysis(savedResult: full)) {
                    try folder.write(Data(page.utf8), to: Self.reportFile(for: relative))
                }
                row.status = .done
                row.error = nil
                row.exitStatus = 0
                row.resultFile = relative
                row.record(parsed)
            } catch {
                // The analysis is good; only its result could not be kept (results/ full, read-only, or something
                // standing where the file goes). The lesson stays pending, not failed and not an attempt, no other
                // analysis starts, and the batch ends with 74: the next run after the fix completes it.
                row.status = .pending
                row.attempts -= 1
                row.error = "\(error)"
                row.finishedAt = nil
                row.analysisSeconds = nil
                if resultWriteFailure == nil { resultWriteFailure = "\(error)" }
            }
        } else {
            row.status = .failed
            row.exitStatus = exit.status
            row.error = exit == .exited(0)
                ? "the analysis wrote no readable result"
                : Self.failure(exit: exit, timedOut: child?.1 ?? false, limit: limit, stderr: child?.2, path: row.path, what: "the analysis")
            removeResult(&row)
        }
        let work = row.workFile
        row.workFile = nil
        row.childPid = nil
        try store.save(&row)
        if let work { removeWorkFile(work) }
        if row.status == .done {
            analysedNow += 1
            mediaSecondsDone += row.durationSeconds ?? 0
            if case .log = options.progress {
                log("analysed \(FileName.display(row.relativePath)) (\(TimeText.clock(row.durationSeconds ?? 0)) of media in \(TimeText.clock(row.analysisSeconds ?? 0)))")
            }
        } else if row.status == .failed {
            report(failure: row)
        }
        try writeSummary()
    }

    func parseResult(_ path: String) throws -> ParsedResult {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try JSONDecoder().decode(ParsedResult.self, from: data)
    }

    /// The lesson's one-line reason from how its child ended.
    static func failure(exit: BatchChild.Termination, timedOut: Bool, limit: Double, stderr: String?, path: String?, what: String) -> String {
        if timedOut { return "\(what) took longer than its time limit of \(Int(limit.rounded())) s and was stopped" }
        var line: String?
        if let stderr, let text = try? String(contentsOfFile: stderr, encoding: .utf8) {
            let lines = text.split(whereSeparator: \.isNewline).map { String($0) }
                .filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            // The child's own one line; after a crash, never the runtime's crash report.
            if let own = lines.last(where: { $0.hasPrefix("bellwork: ") }) {
                line = String(own.dropFirst("bellwork: ".count))
            } else if case .exited = exit {
                line = lines.last
            }
            // The child names the file first; the batch names it once, itself.
            if let l = line, let path, l.hasPrefix(path + ": ") { line = String(l.dropFirst(path.count + 2)) }
        }
        switch exit {
        case .signalled(let s):
            let name = signalName(s)
            if s == SIGXCPU { return "\(what) used more CPU time than its limit and was stopped" }
            // A child that reaches its memory limit cannot allocate: the Swift runtime traps.
            let memory = [SIGILL, SIGTRAP, SIGABRT, SIGSEGV].contains(s) ? " (it may have reached its memory limit)" : ""
            return "\(what) crashed (signal \(s)\(name.map { ", " + $0 } ?? ""))\(memory)" + (line.map { ": \($0)" } ?? "")
        case .exited(let s):
            return line ?? "\(what) ended with status \(s) and no message"
        }
    }

    static func signalName(_ s: Int32) -> String? {
        [SIGABRT: "SIGABRT", SIGSEGV: "SIGSEGV", SIGBUS: "SIGBUS", SIGILL: "SIGILL", SIGFPE: "SIGFPE", SIGKILL: "SIGKILL",
         SIGTERM: "SIGTERM", SIGTRAP: "SIGTRAP"][s]
    }

    /// Name endings of recordings: a file named so that fails is a failed lesson, not a stray document.
    public static let recordingExtensions: Set<String> = [
        "mp4", "m4v", "mov", "qt", "3gp", "3g2", "mkv", "webm", "avi", "ts", "mts", "m2ts", "flv", "ogg", "ogv", "oga",
        "opus", "wav", "mp3", "m4a", "aac", "flac", "aif", "aiff", "wma", "wmv", "mpg", "mpeg",
    ]

    /// The result's name below the batch folder: `results/<relative path>.json`, unless that name is too long
    /// for the file system (a name of 240 bytes) or an upload folder has that name (`y.mp4.json/` beside `y.mp4`,
    /// whose results go in `results/y.mp4.json/`): then the name is cut to 180 bytes and followed by `~` and the XXH64 of the whole relative
    /// path, which keeps it unique.
    static func resultFile(for relativePath: String, source: String) -> String {
        let plain = "results/" + relativePath + ".json"
        let name = (relativePath as NSString).lastPathComponent
        var info = stat()
        let folderBeside = BatchDiscovery.statFile(source + ".json", &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
        guard FileName.bytes(name).count + 5 > 255 || folderBeside else { return plain }
        let hash = BatchHash.hex(BatchHash.xxh64(Data(FileName.bytes(relativePath))))
        let parent = (relativePath as NSString).deletingLastPathComponent
        let short = FileName.prefix(name, bytes: 180) + "~" + hash + ".json"
        return "results/" + (parent.isEmpty ? short : parent + "/" + short)
    }

    /// The HTML report beside a result: `results/x.mp4.json` → `results/x.mp4.html`.
    public static func reportFile(for result: String) -> String {
        (result.hasSuffix(".json") ? String(result.dropLast(5)) : result) + ".html"
    }

    /// A file without an extension is not named like a recording: it is probed like any other, and ignored
    /// when it is not media.
    static func namedLikeRecording(_ path: String) -> Bool {
        let ext = (path as NSString).pathExtension.lowercased()
        return recordingExtensions.contains(ext)
    }
}

/// What the batch keeps of a child's result (the rest stays in the JSON).
struct ParsedResult: Decodable {
    struct Input: Decodable { var creationTime: String? }
    struct ParsedBell: Decodable { var timeSeconds: Double; var source: String }
    var durationSeconds: Double
    var input: Input
    var bell: ParsedBell?
    var metrics: Metrics
    struct Warning: Decodable { var code: String; var message: String }
    var warnings: [Warning]?
    var status: String?
}

extension BatchLesson {
    /// Takes the figures the summary shows from a result.
    mutating func record(_ parsed: ParsedResult) {
        durationSeconds = parsed.durationSeconds
        creationTime = parsed.input.creationTime ?? creationTime
        bellSeconds = parsed.bell?.timeSeconds
        bellSource = parsed.bell?.source
        let m = parsed.metrics
        bellToWorkSeconds = m.bellToWorkSeconds
        timeOnTaskPercent = m.timeOnTaskPercent
        onTaskSeconds = m.onTaskSeconds
        classSeconds = m.classSeconds
        transitionCount = m.transitionCount
        transitionSeconds = m.transitionSeconds
        meanTransitionSeconds = m.meanTransitionSeconds
        longestTransitionSeconds = m.longestTransitionSeconds
        resultStatus = parsed.status
        warnings = parsed.warnings.flatMap { $0.isEmpty ? nil : $0.map { "\($0.code): \($0.message)" }.joined(separator: "\n") }
    }
}
