import BellworkOutputs
import Bellwork
import Foundation
import GRDB

/// One row of the batch's state: a file found in the inputs (or an input that could not be read), what
/// is known about it, and where its analysis stands.
public struct BatchLesson: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "lesson"

    /// Where a row stands. A lesson is `pending` until analysed, `running` while a child works on it,
    /// then `done` or `failed`; a file found not to be a recording is `ignored`.
    public enum Status: String, Codable, Sendable, CaseIterable {
        case pending, running, done, failed, ignored
    }

    /// `file` for a file found in the inputs; `input` for an input or folder that could not be read.
    public enum Kind: String, Codable, Sendable {
        case file, input
    }

    public var id: Int64?
    /// The absolute path of the file (or of the unreadable input).
    public var path: String
    /// The path below the input it was found in; names the result `results/<relativePath>.json`.
    public var relativePath: String
    /// The folder part of `relativePath` ("" at the top): lessons are grouped by it.
    public var folder: String
    public var kind: Kind
    public var sizeBytes: Int64?
    /// Modification time, seconds since 1970.
    public var mtime: Double?
    /// `BatchHash.contentHash` of the file when it was last planned.
    public var contentHash: String?
    /// The hash of the settings the lesson was (or will be) analysed with.
    public var settingsHash: String?
    public var status: Status
    /// Analyses that reached an outcome (done or failed) for this content and these settings. An analysis
    /// cut short by a stop or a kill of the batch is not counted: the lesson goes back to pending.
    public var attempts: Int
    /// Why the lesson failed or was ignored, in one line.
    public var error: String?
    /// The child's exit status, or 128 + the signal that ended it.
    public var exitStatus: Int?
    /// `contentHash` when the file was probed; nil until then.
    public var probedHash: String?
    public var durationSeconds: Double?
    /// The recording's creation time from its metadata (ISO 8601), when it has one.
    public var creationTime: String?
    public var container: String?
    /// The child's output file while `running`, so a restarted batch can adopt a finished result.
    public var workFile: String?
    public var startedAt: Double?
    public var finishedAt: Double?
    /// Wall-clock seconds the last analysis took.
    public var analysisSeconds: Double?
    public var bellSeconds: Double?
    public var bellSource: String?
    public var bellToWorkSeconds: Double?
    public var timeOnTaskPercent: Double?
    public var onTaskSeconds: Double?
    public var classSeconds: Double?
    public var transitionCount: Int?
    public var transitionSeconds: Double?
    public var meanTransitionSeconds: Double?
    public var longestTransitionSeconds: Double?
    /// The result file below the batch folder (`results/….json`) once done.
    public var resultFile: String?
    /// The result's `status`: `ok`, or `check` when a warning says its figures may be wrong.
    public var resultStatus: String?
    /// The result's warnings, most important first, one per line as `code: message`.
    public var warnings: String?

    public init(path: String, relativePath: String, kind: Kind = .file, status: Status = .pending) {
        self.path = path
        self.relativePath = relativePath
        self.folder = BatchLesson.folder(of: relativePath)
        self.kind = kind
        self.status = status
        self.attempts = 0
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    public static func folder(of relativePath: String) -> String {
        guard let slash = relativePath.lastIndex(of: "/") else { return "" }
        return String(relativePath[..<slash])
    }

    /// Forgets what an earlier analysis found, for a lesson to be analysed again (`attempts` is kept: it
    /// is reset only when the content or the settings change).
    public mutating func resetAnalysis() {
        status = .pending
        error = nil
        exitStatus = nil
        workFile = nil
        startedAt = nil
        finishedAt = nil
        analysisSeconds = nil
        bellSeconds = nil
        bellSource = nil
        bellToWorkSeconds = nil
        timeOnTaskPercent = nil
        onTaskSeconds = nil
        classSeconds = nil
        transitionCount = nil
        transitionSeconds = nil
        meanTransitionSeconds = nil
        longestTransitionSeconds = nil
        resultStatus = nil
        warnings = nil
    }

    /// Creation time when the recording says, else the file's modification time: the order of a
    /// teacher's lessons.
    public var when: String? {
        if let creationTime { return creationTime }
        guard let mtime else { return nil }
        return BatchLesson.iso8601(mtime)
    }

    public static func iso8601(_ seconds: Double) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: seconds))
    }
}

/// The state database is not a database, or is damaged inside: what is wrong and what to do, on one line.
public struct BatchStoreDamaged: Error, CustomStringConvertible {
    public let path: String
    /// SQLite's words.
    public let detail: String
    public var description: String {
        let oneLine = detail.split(whereSeparator: \.isNewline).joined(separator: " ")
        return "\(path): the batch state is damaged (\(oneLine)); move it aside and run again: a new one is made "
            + "and every lesson is analysed again"
    }
}

/// The batch's state: an SQLite database `bellwork.sqlite` in the batch folder, in WAL mode, so every
/// change is committed before the batch goes on and a kill at any moment leaves it consistent.
public final class BatchStore: Sendable {
    public static let fileName = "bellwork.sqlite"
    let queue: DatabaseQueue

    /// Opens (creating and migrating when `create`) the database in `directory`.
    public init(directory: String, create: Bool = true) throws {
        let path = URL(fileURLWithPath: directory).appendingPathComponent(Self.fileName).path
        if !create && !FileManager.default.fileExists(atPath: path) {
            throw BatchFileError(path: directory, reason: "no batch state here (\(Self.fileName) is missing)")
        }
        var configuration = Configuration()
        configuration.journalMode = .wal
        configuration.busyMode = .timeout(10)
        configuration.label = "bellwork-batch"
        queue = try Self.open(path: path, configuration: configuration)
    }

    /// Opens and migrates, waiting out another process doing the same. SQLite does not call the busy
    /// handler for the switch to WAL, and two migrators can both find the new database empty (the loser's
    /// `CREATE TABLE` fails): both end once the other has committed, so such errors are retried for a while.
    /// A file that is not an SQLite database, or one SQLite's `PRAGMA quick_check` finds damaged, is
    /// `BatchStoreDamaged`.
    static func open(path: String, configuration: Configuration) throws -> DatabaseQueue {
        let deadline = Date().addingTimeInterval(15)
        var pause: UInt32 = 10_000
        while true {
            do {
                let queue = try DatabaseQueue(path: path, configuration: configuration)
                let check = try queue.read { db in try String.fetchAll(db, sql: "PRAGMA quick_check") }
                if check != ["ok"] {
                    throw BatchStoreDamaged(path: path, detail: "SQLite's quick_check: " + check.prefix(2).joined(separator: "; "))
                }
                try migrator.migrate(queue)
                return queue
            } catch let error as DatabaseError where [.SQLITE_NOTADB, .SQLITE_CORRUPT].contains(error.resultCode) {
                throw BatchStoreDamaged(path: path, detail: error.message ?? "\(error.resultCode)")
            } catch let error as DatabaseError
                where [.SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_ERROR].contains(error.resultCode) && Date() < deadline {
                usleep(pause + UInt32.random(in: 0...pause))
                pause = min(pause * 2, 200_000)
            }
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: lessons") { db in
            try db.create(table: "lesson") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("path", .text).notNull().unique()
                t.column("relativePath", .text).notNull()
                t.column("folder", .text).notNull()
                t.column("kind", .text).notNull()
                t.column("sizeBytes", .integer)
                t.column("mtime", .double)
                t.column("contentHash", .text)
                t.column("settingsHash", .text)
                t.column("status", .text).notNull().indexed()
                t.column("attempts", .integer).notNull().defaults(to: 0)
                t.column("error", .text)
                t.column("exitStatus", .integer)
                t.column("probedHash", .text)
                t.column("durationSeconds", .double)
                t.column("creationTime", .text)
                t.column("container", .text)
                t.column("workFile", .text)
                t.column("childPid", .integer)  // no longer written: orphans are found by their work file
                t.column("startedAt", .double)
                t.column("finishedAt", .double)
                t.column("analysisSeconds", .double)
                t.column("bellSeconds", .double)
                t.column("bellSource", .text)
                t.column("bellToWorkSeconds", .double)
                t.column("timeOnTaskPercent", .double)
                t.column("onTaskSeconds", .double)
                t.column("classSeconds", .double)
                t.column("transitionCount", .integer)
                t.column("transitionSeconds", .double)
                t.column("meanTransitionSeconds", .double)
                t.column("longestTransitionSeconds", .double)
                t.column("resultFile", .text)
            }
        }
        migrator.registerMigration("v2: the result's status and warnings") { db in
            try db.alter(table: "lesson") { t in
                t.add(column: "resultStatus", .text)
                t.add(column: "warnings", .text)
            }
        }
        // The queue's columns and tables (`SQLiteLessonQueue`); a batch leaves them empty.
        migrator.registerMigration("v3: the queue") { db in
            try db.alter(table: "lesson") { t in
                t.add(column: "worker", .text)
                t.add(column: "claimToken", .integer)
                t.add(column: "leaseUntil", .double)
                t.add(column: "lostLeases", .integer).notNull().defaults(to: 0)
                t.add(column: "enqueuedAt", .double)
                t.add(column: "result", .text)
            }
            try db.create(table: "queueSettings") { t in
                t.primaryKey("hash", .text)
                t.column("configuration", .text).notNull()
            }
            try db.create(table: "queueMeta") { t in
                t.primaryKey("key", .text)
                t.column("value", .text).notNull()
            }
            try db.create(table: "queueEvent") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("lessonId", .integer).notNull().indexed().references("lesson", onDelete: .cascade)
                t.column("at", .double).notNull()
                t.column("worker", .text)
                t.column("event", .text).notNull()
                t.column("detail", .text)
            }
        }
        return migrator
    }

    /// Whether a queue uses this database (`enqueue` recorded its root), as opposed to a batch.
    public func isQueue() throws -> Bool {
        try queue.read { db in try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM queueMeta)") ?? false }
    }

    /// Whether a batch uses this database (it has lessons no `enqueue` registered).
    public func isBatch() throws -> Bool {
        try queue.read { db in try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM lesson WHERE enqueuedAt IS NULL)") ?? false }
    }

    public func all() throws -> [BatchLesson] {
        try queue.read { db in try BatchLesson.order(Column("relativePath")).fetchAll(db) }
    }

    public func lesson(id: Int64) throws -> BatchLesson? {
        try queue.read { db in try BatchLesson.fetchOne(db, key: id) }
    }

    /// Saves one row in its own transaction.
    public func save(_ lesson: inout BatchLesson) throws {
        var copy = lesson
        copy = try queue.write { db in
            try copy.save(db)
            return copy
        }
        lesson = copy
    }

    /// Saves rows and deletes others in one transaction.
    public func commit(saving rows: [BatchLesson], deleting ids: [Int64] = []) throws {
        try queue.write { db in
            for var row in rows { try row.save(db) }
            if !ids.isEmpty { _ = try BatchLesson.deleteAll(db, keys: ids) }
        }
    }
}
