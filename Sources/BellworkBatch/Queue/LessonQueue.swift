import BellworkOutputs
import Bellwork
import Foundation

/// A file `enqueue` found, as the queue records it: its path relative to the enqueued root, and what tells
/// whether its content changed.
public struct QueueFile: Sendable, Equatable {
    public var relativePath: String
    public var sizeBytes: Int64
    /// Modification time, seconds since 1970.
    public var mtime: Double
    /// `BatchHash.contentHash` of the file.
    public var contentHash: String

    public init(relativePath: String, sizeBytes: Int64, mtime: Double, contentHash: String) {
        self.relativePath = relativePath
        self.sizeBytes = sizeBytes
        self.mtime = mtime
        self.contentHash = contentHash
    }
}

/// The settings lessons are analysed with: the hash of the contract's `settings` and the whole
/// configuration a child is given (`--config`), as JSON.
public struct QueueSettings: Sendable, Equatable {
    public var hash: String
    public var configuration: Data

    public init(hash: String, configuration: Data) {
        self.hash = hash
        self.configuration = configuration
    }
}

/// What an `enqueue` changed.
public struct QueuePlanOutcome: Sendable, Equatable {
    /// Lessons new to the queue.
    public var added = 0
    /// Lessons whose content or settings changed (or that failed, with `--retry-failed`): analysed again.
    public var requeued = 0
    /// Lessons the queue already had as they are.
    public var unchanged = 0

    public init(added: Int = 0, requeued: Int = 0, unchanged: Int = 0) {
        self.added = added
        self.requeued = requeued
        self.unchanged = unchanged
    }
}

/// A lesson a worker holds under a lease: what it needs to analyse it, and the token that proves the claim is
/// still its own (a lesson re-enqueued or taken over after the lease expired has another).
public struct QueueClaim: Sendable, Equatable {
    public var id: Int64
    public var token: Int64
    public var relativePath: String
    public var settings: QueueSettings
    public var sizeBytes: Int64?
    /// Analyses of this content with these settings that reached an outcome before this claim.
    public var attempts: Int
    /// Where the claimer's child writes its result, when it said (`claim(lesson:…)`): a claimer restarted after a
    /// kill finds there what its child finished (`reclaim`).
    public var workFile: String?
    /// When the lesson was claimed (seconds since 1970): a reclaimed claim keeps its first claim's time.
    public var claimedAt: Double?

    public init(id: Int64, token: Int64, relativePath: String, settings: QueueSettings, sizeBytes: Int64?, attempts: Int,
                workFile: String? = nil, claimedAt: Double? = nil) {
        self.id = id
        self.token = token
        self.relativePath = relativePath
        self.settings = settings
        self.sizeBytes = sizeBytes
        self.attempts = attempts
        self.workFile = workFile
        self.claimedAt = claimedAt
    }
}

/// An analysis that ended with a result: the contract's JSON as the child wrote it, and the figures the
/// summary shows.
public struct QueueResult: Sendable {
    public var json: Data
    public var lesson: BatchLesson
    public var analysisSeconds: Double
    /// Where the claimer wrote the result (`results/….json`, in its own results folder), recorded as the lesson's
    /// result file; nil: the queue's copy is the result (shown as `queue`). SQLite keeps the JSON only then (a
    /// batch's results are files already); PostgreSQL keeps it always.
    public var resultFile: String?
    /// What the figures were read from (a store of this module records them with `BatchLesson.record`).
    let parsed: ParsedResult

    /// Reads the figures out of the child's result; nil when it is not a result.
    public init?(json: Data, analysisSeconds: Double) {
        guard let parsed = try? JSONDecoder().decode(ParsedResult.self, from: json) else { return nil }
        var lesson = BatchLesson(path: "", relativePath: "")
        lesson.record(parsed)
        self.parsed = parsed
        self.json = json
        self.lesson = lesson
        self.analysisSeconds = analysisSeconds
    }
}

/// How a claimed lesson ended without a result.
public enum QueueFailure: Sendable, Equatable {
    /// The analysis failed (the child's one line, or how it crashed): an attempt. The lesson is tried again
    /// until it has failed `maxAttempts` times, then it is failed for good.
    case failed(reason: String, exitStatus: Int?)
    /// The file is not a recording and is not named like one: not a lesson.
    case ignored(reason: String)
}

/// Counts by status, and what runs where: `bellwork status`.
public struct QueueStatus: Sendable, Equatable, Codable {
    public struct Running: Sendable, Equatable, Codable {
        public var path: String
        public var worker: String
        public var seconds: Double
        public init(path: String, worker: String, seconds: Double) {
            self.path = path
            self.worker = worker
            self.seconds = seconds
        }
    }
    public var pending = 0
    public var running: [Running] = []
    public var done = 0
    public var failed = 0
    public var ignored = 0
    /// Media hours analysed in the last hour, and lessons finished in it.
    public var mediaHoursLastHour = 0.0
    public var lessonsLastHour = 0
    public var schemaVersion = 0

    public init() {}
}

/// The state of a batch behind one protocol: the lessons, who holds which, and what became of them. Two
/// stores implement it: SQLite in a batch folder (one machine) and PostgreSQL (workers on many machines).
/// A claim is held under a lease the worker renews while its child analyses; a lease that runs out (a worker
/// killed, a machine off) lets another worker take the lesson. Every change that ends a claim names the
/// claim's token, so a worker that lost its lesson cannot overwrite what another did.
public protocol LessonQueue: Sendable {
    /// What the queue knows of these paths (to hash only files whose size or time changed).
    func known(_ relativePaths: [String]) async throws -> [String: QueueFile]

    /// Registers files found by `enqueue`: new ones pending; ones whose content or settings changed pending
    /// again (attempts forgotten); failed ones pending again when `retryFailed`; the others untouched. Two
    /// plans at once register each file once.
    func plan(_ files: [QueueFile], settings: QueueSettings, retryFailed: Bool, root: String) async throws -> QueuePlanOutcome

    /// Takes the next pending lesson (or one whose lease ran out) for `worker`, under a lease of
    /// `leaseSeconds`. A lesson whose lease has run out `maxAttempts` times is failed instead of taken again.
    func claim(worker: String, leaseSeconds: Double, maxAttempts: Int) async throws -> QueueClaim?

    /// Takes the lesson `id` when it is pending, for a claimer that chose its lessons itself (a batch: this run's
    /// lessons, longest first), under a lease of `leaseSeconds`; nil when it is not pending. `workFile` is kept
    /// with the claim until it ends.
    func claim(lesson id: Int64, worker: String, leaseSeconds: Double, workFile: String?) async throws -> QueueClaim?

    /// Takes back, under new tokens and leases, the lessons `worker` still held when it was killed (a store that
    /// kept no claimer's name, SQLite before version 3, gives those too): a claimer restarted under the same name
    /// finishes or releases them itself. What the old tokens would record is refused from then on.
    func reclaim(worker: String, leaseSeconds: Double) async throws -> [QueueClaim]

    /// Extends the lease; false when the claim is no longer this worker's (the child should be stopped).
    func renew(_ claim: QueueClaim, leaseSeconds: Double) async throws -> Bool

    /// Records the result; false when the claim was lost (the result is dropped).
    func finish(_ claim: QueueClaim, result: QueueResult) async throws -> Bool

    /// Records a failure (an attempt) or a file that is not a lesson, forgetting any earlier result file; false when
    /// the claim was lost.
    func fail(_ claim: QueueClaim, _ failure: QueueFailure, maxAttempts: Int) async throws -> Bool

    /// Gives the lesson back, pending, not counted as an attempt (the worker is stopping).
    func release(_ claim: QueueClaim) async throws

    /// Every lesson, for the summary.
    func lessons() async throws -> [BatchLesson]

    /// Counts and what runs where.
    func status() async throws -> QueueStatus

    /// The root the last `enqueue` named (the default `--root` of a worker).
    func root() async throws -> String?

    /// Where the queue is, for messages (never with a password).
    var location: String { get }

    /// Closes the queue's connection, if it keeps one.
    func close() async
}

extension LessonQueue {
    public func close() async {}
}
