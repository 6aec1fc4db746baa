import BellworkOutputs
import Bellwork
import Foundation
import LessonMetrics
import MediaIO

/// The exit statuses of `bellwork batch`, besides the contract's 64 (usage) and 74 (the batch folder
/// cannot be written).
public enum BatchExitStatus {
    /// Some lessons failed (or an input could not be read); the others were analysed.
    public static let someFailed: Int32 = 3
    /// Stopped by SIGINT or SIGTERM, or another batch is working in the same folder: run again later.
    public static let tryAgain: Int32 = 75
}

/// How a run ended.
public struct BatchOutcome: Sendable {
    /// Lessons among the inputs that are analysed (now or in an earlier run).
    public var analysed = 0
    /// Lessons analysed by this run.
    public var analysedNow = 0
    /// Lessons among the inputs that failed, and inputs that could not be read.
    public var failed = 0
    /// Lessons left pending (the run was stopped).
    public var pending = 0
    /// Files found not to be recordings.
    public var ignored = 0
    /// Files left for the next run because they may still be arriving.
    public var stillArriving = 0
    public var stopped = false
    /// A result could not be written (this error): its lesson and those not started are pending; exit 74.
    public var resultWriteFailure: String?

    public var exitStatus: Int32 {
        if resultWriteFailure != nil { return ExitStatus.ioError }
        if stopped { return BatchExitStatus.tryAgain }
        return failed > 0 ? BatchExitStatus.someFailed : 0
    }
}

/// A batch that cannot start: its folder cannot be written, or another batch holds it.
public struct BatchStartError: Error, CustomStringConvertible {
    public let message: String
    public let status: Int32
    public var description: String { message }
}

/// Runs a batch: finds the lessons, brings the state up to date, analyses what needs it in child
/// processes, and keeps the results and `summary.csv` current. Not `Sendable`: one thread drives it.
public final class BatchRunner {
    public let options: BatchOptions
    let directory: URL
    let folder: BatchFolder
    let store: BatchStore
    let settingsHash: String
    let settingsFile: String
    let started = Date()
    private var lockFD: Int32 = -1
    private var lastProgress = Date.distantPast
    private var progressShown = false
    var mediaSecondsDone = 0.0

    var workDirectory: URL { directory.appendingPathComponent("work") }

    public init(options: BatchOptions) throws {
        self.options = options
        directory = URL(fileURLWithPath: options.outputDirectory).standardizedFileURL
        folder = try BatchFolder.claim(directory.path)
        for name in ["results", "work"] {
            do { close(try folder.openFolder([Substring(name)], create: true)) } catch {
                throw BatchStartError(message: "\(error)", status: ExitStatus.ioError)
            }
        }
        try folder.refuseLinks([BatchStore.fileName, BatchStore.fileName + "-wal", BatchStore.fileName + "-shm"])
        let lockPath = directory.appendingPathComponent("bellwork.lock").path
        lockFD = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard lockFD >= 0 else {
            throw BatchStartError(message: "\(lockPath): cannot write: \(String(cString: strerror(errno)))", status: ExitStatus.ioError)
        }
        guard flock(lockFD, LOCK_EX | LOCK_NB) == 0 else {
            close(lockFD)
            throw BatchStartError(message: "\(directory.path): another batch is working in this folder; try again when it ends",
                                  status: BatchExitStatus.tryAgain)
        }
        do { store = try BatchStore(directory: directory.path) } catch let damaged as BatchStoreDamaged {
            throw BatchStartError(message: damaged.description, status: ExitStatus.ioError)
        } catch {
            throw BatchStartError(message: "\(directory.path)/\(BatchStore.fileName): \(error)", status: ExitStatus.ioError)
        }
        if (try? store.isQueue()) == true {
            throw BatchStartError(message: "\(directory.path): a queue's folder (bellwork enqueue/worker --queue), not a batch's; give --out a folder of its own",
                                  status: ExitStatus.usage)
        }
        let settingsData = try JSONOutput.data(options.configuration.settings)
        settingsHash = "xxh64:" + BatchHash.hex(BatchHash.xxh64(settingsData))
        var childConfiguration = options.configuration
        childConfiguration.decode.threads = options.threads ?? (options.jobs == 1 ? 0 : 1)
        settingsFile = directory.appendingPathComponent("work/settings.json").path
        try folder.write(try JSONOutput.data(childConfiguration), to: "work/settings.json")
    }

    deinit { if lockFD >= 0 { close(lockFD) } }

    // MARK: - The run

    public func run() throws -> BatchOutcome {
        let restoreSignals = StopSignals.catchStop()
        defer { restoreSignals() }
        try recover()
        let discovery = BatchDiscovery.run(inputs: options.inputs, listFile: options.listFile, listContents: options.listContents,
                                            settleAge: options.settleAge,
                                           followLinks: options.followLinks)
        let inScope = try plan(discovery)
        discovery.report()
        try writeSummary()

        var stopped = false
        let probeIDs = try store.all().filter { inScope.contains($0.path) && $0.kind == .file && $0.status == .pending && $0.probedHash != $0.contentHash }.compactMap(\.id)
        if !probeIDs.isEmpty { stopped = try loop(probeIDs, task: .probe, scope: inScope) }
        if !stopped {
            // Longest first: the last lessons to finish are short ones, so no job idles while one long lesson ends.
            let analyseIDs = try store.all().filter { inScope.contains($0.path) && $0.kind == .file && $0.status == .pending }
                .sorted { ($0.durationSeconds ?? .infinity) > ($1.durationSeconds ?? .infinity) }.compactMap(\.id)
            if !analyseIDs.isEmpty { stopped = try loop(analyseIDs, task: .analyse, scope: inScope) }
        }
        try writeSummary()
        clearProgress()

        var outcome = BatchOutcome()
        outcome.stopped = stopped
        outcome.stillArriving = discovery.stillArriving.count
        for row in try store.all() where inScope.contains(row.path) {
            switch row.status {
            case .done: outcome.analysed += 1
            case .failed: outcome.failed += 1
            case .pending, .running: outcome.pending += 1
            case .ignored: outcome.ignored += 1
            }
        }
        outcome.analysedNow = analysedNow
        outcome.resultWriteFailure = resultWriteFailure
        return outcome
    }

    var analysedNow = 0
    /// The first result that could not be written: no more analyses start, and the batch ends with 74.
    var resultWriteFailure: String?

    // MARK: - Recovery

    /// Rows left `running` by a batch that was killed: its children are killed if they still run; a child
    /// that finished has its result adopted; the others go back to pending. Stray work files go.
    func recover() throws {
        let running = try store.all().filter { $0.status == .running }
        let markers = Set(running.compactMap(\.workFile))
        if !markers.isEmpty { Self.killOrphans(markers: markers) }
        for var row in running {
            if let work = row.workFile, FileManager.default.fileExists(atPath: work), (try? parseResult(work)) != nil {
                try finishAnalysis(&row, child: nil, limit: 0)
            } else {
                row.status = .pending
                row.workFile = nil
                row.childPid = nil
                try store.save(&row)
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

    // MARK: - Planning

    /// Brings the rows up to date with what was found; returns the paths this run is about.
    func plan(_ discovery: BatchDiscovery) throws -> Set<String> {
        var rows: [String: BatchLesson] = [:]
        for row in try store.all() { rows[row.path] = row }
        var byRelative: [String: String] = [:]
        for row in rows.values where row.kind == .file { byRelative[row.relativePath] = row.path }
        var changed: [BatchLesson] = []
        var scope = Set<String>()

        for file in discovery.found {
            scope.insert(file.path)
            var row = rows[file.path] ?? BatchLesson(path: file.path, relativePath: file.relativePath)
            let isNew = row.id == nil
            var dirty = isNew
            if row.relativePath != file.relativePath {
                row.relativePath = file.relativePath
                row.folder = BatchLesson.folder(of: file.relativePath)
                dirty = true
            }
            if isNew || row.sizeBytes != file.sizeBytes || row.mtime != file.mtime || row.contentHash == nil {
                let hash: String
                do { hash = try BatchHash.contentHash(path: file.path) } catch {
                    row.sizeBytes = file.sizeBytes
                    row.mtime = file.mtime
                    row.resetAnalysis()
                    row.status = .failed
                    row.error = "cannot open: \((error as? BatchFileError)?.reason ?? "\(error)")"
                    changed.append(row)
                    continue
                }
                if hash != row.contentHash {
                    row.contentHash = hash
                    row.probedHash = nil
                    row.resetAnalysis()
                    row.attempts = 0
                    row.settingsHash = settingsHash
                    removeResult(&row)
                }
                row.sizeBytes = file.sizeBytes
                row.mtime = file.mtime
                dirty = true
            }
            if let owner = byRelative[row.relativePath], owner != row.path {
                row.resetAnalysis()
                row.status = .failed
                row.error = "its result would be named like that of \(owner); rename one of them"
                changed.append(row)
                continue
            }
            byRelative[row.relativePath] = row.path
            if reconcileSettings(&row) || dirty { changed.append(row) }
        }

        // Unreadable inputs are rows of their own, gone once they can be read.
        var problemPaths = Set<String>()
        for problem in discovery.problems {
            problemPaths.insert(problem.path)
            scope.insert(problem.path)
            var row = rows[problem.path] ?? BatchLesson(path: problem.path, relativePath: problem.relativePath, kind: .input)
            if row.kind == .file { removeResult(&row) }
            row.resetAnalysis()
            row.kind = .input
            row.status = .failed
            row.error = problem.reason
            changed.append(row)
        }
        let gone = rows.values.filter { $0.kind == .input && !problemPaths.contains($0.path) }.compactMap(\.id)
        try store.commit(saving: changed, deleting: gone)
        return scope
    }

    /// A lesson analysed (or failed) with other settings, or failed and retried, is analysed again; a pending
    /// one takes the current settings. True when the row changed.
    func reconcileSettings(_ row: inout BatchLesson) -> Bool {
        switch row.status {
        case .done where row.settingsHash != settingsHash,
             .failed where row.settingsHash != settingsHash || options.retryFailed:
            if row.settingsHash != settingsHash { row.attempts = 0 }
            row.resetAnalysis()
            row.settingsHash = settingsHash
            return true
        case .pending where row.settingsHash != settingsHash:
            row.settingsHash = settingsHash
            return true
        default:
            return false
        }
    }

    func removeResult(_ row: inout BatchLesson) {
        if let result = row.resultFile {
            folder.remove(result)
            folder.remove(Self.reportFile(for: result))
        }
        row.resultFile = nil
    }

    // MARK: - Children

    enum Task { case probe, analyse }

    struct Running {
        var child: BatchChild
        var id: Int64
        var limit: Double
        var stdout: String
        var stderr: String
    }

    /// Runs `task` for each row, `options.jobs` at a time; true when stopped by a signal.
    private func loop(_ ids: [Int64], task: Task, scope: Set<String>) throws -> Bool {
        var queue = ids[...]
        var running: [Running] = []
        // Should the state become unwritable mid-run, no child outlives the batch (its row stays `running`
        // and the next run recovers it).
        defer { for r in running { r.child.kill() } }
        while true {
            if stopSignal != 0 {
                for r in running {
                    r.child.kill()
                    if var row = try store.lesson(id: r.id) {
                        if task == .analyse {
                            row.status = .pending
                            row.workFile = nil
                            row.childPid = nil
                            try store.save(&row)
                        }
                    }
                    removeWorkFile(r.stdout)
                    removeWorkFile(r.stderr)
                }
                running.removeAll()
                return true
            }
            while running.count < max(1, options.jobs), resultWriteFailure == nil, let id = queue.popFirst() {
                if let started = try start(id, task: task) { running.append(started) }
            }
            if running.isEmpty && (queue.isEmpty || resultWriteFailure != nil) { return false }

            var index = 0
            while index < running.count {
                let r = running[index]
                var timedOut = false
                if !r.child.poll() && Date().timeIntervalSince(r.child.started) > r.limit {
                    r.child.kill()
                    timedOut = true
                }
                guard r.child.exit != nil else { index += 1; continue }
                running.remove(at: index)
                guard var row = try store.lesson(id: r.id) else { continue }
                switch task {
                case .probe: try finishProbe(&row, r, timedOut: timedOut)
                case .analyse:
                    try finishAnalysis(&row, child: (r.child, timedOut, r.stderr), limit: r.limit)
                }
                removeWorkFile(r.stdout)
                removeWorkFile(r.stderr)
            }
            showProgress(scope: scope, running: running.count, phase: task)
            usleep(20_000)
        }
    }

    private func finishProbe(_ row: inout BatchLesson, _ r: Running, timedOut: Bool) throws {
        let exit = r.child.exit!
        if exit == .exited(0), let data = FileManager.default.contents(atPath: r.stdout),
           let info = try? JSONDecoder().decode(MediaInfo.self, from: data) {
            row.probedHash = row.contentHash
            row.durationSeconds = info.durationSeconds
            row.creationTime = info.creationTime
            row.container = info.container
            try store.save(&row)
            return
        }
        let message = Self.failure(exit: exit, timedOut: timedOut, limit: r.limit, stderr: r.stderr, path: row.path, what: "the probe")
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
        try writeSummary()
    }

    // MARK: - Output

    func writeSummary() throws {
        let rows = try store.all()
        let csv = BatchSummary.csv(rows)
        try folder.write(Data(csv.utf8), to: "summary.csv")
    }

    /// Removes a file of `work/` (the file itself, never what a link there leads to).
    func removeWorkFile(_ path: String) { folder.remove("work/" + (path as NSString).lastPathComponent) }

    func report(failure row: BatchLesson) {
        clearProgress()
        FileHandle.standardError.write(Data("bellwork: \(FileName.display(row.path)): \(FileName.display(row.error ?? "failed"))\n".utf8))
    }

    func log(_ message: String) {
        FileHandle.standardError.write(Data("bellwork: \(BatchLesson.iso8601(Date().timeIntervalSince1970)) \(message)\n".utf8))
    }

    private func clearProgress() {
        if progressShown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)); progressShown = false }
    }

    private func showProgress(scope: Set<String>, running: Int, phase: Task) {
        let interval: Double
        switch options.progress {
        case .quiet: return
        case .terminal: interval = 0.5
        case .log(let every): interval = every
        }
        let now = Date()
        guard now.timeIntervalSince(lastProgress) >= interval else { return }
        lastProgress = now
        guard let rows = try? store.all().filter({ scope.contains($0.path) && $0.status != .ignored }) else { return }
        let done = rows.filter { $0.status == .done }.count
        let failed = rows.filter { $0.status == .failed }.count
        let elapsed = now.timeIntervalSince(started)
        var line = phase == .probe ? "probing: " : ""
        line += "\(done) done, \(failed) failed of \(rows.count), \(running) running"
        if mediaSecondsDone > 0 {
            let speed = mediaSecondsDone / max(elapsed, 1e-6)
            line += String(format: ", %.1f media h/h", speed)
            let left = rows.filter { $0.status == .pending || $0.status == .running }.reduce(0.0) { $0 + ($1.durationSeconds ?? 0) }
            line += ", \(TimeText.clock(left / speed)) left"
        }
        switch options.progress {
        case .terminal:
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
            progressShown = true
        case .log: log(line)
        case .quiet: break
        }
    }
}
