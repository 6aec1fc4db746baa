import BellworkOutputs
import Bellwork
import Foundation
import Logging
import LessonMetrics
import MediaIO

/// The queue cannot be reached just now (the server is restarting, the network is down): the worker waits
/// and tries again; running children go on.
public struct QueueUnavailable: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension QueueSettings {
    /// The settings of `configuration`, hashed as `batch` hashes them (the contract's `settings`).
    public init(configuration: AnalysisConfiguration) throws {
        let settings = try JSONOutput.data(configuration.settings)
        self.init(hash: "xxh64:" + BatchHash.hex(BatchHash.xxh64(settings)), configuration: try JSONOutput.data(configuration))
    }
}

/// How a worker runs.
public struct WorkerOptions: Sendable {
    /// Where the enqueued root is on this machine; nil: the path `enqueue` named.
    public var root: String?
    /// A results folder (`results/<relative path>.json`, written atomically), besides the queue itself.
    public var outputDirectory: String?
    /// Also write each lesson's HTML report beside its result (with `outputDirectory`).
    public var reports = false
    public var jobs = BatchOptions.defaultJobs
    public var threads: Int?
    public var leaseSeconds = 60.0
    public var maxAttempts = 3
    /// Seconds between looks at an empty queue.
    public var pollSeconds = 5.0
    /// End once the queue has nothing pending and nothing running (on any worker).
    public var exitWhenEmpty = false
    public var timeLimitBase = 60.0
    public var timeLimitRatio = 2.0
    public var memoryLimitMB = BatchOptions.defaultMemoryLimitMB(jobs: BatchOptions.defaultJobs)
    /// Where children write while they run (this machine's own): nil, a new temporary folder.
    public var workDirectory: String?
    /// The name the queue shows for this worker.
    public var name = WorkerOptions.defaultName
    public var executable = SelfExecutable.path
    public var faults: [(kind: String, match: String)] = []

    public init() {}

    public static var defaultName: String {
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, host.count - 1)
        let name = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return "\(name)/\(getpid())"
    }
}

/// How a worker's run ended.
public struct WorkerOutcome: Sendable, Equatable {
    public var analysed = 0
    public var failed = 0
    public var ignored = 0
    /// Lessons given back when the worker was stopped.
    public var released = 0
    /// Lessons whose lease this worker lost (taken over, or re-enqueued changed).
    public var lost = 0
    public var stopped = false
    /// A result that could not be written to the results folder: the worker stopped (exit 74).
    public var resultWriteFailure: String?
}

/// A stateless worker: claims lessons from a queue one at a time, analyses each in a child process (its own
/// process group, killed if the worker dies), renews the lease while the child runs, and records the result or
/// the failure under the claim's token. SIGTERM or SIGINT: no new claim; running children are stopped and their
/// lessons released. Not `Sendable`: one task drives it.
public final class QueueWorker {
    let queue: any LessonQueue
    let options: WorkerOptions
    let log: Logger
    let work: URL
    let ownsWork: Bool
    /// The lock that marks `work` as a living worker's (`WorkFolder`), or -1.
    let workLock: Int32
    let results: BatchFolder?
    var root = ""
    let children: ClaimedChildren
    var outcome = WorkerOutcome()
    var settingsFiles: [String: String] = [:]
    var unavailableSince: Date?

    public init(queue: any LessonQueue, options: WorkerOptions, logger: Logger = Logger(label: "bellwork.worker")) throws {
        self.queue = queue
        self.options = options
        log = logger
        children = ClaimedChildren(setup: .init(executable: options.executable, memoryLimitMB: options.memoryLimitMB,
                                                timeLimitBase: options.timeLimitBase, timeLimitRatio: options.timeLimitRatio,
                                                faults: options.faults))
        if let dir = options.workDirectory {
            work = URL(fileURLWithPath: dir)
            workLock = -1
            ownsWork = false
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        } else {
            // Those of workers killed before they could remove theirs go first.
            let parent = URL(fileURLWithPath: NSTemporaryDirectory()).standardizedFileURL.path
            let stale = WorkFolder.removeStale(in: parent)
            if stale > 0 { logger.debug("removed \(stale) work folders of workers that are gone") }
            let made = try WorkFolder.make(in: parent)
            work = URL(fileURLWithPath: made.path)
            workLock = made.lock
            ownsWork = true
        }
        if let out = options.outputDirectory {
            let folder = try BatchFolder.claim(URL(fileURLWithPath: out).standardizedFileURL.path)
            do { close(try folder.openFolder(["results"], create: true)) } catch {
                throw BatchStartError(message: "\(error)", status: ExitStatus.ioError)
            }
            results = folder
        } else {
            results = nil
        }
    }

    deinit {
        if ownsWork { try? FileManager.default.removeItem(at: work) }
        if workLock >= 0 { close(workLock) }
    }

    // MARK: - The loop

    public func run() async throws -> WorkerOutcome {
        let restoreSignals = StopSignals.catchStop()
        defer { restoreSignals() }
        // Children die with this worker (a SIGKILL, a lost machine; they watch their parent): their lessons' leases
        // then run out.
        setenv("BELLWORK_DIE_WITH_PARENT", String(getpid()), 1)
        defer { children.killAll() }

        guard let root = try await resolveRoot() else { return await stop() }
        self.root = root
        log.info("worker \(options.name) started: \(options.jobs) jobs, lessons under \(root)")
        var nextLook = Date.distantPast
        while stopSignal == 0 {
            var emptyQueue = false
            while children.jobs.count < max(1, options.jobs), outcome.resultWriteFailure == nil, Date() >= nextLook, stopSignal == 0 {
                let claimed = try await retrying("claim a lesson", { [options] q in
                    try await q.claim(worker: options.name, leaseSeconds: options.leaseSeconds, maxAttempts: options.maxAttempts)
                })
                if stopSignal != 0 { break }
                guard let claim = claimed ?? nil else {
                    emptyQueue = true
                    nextLook = Date().addingTimeInterval(options.pollSeconds)
                    break
                }
                try await start(claim)
            }
            // A lesson that ends may have gone back to the queue (an attempt to retry): look again at once.
            if try await pollChildren() { nextLook = .distantPast }
            try await renewLeases()
            if children.jobs.isEmpty && outcome.resultWriteFailure != nil { break }
            // Empty means nothing pending and nothing running anywhere: a lesson whose worker died comes back when
            // its lease runs out, and one another worker fails may come back to be tried again.
            if children.jobs.isEmpty && emptyQueue && options.exitWhenEmpty,
               let status = try await retrying("read the queue's status", { q in try await q.status() }),
               status.pending == 0 && status.running.isEmpty { break }
            try await Task.sleep(nanoseconds: children.jobs.isEmpty ? 200_000_000 : 30_000_000)
        }
        if stopSignal != 0 { return await stop() }
        log.info("worker \(options.name) ended: \(outcome.analysed) analysed, \(outcome.failed) failed")
        return outcome
    }

    /// Stops every child and gives its lesson back.
    private func stop() async -> WorkerOutcome {
        outcome.stopped = true
        let held = children.stopAll()
        // A queue that cannot be reached lets the leases run out instead.
        for job in held {
            do { try await queue.release(job.claim) } catch {
                log.error("could not give back \(FileName.display(job.claim.relativePath)) (\(error)); its lease will run out")
            }
        }
        outcome.released += held.count
        for job in held { log.info("released \(FileName.display(job.claim.relativePath))") }
        log.info("worker \(options.name) stopped: \(outcome.analysed) analysed, \(held.count) released")
        return outcome
    }

    /// Reaches the queue first (a refusal, such as a wrong password, ends the worker before it says it started).
    private func resolveRoot() async throws -> String? {
        let stored = try await retrying("read the queue's root") { q in try await q.root() }
        if stopSignal != 0 { return nil }
        if let root = options.root { return URL(fileURLWithPath: root).standardizedFileURL.path }
        guard let stored = stored ?? nil else {
            throw BatchStartError(message: "the queue has no lessons yet and no root: give --root DIR (where the enqueued folder is on this machine)",
                                  status: ExitStatus.usage)
        }
        return stored
    }

    /// Runs `body`, waiting out a queue that cannot be reached (with a line when it goes and when it is back);
    /// nil when stopped meanwhile.
    func retrying<T>(_ what: String, _ body: (any LessonQueue) async throws -> T) async throws -> T? {
        var pause = 0.5
        while true {
            do {
                let value = try await body(queue)
                if let since = unavailableSince {
                    log.info("the queue is back after \(Int(Date().timeIntervalSince(since).rounded())) s")
                    unavailableSince = nil
                }
                return value
            } catch let error as QueueUnavailable {
                if unavailableSince == nil {
                    unavailableSince = Date()
                    log.error("cannot \(what): \(error.message); trying again")
                }
            }
            // Children go on meanwhile; those that end are recorded once the queue is back.
            let until = Date().addingTimeInterval(pause)
            while Date() < until {
                if stopSignal != 0 { return nil }
                children.poll()
                try await Task.sleep(nanoseconds: 50_000_000)
            }
            pause = min(pause * 2, 10)
        }
    }

    // MARK: - Children

    private func start(_ claim: QueueClaim) async throws {
        guard let path = Self.path(claim.relativePath, under: root) else {
            _ = try await retrying("record a failure") { [options] q in
                try await q.fail(claim, .failed(reason: "its path leaves the enqueued root", exitStatus: nil), maxAttempts: options.maxAttempts)
            }
            outcome.failed += 1
            return
        }
        let token = "\(claim.id)-\(UInt32.random(in: 0...UInt32.max))"
        // A work folder this worker cannot write ends the worker, not the lesson (its attempts are the queue's).
        let configuration = try settingsFile(claim.settings)
        do {
            try children.start(claim, path: path, durationSeconds: nil, configuration: configuration,
                               output: work.appendingPathComponent("\(token).result.json").path,
                               errors: work.appendingPathComponent("\(token).err").path, faultMatch: claim.relativePath)
            log.info("analysing \(FileName.display(claim.relativePath))")
        } catch {
            _ = try await retrying("record a failure") { [options] q in
                try await q.fail(claim, .failed(reason: "\(error)", exitStatus: nil), maxAttempts: options.maxAttempts)
            }
            outcome.failed += 1
        }
    }

    /// The child's configuration for these settings, written once into the work folder, with this worker's
    /// decoder threads.
    private func settingsFile(_ settings: QueueSettings) throws -> String {
        if let file = settingsFiles[settings.hash] { return file }
        var configuration = try JSONDecoder().decode(AnalysisConfiguration.self, from: settings.configuration)
        configuration.decode.threads = options.threads ?? (options.jobs == 1 ? 0 : 1)
        let file = work.appendingPathComponent("settings-\(settingsFiles.count).json").path
        try AtomicFile.write(try JSONOutput.data(configuration), to: file, followLinks: false)
        settingsFiles[settings.hash] = file
        return file
    }

    /// `root/relative`, or nil when `relative` is absolute or climbs out with `..`.
    static func path(_ relative: String, under root: String) -> String? {
        let parts = relative.split(separator: "/", omittingEmptySubsequences: false)
        guard !relative.isEmpty, !relative.hasPrefix("/"), !parts.contains(where: { $0 == ".." || $0 == "." || $0.isEmpty }) else { return nil }
        return root == "/" ? "/" + relative : root + "/" + relative
    }

    /// Records the children that ended; true when one did.
    private func pollChildren() async throws -> Bool {
        let ended = children.ended()
        for (job, exit, timedOut) in ended {
            try await complete(job, exit: exit, timedOut: timedOut)
            children.removeWorkFiles(job)
        }
        return !ended.isEmpty
    }

    private func complete(_ job: ClaimedChildren.Job, exit: BatchChild.Termination, timedOut: Bool) async throws {
        let name = FileName.display(job.claim.relativePath)
        switch ClaimedChildren.ending(of: job, exit: exit, timedOut: timedOut, mayIgnore: true) {
        case .result(let data, let result):
            if let results {
                do {
                    _ = try ClaimedChildren.writeResult(data, relativePath: job.claim.relativePath, source: job.path, to: results,
                                                        reports: options.reports)
                } catch {
                    // Kept in the queue all the same; no new lesson starts, and the worker ends with 74.
                    log.error("\(name): cannot write its result: \(error); stopping")
                    if outcome.resultWriteFailure == nil { outcome.resultWriteFailure = "\(error)" }
                }
            }
            try await record(job, result)
        case .failure(let failure, let reason):
            let kept = try await retrying("record a failure") { [options] q in try await q.fail(job.claim, failure, maxAttempts: options.maxAttempts) }
            guard kept == true else { outcome.lost += 1; return }
            if case .ignored = failure {
                outcome.ignored += 1
                log.info("\(name): not a recording; ignored")
            } else {
                outcome.failed += 1
                log.error("\(name): \(FileName.display(reason)) (attempt \(job.claim.attempts + 1) of \(options.maxAttempts))")
            }
        }
    }

    /// Stores a result in the queue.
    private func record(_ job: ClaimedChildren.Job, _ result: QueueResult) async throws {
        let name = FileName.display(job.claim.relativePath)
        let kept: Bool?
        do { kept = try await retrying("record a result") { q in try await q.finish(job.claim, result: result) } } catch let refused {
            // The queue would not take this result (it is not JSON the server accepts): a failure of the lesson,
            // not of the worker.
            let reason = "its result could not be stored in the queue: \(refused)"
            let failed = try await retrying("record a failure") { [options] q in
                try await q.fail(job.claim, .failed(reason: reason, exitStatus: nil), maxAttempts: options.maxAttempts)
            }
            if failed == true { outcome.failed += 1 }
            log.error("\(name): \(reason)")
            return
        }
        if kept == true {
            outcome.analysed += 1
            log.info("analysed \(name) (\(TimeText.clock(result.lesson.durationSeconds ?? 0)) of media in \(TimeText.clock(result.analysisSeconds)))")
        } else if kept == false {
            outcome.lost += 1
            log.info("\(name): its result was dropped: the lesson is no longer this worker's (re-enqueued or taken over)")
        }
    }

    private func renewLeases() async throws {
        for job in try await children.renewLeases(queue, leaseSeconds: options.leaseSeconds) {
            outcome.lost += 1
            log.info("\(FileName.display(job.claim.relativePath)): stopped: the lesson is no longer this worker's (re-enqueued or taken over)")
        }
    }
}
