import BellworkOutputs
import Bellwork
import Foundation
import GRDB

/// The queue in SQLite, in a folder of this machine (`bellwork.sqlite`, the batch's own database, whose
/// migration v3 adds the queue's columns and tables): workers on one machine share it, SQLite's write lock
/// serialising their claims. Not for a network share (SQLite's WAL needs one machine's shared memory): that
/// is what PostgreSQL is for. Leases are timed by this machine's clock.
public final class SQLiteLessonQueue: LessonQueue, Sendable {
    let store: BatchStore
    public let directory: String

    /// The queue over a batch's own database (`bellwork batch`: the batch folder is locked and checked already).
    init(batch store: BatchStore, directory: String) {
        self.store = store
        self.directory = directory
    }

    /// Records the settings a batch analyses with, so its claims carry them as a worker's do.
    func register(_ settings: QueueSettings) throws {
        try queue.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO queueSettings (hash, configuration) VALUES (?, ?)",
                           arguments: [settings.hash, String(decoding: settings.configuration, as: UTF8.self)])
        }
    }

    /// Opens (creating and migrating) the queue in `directory`.
    public init(directory: String) throws {
        // A folder of Bellwork's own (new, empty or marked), as a batch's: never someone else's.
        _ = try BatchFolder.claim(directory)
        self.directory = directory
        store = try BatchStore(directory: directory)
        if try store.isBatch() {
            throw BatchStartError(message: "\(directory): a batch's folder (bellwork batch --out), not a queue's; give --queue a folder of its own",
                                  status: ExitStatus.usage)
        }
    }

    var queue: DatabaseQueue { store.queue }

    public var location: String { directory }

    static func now() -> Double { Date().timeIntervalSince1970 }

    static func event(_ db: Database, lesson: Int64, worker: String?, _ event: String, detail: String? = nil) throws {
        try db.execute(sql: "INSERT INTO queueEvent (lessonId, at, worker, event, detail) VALUES (?, ?, ?, ?, ?)",
                       arguments: [lesson, now(), worker, event, detail])
    }

    public func known(_ relativePaths: [String]) async throws -> [String: QueueFile] {
        try await queue.read { db in
            var known: [String: QueueFile] = [:]
            for slice in stride(from: 0, to: relativePaths.count, by: 500).map({ relativePaths[$0..<min($0 + 500, relativePaths.count)] }) {
                let rows = try Row.fetchAll(db, sql: """
                    SELECT path, sizeBytes, mtime, contentHash FROM lesson
                    WHERE kind = 'file' AND contentHash IS NOT NULL AND path IN (\(databaseQuestionMarks(count: slice.count)))
                    """, arguments: StatementArguments(Array(slice)))
                for row in rows {
                    let path: String = row["path"]
                    known[path] = QueueFile(relativePath: path, sizeBytes: row["sizeBytes"], mtime: row["mtime"], contentHash: row["contentHash"])
                }
            }
            return known
        }
    }

    public func plan(_ files: [QueueFile], settings: QueueSettings, retryFailed: Bool, root: String) async throws -> QueuePlanOutcome {
        try await queue.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO queueSettings (hash, configuration) VALUES (?, ?)",
                           arguments: [settings.hash, String(decoding: settings.configuration, as: UTF8.self)])
            try db.execute(sql: "INSERT OR REPLACE INTO queueMeta (key, value) VALUES ('root', ?)", arguments: [root])
            var outcome = QueuePlanOutcome()
            for file in files {
                guard var row = try BatchLesson.filter(Column("path") == file.relativePath).fetchOne(db) else {
                    var row = BatchLesson(path: file.relativePath, relativePath: file.relativePath)
                    row.sizeBytes = file.sizeBytes
                    row.mtime = file.mtime
                    row.contentHash = file.contentHash
                    row.settingsHash = settings.hash
                    try row.insert(db)
                    try db.execute(sql: "UPDATE lesson SET enqueuedAt = ? WHERE id = ?", arguments: [Self.now(), row.id])
                    outcome.added += 1
                    continue
                }
                let reset = row.contentHash != file.contentHash || row.settingsHash != settings.hash || (row.status == .failed && retryFailed)
                row.sizeBytes = file.sizeBytes
                row.mtime = file.mtime
                row.contentHash = file.contentHash
                row.settingsHash = settings.hash
                if reset {
                    row.resetAnalysis()
                    row.attempts = 0
                    row.resultFile = nil
                }
                try row.update(db)
                if reset {
                    try db.execute(sql: """
                        UPDATE lesson SET claimToken = NULL, leaseUntil = NULL, worker = NULL, lostLeases = 0, result = NULL, enqueuedAt = ?
                        WHERE id = ?
                        """, arguments: [Self.now(), row.id])
                    try Self.event(db, lesson: row.id!, worker: nil, "requeued")
                    outcome.requeued += 1
                } else {
                    outcome.unchanged += 1
                }
            }
            return outcome
        }
    }

    public func claim(worker: String, leaseSeconds: Double, maxAttempts: Int) async throws -> QueueClaim? {
        let token = Int64.random(in: 1...Int64.max)
        return try await queue.write { db in
            let now = Self.now()
            // Lessons whose lease ran out too often are failed, not taken again.
            for row in try Row.fetchAll(db, sql: """
                SELECT id, worker, lostLeases FROM lesson WHERE status = 'running' AND leaseUntil < ? AND lostLeases + 1 >= ?
                """, arguments: [now, maxAttempts]) {
                let lost: Int = row["lostLeases"]
                try db.execute(sql: """
                    UPDATE lesson SET status = 'failed', attempts = attempts + 1, finishedAt = ?, claimToken = NULL, leaseUntil = NULL,
                        workFile = NULL, error = ? WHERE id = ?
                    """, arguments: [now, "its analysis was abandoned \(lost + 1) times (its worker stopped, or lost the queue, before the end)",
                                     row["id"] as Int64])
                try Self.event(db, lesson: row["id"], worker: row["worker"], "failed", detail: "abandoned")
            }
            let next = try Row.fetchOne(db, sql: """
                SELECT id, status FROM lesson WHERE status = 'running' AND leaseUntil < ?
                UNION ALL SELECT * FROM (SELECT id, status FROM lesson WHERE status = 'pending' AND kind = 'file' ORDER BY id LIMIT 1)
                LIMIT 1
                """, arguments: [now])
            guard let next else { return nil }
            let id: Int64 = next["id"]
            let wasRunning = (next["status"] as String) == "running"
            try db.execute(sql: """
                UPDATE lesson SET status = 'running', worker = ?, claimToken = ?, startedAt = ?, leaseUntil = ?, workFile = NULL,
                    lostLeases = lostLeases + ? WHERE id = ?
                """, arguments: [worker, token, now, now + leaseSeconds, wasRunning ? 1 : 0, id])
            try Self.event(db, lesson: id, worker: worker, "claimed")
            return try Self.claimed(db, id: id, token: token)
        }
    }

    public func claim(lesson id: Int64, worker: String, leaseSeconds: Double, workFile: String?) async throws -> QueueClaim? {
        let token = Int64.random(in: 1...Int64.max)
        return try await queue.write { db in
            let now = Self.now()
            try db.execute(sql: """
                UPDATE lesson SET status = 'running', worker = ?, claimToken = ?, startedAt = ?, leaseUntil = ?, workFile = ?
                WHERE id = ? AND status = 'pending' AND kind = 'file'
                """, arguments: [worker, token, now, now + leaseSeconds, workFile, id])
            guard db.changesCount > 0 else { return nil }
            try Self.event(db, lesson: id, worker: worker, "claimed")
            return try Self.claimed(db, id: id, token: token)
        }
    }

    public func reclaim(worker: String, leaseSeconds: Double) async throws -> [QueueClaim] {
        try await queue.write { db in
            let now = Self.now()
            var claims: [QueueClaim] = []
            for id in try Int64.fetchAll(db, sql: "SELECT id FROM lesson WHERE status = 'running' AND (worker = ? OR worker IS NULL) ORDER BY id",
                                         arguments: [worker]) {
                let token = Int64.random(in: 1...Int64.max)
                try db.execute(sql: "UPDATE lesson SET worker = ?, claimToken = ?, leaseUntil = ? WHERE id = ?",
                               arguments: [worker, token, now + leaseSeconds, id])
                try Self.event(db, lesson: id, worker: worker, "reclaimed")
                if let claim = try Self.claimed(db, id: id, token: token) { claims.append(claim) }
            }
            return claims
        }
    }

    /// The claim `token` holds on the lesson `id`. Its settings' configuration is empty when the queue does not have
    /// it (a lesson a batch of an earlier version left running).
    private static func claimed(_ db: Database, id: Int64, token: Int64) throws -> QueueClaim? {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT l.relativePath, l.settingsHash, s.configuration, l.sizeBytes, l.attempts, l.workFile, l.startedAt FROM lesson l
            LEFT JOIN queueSettings s ON s.hash = l.settingsHash WHERE l.id = ?
            """, arguments: [id]) else { return nil }
        let configuration: String? = row["configuration"]
        return QueueClaim(id: id, token: token, relativePath: row["relativePath"],
                          settings: QueueSettings(hash: row["settingsHash"] ?? "", configuration: Data((configuration ?? "").utf8)),
                          sizeBytes: row["sizeBytes"], attempts: row["attempts"], workFile: row["workFile"], claimedAt: row["startedAt"])
    }

    /// Runs `change` on the claim's row when the claim still holds; false when it does not.
    private func holding(_ claim: QueueClaim, _ change: (Database, inout BatchLesson) throws -> Void) throws -> Bool {
        try queue.write { db in
            guard let held = try Int64.fetchOne(db, sql: "SELECT id FROM lesson WHERE id = ? AND claimToken = ? AND status = 'running'",
                                                 arguments: [claim.id, claim.token]),
                  var row = try BatchLesson.fetchOne(db, key: held) else { return false }
            try change(db, &row)
            return true
        }
    }

    public func renew(_ claim: QueueClaim, leaseSeconds: Double) async throws -> Bool {
        try holding(claim) { db, row in
            try db.execute(sql: "UPDATE lesson SET leaseUntil = ? WHERE id = ?", arguments: [Self.now() + leaseSeconds, row.id])
        }
    }

    public func finish(_ claim: QueueClaim, result: QueueResult) async throws -> Bool {
        try holding(claim) { db, row in
            row.record(result.parsed)
            row.status = .done
            row.attempts += 1
            row.error = nil
            row.exitStatus = 0
            row.finishedAt = Self.now()
            row.analysisSeconds = result.analysisSeconds
            row.resultFile = result.resultFile ?? "queue"
            row.workFile = nil
            try row.update(db)
            try db.execute(sql: "UPDATE lesson SET claimToken = NULL, leaseUntil = NULL, result = ? WHERE id = ?",
                           arguments: [result.resultFile == nil ? String(decoding: result.json, as: UTF8.self) : nil, row.id])
            try Self.event(db, lesson: row.id!, worker: try String.fetchOne(db, sql: "SELECT worker FROM lesson WHERE id = ?", arguments: [row.id]), "done")
        }
    }

    public func fail(_ claim: QueueClaim, _ failure: QueueFailure, maxAttempts: Int) async throws -> Bool {
        try holding(claim) { db, row in
            row.attempts += 1
            row.finishedAt = Self.now()
            row.workFile = nil
            row.resultFile = nil
            let event: String
            switch failure {
            case .failed(let reason, let exitStatus):
                row.error = reason
                row.exitStatus = exitStatus
                row.status = row.attempts >= maxAttempts ? .failed : .pending
                event = row.status == .failed ? "failed" : "retry"
            case .ignored(let reason):
                row.error = reason
                row.status = .ignored
                event = "ignored"
            }
            try row.update(db)
            try db.execute(sql: "UPDATE lesson SET claimToken = NULL, leaseUntil = NULL WHERE id = ?", arguments: [row.id])
            try Self.event(db, lesson: row.id!, worker: try String.fetchOne(db, sql: "SELECT worker FROM lesson WHERE id = ?", arguments: [row.id]),
                           event, detail: row.error)
        }
    }

    public func release(_ claim: QueueClaim) async throws {
        _ = try holding(claim) { db, row in
            try db.execute(sql: "UPDATE lesson SET status = 'pending', claimToken = NULL, leaseUntil = NULL, workFile = NULL WHERE id = ?", arguments: [row.id])
            try Self.event(db, lesson: row.id!, worker: try String.fetchOne(db, sql: "SELECT worker FROM lesson WHERE id = ?", arguments: [row.id]), "released")
        }
    }

    public func lessons() async throws -> [BatchLesson] { try store.all() }

    public func status() async throws -> QueueStatus {
        try await queue.read { db in
            var status = QueueStatus()
            for row in try Row.fetchAll(db, sql: "SELECT status, count(*) AS n FROM lesson GROUP BY status") {
                let n: Int = row["n"]
                switch row["status"] as String {
                case "pending": status.pending = n
                case "done": status.done = n
                case "failed": status.failed = n
                case "ignored": status.ignored = n
                default: break
                }
            }
            let now = Self.now()
            for row in try Row.fetchAll(db, sql: "SELECT path, worker, startedAt FROM lesson WHERE status = 'running' ORDER BY startedAt") {
                status.running.append(.init(path: row["path"], worker: row["worker"] ?? "", seconds: now - ((row["startedAt"] as Double?) ?? now)))
            }
            if let row = try Row.fetchOne(db, sql: """
                SELECT count(*) AS n, coalesce(sum(durationSeconds), 0) AS s FROM lesson WHERE status = 'done' AND finishedAt > ?
                """, arguments: [now - 3600]) {
                status.lessonsLastHour = row["n"]
                status.mediaHoursLastHour = (row["s"] as Double) / 3600
            }
            status.schemaVersion = try Int.fetchOne(db, sql: "SELECT count(*) FROM grdb_migrations") ?? 0
            return status
        }
    }

    public func root() async throws -> String? {
        try await queue.read { db in try String.fetchOne(db, sql: "SELECT value FROM queueMeta WHERE key = 'root'") }
    }
}
