import BellworkOutputs
import Bellwork
import Foundation
import MediaIO
import LessonMetrics

/// A batch's children: the recovery of a killed batch's, the probes, and the analyses through `LessonQueue`.
extension BatchRunner {
    /// The name the batch claims under: a batch restarted in its folder takes back what the last one held.
    static let claimer = "batch"
    /// The batch's leases, renewed every third while a child runs (only this batch claims in its folder: its lock).
    static let leaseSeconds = 60.0

    enum Phase { case probe, analyse }

    // MARK: - Recovery

    /// Lessons a killed batch left claimed: their children are killed if they still run; a child that finished has
    /// its result adopted (finished through the queue); the others are released, pending again. Stray work files go.
    func recover() async throws {
        let held = try await queue.reclaim(worker: Self.claimer, leaseSeconds: Self.leaseSeconds)
        let markers = Set(held.compactMap(\.workFile))
        if !markers.isEmpty { Self.killOrphans(markers: markers) }
        if !held.isEmpty {
            var rows: [Int64: BatchLesson] = [:]
            for row in try await queue.lessons() { if let id = row.id { rows[id] = row } }
            for claim in held {
                let now = Date().timeIntervalSince1970
                if let lesson = rows[claim.id], let work = claim.workFile, let data = FileName.contents(of: work),
                   let result = QueueResult(json: data, analysisSeconds: claim.claimedAt.map { now - $0 } ?? 0) {
                    try await record(data, result, claim: claim, lesson: lesson)
                } else {
                    try await queue.release(claim)
                }
            }
        }
        try folder.empty("work", keeping: ["settings.json"])
    }

    /// Kills every process whose command line holds one of `markers` (a work file only a batch child names).
    static func killOrphans(markers: Set<String>) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return }
        for entry in entries {
            guard let pid = Int(entry), pid != Int(getpid()),
                  let cmdline = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline")) else { continue }
            let words = cmdline.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if let marker = words.first(where: markers.contains) { BatchChild.killOrphan(pid: pid, marker: marker) }
        }
    }

    // MARK: - Analysis

    /// Analyses `lessons` in order, `options.jobs` at a time: each claimed (with its work file) before its child
    /// starts; true when stopped by a signal (running children stopped, their lessons released: pending, not an attempt).
    func analyse(_ lessons: [BatchLesson], scope: Set<String>) async throws -> Bool {
        for lesson in lessons { if let id = lesson.id { planned[id] = lesson } }
        var waiting = lessons[...]
        while true {
            if stopSignal != 0 {
                for job in children.stopAll() { try await queue.release(job.claim) }
                return true
            }
            while children.jobs.count < max(1, options.jobs), resultWriteFailure == nil, let lesson = waiting.popFirst() {
                try await start(lesson)
            }
            if children.jobs.isEmpty && (waiting.isEmpty || resultWriteFailure != nil) { return false }
            for (job, exit, timedOut) in children.ended() {
                try await complete(job, exit: exit, timedOut: timedOut)
                children.removeWorkFiles(job)
            }
            for job in try await children.renewLeases(queue, leaseSeconds: Self.leaseSeconds) {
                report(failure: job.path, "stopped: the lesson is no longer this batch's")
            }
            await showProgress(scope: scope, running: children.jobs.count, phase: .analyse)
            try await Task.sleep(nanoseconds: 20_000_000)
        }
    }

    /// Claims `lesson`, when it is still pending, and starts its child; a child that cannot start fails the lesson.
    private func start(_ lesson: BatchLesson) async throws {
        guard let id = lesson.id else { return }
        let token = "\(id)-\(UInt32.random(in: 0...UInt32.max))"
        let output = workDirectory.appendingPathComponent("\(token).result.json").path
        // The work file is kept with the claim before the child starts, so a restarted batch can find it.
        guard let claim = try await queue.claim(lesson: id, worker: Self.claimer, leaseSeconds: Self.leaseSeconds, workFile: output) else { return }
        do {
            try children.start(claim, path: lesson.path, durationSeconds: lesson.durationSeconds, configuration: settingsFile,
                               output: output, errors: workDirectory.appendingPathComponent("\(token).err").path, faultMatch: lesson.path)
        } catch {
            _ = try await queue.fail(claim, .failed(reason: "\(error)", exitStatus: nil), maxAttempts: 1)
            report(failure: lesson.path, "\(error)")
        }
    }

    /// Records an analysis that ended: its result, or its failure (one attempt: a batch tries a failed lesson again
    /// only with --retry-failed), which also removes the lesson's earlier result.
    private func complete(_ job: ClaimedChildren.Job, exit: BatchChild.Termination, timedOut: Bool) async throws {
        guard let lesson = planned[job.claim.id] else { return }
        switch ClaimedChildren.ending(of: job, exit: exit, timedOut: timedOut, mayIgnore: false) {
        case .result(let data, let result):
            try await record(data, result, claim: job.claim, lesson: lesson)
        case .failure(let failure, let reason):
            if try await queue.fail(job.claim, failure, maxAttempts: 1) {
                removeResultFiles(lesson.resultFile)
                report(failure: lesson.path, reason)
            }
        }
        try await writeSummary()
    }

    /// Keeps a result: written into `results/`, then finished through the queue. A result that cannot be written (a
    /// full or read-only disk, something standing where it goes) gives its lesson back, pending and not an attempt;
    /// no other analysis starts, and the batch ends with 74: the next run after the fix completes it.
    func record(_ data: Data, _ result: QueueResult, claim: QueueClaim, lesson: BatchLesson) async throws {
        var result = result
        do {
            result.resultFile = try ClaimedChildren.writeResult(data, relativePath: lesson.relativePath, source: lesson.path, to: folder,
                                                                reports: options.reports)
        } catch {
            try await queue.release(claim)
            if resultWriteFailure == nil { resultWriteFailure = "\(error)" }
            return
        }
        guard try await queue.finish(claim, result: result) else { return }
        analysedNow += 1
        mediaSecondsDone += result.lesson.durationSeconds ?? 0
        if case .log = options.progress {
            log("analysed \(FileName.display(lesson.relativePath)) (\(TimeText.clock(result.lesson.durationSeconds ?? 0)) of media in \(TimeText.clock(result.analysisSeconds)))")
        }
    }

    // MARK: - Probes

    struct Probe {
        var child: BatchChild
        var id: Int64
        var stdout: String
        var stderr: String
    }

    /// Probes each lesson (its duration, for the longest-first order and its time limit; files that are not
    /// recordings), `options.jobs` at a time; true when stopped by a signal. Part of the batch's plan: no claims.
    func probe(_ ids: [Int64], scope: Set<String>) async throws -> Bool {
        var waiting = ids[...]
        var running: [Probe] = []
        defer { for r in running { r.child.kill() } }
        while true {
            if stopSignal != 0 {
                for r in running {
                    r.child.kill()
                    removeWorkFile(r.stdout)
                    removeWorkFile(r.stderr)
                }
                running.removeAll()
                return true
            }
            while running.count < max(1, options.jobs), resultWriteFailure == nil, let id = waiting.popFirst() {
                if let started = try startProbe(id) { running.append(started) }
            }
            if running.isEmpty && (waiting.isEmpty || resultWriteFailure != nil) { return false }
            var index = 0
            while index < running.count {
                let r = running[index]
                guard let (exit, timedOut) = r.child.ended(limit: options.timeLimitBase) else { index += 1; continue }
                running.remove(at: index)
                if var row = try store.lesson(id: r.id) { try await finishProbe(&row, r, exit: exit, timedOut: timedOut) }
                removeWorkFile(r.stdout)
                removeWorkFile(r.stderr)
            }
            await showProgress(scope: scope, running: running.count, phase: .probe)
            try await Task.sleep(nanoseconds: 20_000_000)
        }
    }

    private func startProbe(_ id: Int64) throws -> Probe? {
        guard var row = try store.lesson(id: id), row.status == .pending else { return nil }
        let token = "\(id)-\(UInt32.random(in: 0...UInt32.max))"
        let stdout = workDirectory.appendingPathComponent("\(token).probe.json").path
        let stderr = workDirectory.appendingPathComponent("\(token).err").path
        do {
            let child = try BatchChild(executable: options.executable, arguments: ["bellwork", "probe", row.path, "--format", "json"],
                                       stdout: stdout, stderr: stderr)
            return Probe(child: child, id: id, stdout: stdout, stderr: stderr)
        } catch {
            row.status = .failed
            row.error = "\(error)"
            try store.save(&row)
            return nil
        }
    }

    private func finishProbe(_ row: inout BatchLesson, _ r: Probe, exit: BatchChild.Termination, timedOut: Bool) async throws {
        if exit == .exited(0), let data = FileName.contents(of: r.stdout),
           let info = try? JSONDecoder().decode(MediaInfo.self, from: data) {
            row.probedHash = row.contentHash
            row.durationSeconds = info.durationSeconds
            row.creationTime = info.creationTime
            row.container = info.container
            try store.save(&row)
            return
        }
        let message = Self.failure(exit: exit, timedOut: timedOut, limit: options.timeLimitBase, stderr: r.stderr, path: row.path, what: "the probe")
        // A file that is not a recording and is not named like one is not a lesson: it is ignored.
        if exit == .exited(ExitStatus.dataError) && !Self.namedLikeRecording(row.path) {
            row.status = .ignored
            row.probedHash = row.contentHash
            row.error = message
            try store.save(&row)
            return
        }
        row.status = .failed
        row.attempts += 1
        row.error = message
        row.exitStatus = exit.status
        row.finishedAt = Date().timeIntervalSince1970
        try store.save(&row)
        report(failure: row)
        try await writeSummary()
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
