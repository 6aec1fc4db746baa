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

/// Runs a batch: finds the lessons, brings the state up to date (its plan: this run's lessons, probed), then
/// analyses what needs it in child processes through `LessonQueue` as a worker does (claims under leases renewed
/// while a child runs; finished, failed or released through the queue), this run's lessons longest first, and keeps
/// the results and `summary.csv` current. The state is the SQLite store in the batch folder (`SQLiteLessonQueue`
/// over its `BatchStore`). Not `Sendable`: one task drives it.
public final class BatchRunner {
    public let options: BatchOptions
    let directory: URL
    let folder: BatchFolder
    /// The state, for planning and probing (the batch's own steps, over SQLite)...
    let store: BatchStore
    /// ...and for the analysis, through the protocol every store of the batch's state implements.
    let queue: any LessonQueue
    let children: ClaimedChildren
    /// This run's lessons being analysed, by id.
    var planned: [Int64: BatchLesson] = [:]
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
        let settings = try QueueSettings(configuration: options.configuration)
        settingsHash = settings.hash
        let lessonQueue = SQLiteLessonQueue(batch: store, directory: directory.path)
        try lessonQueue.register(settings)
        queue = lessonQueue
        children = ClaimedChildren(setup: .init(executable: options.executable, memoryLimitMB: options.memoryLimitMB,
                                                timeLimitBase: options.timeLimitBase, timeLimitRatio: options.timeLimitRatio,
                                                faults: options.faults),
                                   removeFile: { [folder] path in folder.remove("work/" + (path as NSString).lastPathComponent) })
        var childConfiguration = options.configuration
        childConfiguration.decode.threads = options.threads ?? (options.jobs == 1 ? 0 : 1)
        settingsFile = directory.appendingPathComponent("work/settings.json").path
        try folder.write(try JSONOutput.data(childConfiguration), to: "work/settings.json")
    }

    deinit { if lockFD >= 0 { close(lockFD) } }

    // MARK: - The run

    public func run() async throws -> BatchOutcome {
        let restoreSignals = StopSignals.catchStop()
        defer { restoreSignals() }
        // Should the state become unwritable mid-run, no child outlives the batch (its lesson stays `running`, and
        // the next run takes it back).
        defer { children.killAll() }
        try await recover()
        let discovery = BatchDiscovery.run(inputs: options.inputs, listFile: options.listFile, listContents: options.listContents,
                                           listError: options.listError, settleAge: options.settleAge, followLinks: options.followLinks)
        let inScope = try plan(discovery)
        discovery.report()
        try await writeSummary()

        var stopped = false
        let probeIDs = try store.all().filter { inScope.contains($0.path) && $0.kind == .file && $0.status == .pending && $0.probedHash != $0.contentHash }.compactMap(\.id)
        if !probeIDs.isEmpty { stopped = try await probe(probeIDs, scope: inScope) }
        if !stopped {
            // Longest first: the last lessons to finish are short ones, so no job idles while one long lesson ends.
            let lessons = try await queue.lessons().filter { inScope.contains($0.path) && $0.kind == .file && $0.status == .pending }
                .sorted { ($0.durationSeconds ?? .infinity) > ($1.durationSeconds ?? .infinity) }
            if !lessons.isEmpty { stopped = try await analyse(lessons, scope: inScope) }
        }
        try await writeSummary()
        clearProgress()

        var outcome = BatchOutcome()
        outcome.stopped = stopped
        outcome.stillArriving = discovery.stillArriving.count
        for row in try await queue.lessons() where inScope.contains(row.path) {
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
        removeResultFiles(row.resultFile)
        row.resultFile = nil
    }

    /// Removes a result of the batch folder and its report.
    func removeResultFiles(_ result: String?) {
        guard let result else { return }
        folder.remove(result)
        folder.remove(Self.reportFile(for: result))
    }

    // MARK: - Output

    func writeSummary() async throws {
        let rows = try await queue.lessons()
        let csv = BatchSummary.csv(rows)
        try folder.write(Data(csv.utf8), to: "summary.csv")
    }

    /// Removes a file of `work/` (the file itself, never what a link there leads to).
    func removeWorkFile(_ path: String) { folder.remove("work/" + (path as NSString).lastPathComponent) }

    func report(failure row: BatchLesson) { report(failure: row.path, row.error ?? "failed") }

    func report(failure path: String, _ reason: String) {
        clearProgress()
        FileHandle.standardError.write(Data("bellwork: \(FileName.display(path)): \(FileName.display(reason))\n".utf8))
    }

    func log(_ message: String) {
        FileHandle.standardError.write(Data("bellwork: \(BatchLesson.iso8601(Date().timeIntervalSince1970)) \(message)\n".utf8))
    }

    private func clearProgress() {
        if progressShown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)); progressShown = false }
    }

    func showProgress(scope: Set<String>, running: Int, phase: Phase) async {
        let interval: Double
        switch options.progress {
        case .quiet: return
        case .terminal: interval = 0.5
        case .log(let every): interval = every
        }
        let now = Date()
        guard now.timeIntervalSince(lastProgress) >= interval else { return }
        lastProgress = now
        guard let rows = try? await queue.lessons().filter({ scope.contains($0.path) && $0.status != .ignored }) else { return }
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
