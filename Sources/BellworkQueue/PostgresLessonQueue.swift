import Bellwork
import BellworkBatch
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// The queue in PostgreSQL: PostgreSQL does the locking (`FOR UPDATE SKIP LOCKED`), the durability and the
/// visibility; workers are stateless. Leases are timed by the server's clock, so the workers' clocks do not
/// matter. One connection, opened when first needed and opened again after it breaks; every query that
/// could not reach the server is `QueueUnavailable` (the worker waits and tries again). The tables live in
/// the schema `bellwork` (`PostgresSchema`), created and migrated on first use.
public actor PostgresLessonQueue: LessonQueue {
    public nonisolated let address: QueueAddress
    let logger: Logger
    private var connection: PostgresConnection?
    private var migrated = false
    private var nextID = 0
    /// The settings' configurations already fetched, by hash.
    private var settingsCache: [String: Data] = [:]

    /// Seconds to wait for an answer before the queue counts as out of reach (a network that drops packets
    /// without a reset would otherwise hold a query for as long as TCP's keepalive: hours).
    public nonisolated let answerSeconds: Double

    public init(address: QueueAddress, answerSeconds: Double = 60, logger: Logger = Logger(label: "bellwork.queue")) {
        self.address = address
        self.answerSeconds = answerSeconds
        var quiet = logger
        quiet.logLevel = .critical
        self.logger = quiet
    }

    public nonisolated var location: String { address.display }

    /// Closes the connection: politely when the server answers, and never waiting longer than a few seconds.
    public func close() async {
        if let connection {
            _ = try? await Self.answered(within: min(answerSeconds, 5), onTimeout: {}) { try await connection.close() }
        }
        connection = nil
    }

    /// Closes `connection` without waiting for it: a connection the server went away under may never finish
    /// closing, and nothing of the worker may wait on it.
    static func closeAside(_ connection: PostgresConnection) {
        Task { try? await connection.close() }
    }

    // MARK: - Connection

    func configuration() throws -> PostgresConnection.Configuration {
        var configuration: PostgresConnection.Configuration
        if let socket = address.socketPath {
            configuration = .init(unixSocketPath: socket, username: address.user, password: address.password, database: address.database)
        } else {
            let tls: PostgresConnection.Configuration.TLS
            if address.tls == .disable {
                tls = .disable
            } else {
                var settings = TLSConfiguration.makeClientConfiguration()
                switch address.tls {
                case .disable, .prefer, .require: settings.certificateVerification = .none
                case .verifyCA: settings.certificateVerification = .noHostnameVerification
                case .verifyFull: settings.certificateVerification = .fullVerification
                }
                if let root = address.rootCertificate { settings.trustRoots = .file(root) }
                let context: NIOSSLContext
                do { context = try NIOSSLContext(configuration: settings) } catch {
                    throw QueueError("\(address.display): cannot set up TLS: \(error)")
                }
                tls = address.tls == .prefer ? .prefer(context) : .require(context)
            }
            configuration = .init(host: address.host, port: address.port, username: address.user, password: address.password,
                                  database: address.database, tls: tls)
        }
        configuration.options.connectTimeout = .seconds(10)
        return configuration
    }

    /// Runs `body` on the connection (opening it, and migrating the schema, when needed), turning PostgreSQL's
    /// errors into one-line ones.
    func run<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        do {
            let live: PostgresConnection
            if let connection, !connection.isClosed {
                live = connection
            } else {
                connection = nil
                nextID += 1
                live = try await PostgresConnection.connect(configuration: try configuration(), id: nextID, logger: logger)
                connection = live
                if !migrated {
                    let logger = self.logger
                    try await Self.answered(within: answerSeconds, on: live) { try await PostgresSchema.migrate($0, logger: logger) }
                    migrated = true
                }
            }
            return try await Self.answered(within: answerSeconds, on: live, body)
        } catch {
            let translated = PostgresErrors.translate(error, address: address)
            if translated is QueueUnavailable, let connection {
                Self.closeAside(connection)
                self.connection = nil
            }
            throw translated
        }
    }

    struct NoAnswer: Error {}

    /// `body` on `connection`, or `NoAnswer` when the server has not answered within `seconds`: the connection is
    /// then closed (`closeAside`).
    static func answered<T: Sendable>(within seconds: Double, on connection: PostgresConnection,
                                      _ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await answered(within: seconds, onTimeout: { closeAside(connection) }) { try await body(connection) }
    }

    /// `body`'s result, or `NoAnswer` after `seconds` (and `onTimeout`) without waiting for `body` to end: a query
    /// on a connection closed under it can wait for ever in PostgresNIO (vapor/postgres-nio#487, reverted in #501)
    /// whatever its task is told, and a task group would wait for it too (a worker was seen to hang so through a
    /// server restart). `body` is left to end, or not, on its own.
    static func answered<T: Sendable>(within seconds: Double, onTimeout: @escaping @Sendable () -> Void,
                                      _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let race = Race<T>()
        return try await withCheckedThrowingContinuation { continuation in
            race.begin(continuation)
            let work = Task {
                do { race.end(.success(try await body())) } catch { race.end(.failure(error)) }
            }
            race.hold(timer: Task {
                try await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1_000_000_000))
                if race.end(.failure(NoAnswer())) {
                    work.cancel()
                    onTimeout()
                }
            })
        }
    }

    /// The first of a body and its timer to end resumes the continuation; the other finds it ended.
    private final class Race<T: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private var continuation: CheckedContinuation<T, Error>?
        private var ended = false
        private var timerTask: Task<Void, Error>?

        /// Keeps the timer, to cancel it when the body ends first (at once, if it already has).
        func hold(timer: Task<Void, Error>) {
            if lock.withLock({ () -> Bool in timerTask = timer; return ended }) { timer.cancel() }
        }

        func begin(_ continuation: CheckedContinuation<T, Error>) {
            lock.withLock { self.continuation = continuation }
        }

        /// Resumes with `result` unless the race has ended; whether it had not.
        @discardableResult
        func end(_ result: Result<T, Error>) -> Bool {
            let (waiting, timer) = lock.withLock { () -> (CheckedContinuation<T, Error>?, Task<Void, Error>?) in
                guard !ended else { return (nil, nil) }
                ended = true
                defer { continuation = nil }
                return (continuation, timerTask)
            }
            guard let waiting else { return false }
            timer?.cancel()
            waiting.resume(with: result)
            return true
        }
    }

    // MARK: - LessonQueue

    public func known(_ relativePaths: [String]) async throws -> [String: QueueFile] {
        guard !relativePaths.isEmpty else { return [:] }
        let logger = self.logger
        return try await run { db in
            let rows = try await db.query("""
                SELECT path, size_bytes, mtime, content_hash FROM bellwork.lesson WHERE path = ANY(\(relativePaths))
                """, logger: logger)
            var known: [String: QueueFile] = [:]
            for try await (path, size, mtime, hash) in rows.decode((String, Int64, Double, String).self) {
                known[path] = QueueFile(relativePath: path, sizeBytes: size, mtime: mtime, contentHash: hash)
            }
            return known
        }
    }

    public func plan(_ files: [QueueFile], settings: QueueSettings, retryFailed: Bool, root: String) async throws -> QueuePlanOutcome {
        let logger = self.logger
        let configuration = String(decoding: settings.configuration, as: UTF8.self)
        let paths = files.map(\.relativePath)
        let folders = files.map { BatchLesson.folder(of: $0.relativePath) }
        let sizes = files.map(\.sizeBytes)
        let mtimes = files.map(\.mtime)
        let hashes = files.map(\.contentHash)
        let hash = settings.hash
        return try await run { db in
            try await db.query("""
                INSERT INTO bellwork.settings (hash, configuration) VALUES (\(hash), \(configuration)::jsonb) ON CONFLICT (hash) DO NOTHING
                """, logger: logger)
            try await db.query("""
                INSERT INTO bellwork.queue (key, value) VALUES ('root', \(root)) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value
                """, logger: logger)
            guard !files.isEmpty else { return QueuePlanOutcome() }
            // One statement: two enqueues at once each see the other's rows (ON CONFLICT), so a file is
            // registered once. What a plan resets (new content, new settings, a retried failure) it resets whole,
            // token included, so a worker still holding the old claim can record nothing. Every SET expression
            // reads the row as it was; a row reset (or added) has this transaction's time as `enqueued_at`.
            let reset = """
                (l.content_hash IS DISTINCT FROM EXCLUDED.content_hash OR l.settings_hash IS DISTINCT FROM EXCLUDED.settings_hash
                 OR (l.status = 'failed' AND $7))
                """
            let rows = try await db.query(PostgresQuery(stringLiteral: """
                WITH input AS (
                    SELECT * FROM unnest($1::text[], $2::text[], $3::int8[], $4::float8[], $5::text[])
                        AS f(path, folder, size_bytes, mtime, content_hash)
                ), up AS (
                    INSERT INTO bellwork.lesson AS l (path, folder, size_bytes, mtime, content_hash, settings_hash)
                    SELECT path, folder, size_bytes, mtime, content_hash, $6 FROM input
                    ON CONFLICT (path) DO UPDATE SET
                        size_bytes = EXCLUDED.size_bytes,
                        mtime = EXCLUDED.mtime,
                        status = CASE WHEN \(reset) THEN 'pending' ELSE l.status END,
                        attempts = CASE WHEN \(reset) THEN 0 ELSE l.attempts END,
                        lost_leases = CASE WHEN \(reset) THEN 0 ELSE l.lost_leases END,
                        claim_token = CASE WHEN \(reset) THEN NULL ELSE l.claim_token END,
                        lease_until = CASE WHEN \(reset) THEN NULL ELSE l.lease_until END,
                        error = CASE WHEN \(reset) THEN NULL ELSE l.error END,
                        exit_status = CASE WHEN \(reset) THEN NULL ELSE l.exit_status END,
                        result = CASE WHEN \(reset) THEN NULL ELSE l.result END,
                        result_file = CASE WHEN \(reset) THEN NULL ELSE l.result_file END,
                        enqueued_at = CASE WHEN \(reset) THEN now() ELSE l.enqueued_at END,
                        content_hash = EXCLUDED.content_hash,
                        settings_hash = EXCLUDED.settings_hash
                    WHERE l.size_bytes IS DISTINCT FROM EXCLUDED.size_bytes OR l.mtime IS DISTINCT FROM EXCLUDED.mtime
                       OR \(reset)
                    RETURNING l.id, (xmax = 0) AS inserted, (l.enqueued_at = now()) AS queued
                ), logged AS (
                    INSERT INTO bellwork.event (lesson_id, event) SELECT id, 'requeued' FROM up WHERE queued AND NOT inserted
                )
                SELECT inserted, queued FROM up
                """).binding(paths, folders, sizes, mtimes, hashes, hash, retryFailed), logger: logger)
            var outcome = QueuePlanOutcome()
            for try await (inserted, queued) in rows.decode((Bool, Bool).self) {
                if inserted { outcome.added += 1 } else if queued { outcome.requeued += 1 }
            }
            outcome.unchanged = files.count - outcome.added - outcome.requeued
            return outcome
        }
    }

    public func claim(worker: String, leaseSeconds: Double, maxAttempts: Int) async throws -> QueueClaim? {
        let logger = self.logger
        let token = Int64.random(in: 1...Int64.max)
        let limit = Int64(maxAttempts)
        let claimed: (Int64, String, String, Int64, Int64)? = try await run { db in
            // Lessons whose lease ran out too often are failed, not taken again: they never block the queue.
            try await db.query("""
                WITH gone AS (
                    UPDATE bellwork.lesson SET status = 'failed', attempts = attempts + 1, finished_at = now(),
                        claim_token = NULL, lease_until = NULL,
                        error = 'its analysis was abandoned ' || (lost_leases + 1) || ' times (its worker stopped, or lost the queue, before the end)'
                    WHERE status = 'running' AND lease_until < now() AND lost_leases + 1 >= \(limit)
                    RETURNING id, worker
                )
                INSERT INTO bellwork.event (lesson_id, worker, event, detail) SELECT id, worker, 'failed', 'abandoned' FROM gone
                """, logger: logger)
            // A lease that ran out first (its worker is gone), then the oldest pending lesson.
            for condition in ["status = 'running' AND lease_until < now()", "status = 'pending'"] {
                let rows = try await db.query(PostgresQuery(stringLiteral: """
                    WITH next AS (
                        SELECT id FROM bellwork.lesson WHERE \(condition) ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED
                    ), taken AS (
                        UPDATE bellwork.lesson l SET
                            lost_leases = l.lost_leases + (CASE WHEN l.status = 'running' THEN 1 ELSE 0 END),
                            status = 'running', worker = $1, claim_token = $2, claimed_at = now(), work_file = NULL,
                            lease_until = now() + make_interval(secs => $3)
                        FROM next WHERE l.id = next.id
                        RETURNING l.id, l.path, l.settings_hash, l.size_bytes, l.attempts
                    ), logged AS (
                        INSERT INTO bellwork.event (lesson_id, worker, event) SELECT id, $1, 'claimed' FROM taken
                    )
                    SELECT id, path, settings_hash, size_bytes, attempts::int8 FROM taken
                    """).binding(worker, token, leaseSeconds), logger: logger)
                for try await row in rows.decode((Int64, String, String, Int64, Int64).self) { return row }
            }
            return nil
        }
        guard let (id, path, settingsHash, size, attempts) = claimed else { return nil }
        let configuration = try await settingsConfiguration(settingsHash)
        return QueueClaim(id: id, token: token, relativePath: path, settings: QueueSettings(hash: settingsHash, configuration: configuration),
                          sizeBytes: size, attempts: Int(attempts))
    }

    public func claim(lesson id: Int64, worker: String, leaseSeconds: Double, workFile: String?) async throws -> QueueClaim? {
        let logger = self.logger
        let token = Int64.random(in: 1...Int64.max)
        let claimed: [ClaimRow] = try await run { db in
            let rows = try await db.query("""
                WITH taken AS (
                    UPDATE bellwork.lesson SET status = 'running', worker = \(worker), claim_token = \(token), claimed_at = now(),
                        lease_until = now() + make_interval(secs => \(leaseSeconds)), work_file = \(workFile)
                    WHERE id = \(id) AND status = 'pending'
                    RETURNING id, path, settings_hash, size_bytes, attempts, claim_token, work_file, claimed_at
                ), logged AS (
                    INSERT INTO bellwork.event (lesson_id, worker, event) SELECT id, \(worker), 'claimed' FROM taken
                )
                SELECT \(unescaped: Self.claimColumns) FROM taken
                """, logger: logger)
            return try await Self.claimRows(rows)
        }
        guard let row = claimed.first else { return nil }
        return try await makeClaim(row)
    }

    public func reclaim(worker: String, leaseSeconds: Double) async throws -> [QueueClaim] {
        let logger = self.logger
        let claimed: [ClaimRow] = try await run { db in
            let rows = try await db.query("""
                WITH taken AS (
                    UPDATE bellwork.lesson SET claim_token = (floor(random() * 9.2e18) + 1)::int8,
                        lease_until = now() + make_interval(secs => \(leaseSeconds))
                    WHERE status = 'running' AND worker = \(worker)
                    RETURNING id, path, settings_hash, size_bytes, attempts, claim_token, work_file, claimed_at
                ), logged AS (
                    INSERT INTO bellwork.event (lesson_id, worker, event) SELECT id, \(worker), 'reclaimed' FROM taken
                )
                SELECT \(unescaped: Self.claimColumns) FROM taken ORDER BY id
                """, logger: logger)
            return try await Self.claimRows(rows)
        }
        var claims: [QueueClaim] = []
        for row in claimed { claims.append(try await makeClaim(row)) }
        return claims
    }

    /// A claim's columns as `claimRows` reads them, from a `taken` that returns the lesson's row.
    static let claimColumns = "id, path, settings_hash, size_bytes, attempts::int8, claim_token, work_file, extract(epoch FROM claimed_at)::float8"
    typealias ClaimRow = (Int64, String, String, Int64, Int64, Int64, String?, Double?)

    static func claimRows(_ rows: PostgresRowSequence) async throws -> [ClaimRow] {
        var all: [ClaimRow] = []
        for try await row in rows.decode(ClaimRow.self) { all.append(row) }
        return all
    }

    private func makeClaim(_ row: ClaimRow) async throws -> QueueClaim {
        let (id, path, settingsHash, size, attempts, token, workFile, claimedAt) = row
        let configuration = try await settingsConfiguration(settingsHash)
        return QueueClaim(id: id, token: token, relativePath: path, settings: QueueSettings(hash: settingsHash, configuration: configuration),
                          sizeBytes: size, attempts: Int(attempts), workFile: workFile, claimedAt: claimedAt)
    }

    private func settingsConfiguration(_ hash: String) async throws -> Data {
        if let cached = settingsCache[hash] { return cached }
        let logger = self.logger
        let text: String? = try await run { db in
            let rows = try await db.query("SELECT configuration::text FROM bellwork.settings WHERE hash = \(hash)", logger: logger)
            for try await configuration in rows.decode(String.self) { return configuration }
            return nil
        }
        guard let text else { throw QueueError("\(address.display): the settings \(hash) are missing from the queue") }
        let data = Data(text.utf8)
        settingsCache[hash] = data
        return data
    }

    public func renew(_ claim: QueueClaim, leaseSeconds: Double) async throws -> Bool {
        let logger = self.logger
        return try await run { db in
            let rows = try await db.query("""
                UPDATE bellwork.lesson SET lease_until = now() + make_interval(secs => \(leaseSeconds))
                WHERE id = \(claim.id) AND claim_token = \(claim.token) AND status = 'running' RETURNING id
                """, logger: logger)
            for try await _ in rows.decode(Int64.self) { return true }
            return false
        }
    }

    public func finish(_ claim: QueueClaim, result: QueueResult) async throws -> Bool {
        let logger = self.logger
        let l = result.lesson
        let json = String(decoding: result.json, as: UTF8.self)
        var query = PostgresQuery(stringLiteral: """
            WITH done AS (
                UPDATE bellwork.lesson SET status = 'done', attempts = attempts + 1, claim_token = NULL, lease_until = NULL,
                    finished_at = now(), error = NULL, exit_status = 0, analysis_seconds = $3, duration_seconds = $4,
                    creation_time = $5, bell_seconds = $6, bell_source = $7, bell_to_work_seconds = $8,
                    time_on_task_percent = $9, on_task_seconds = $10, class_seconds = $11, transition_count = $12,
                    transition_seconds = $13, mean_transition_seconds = $14, longest_transition_seconds = $15,
                    result_status = $16, warnings = $17, result = $18::jsonb, result_file = $19, work_file = NULL
                WHERE id = $1 AND claim_token = $2 AND status = 'running'
                RETURNING id, worker
            )
            INSERT INTO bellwork.event (lesson_id, worker, event) SELECT id, worker, 'done' FROM done RETURNING lesson_id
            """)
        query.binds.append(claim.id)
        query.binds.append(claim.token)
        query.binds.append(result.analysisSeconds)
        query.binds.append(l.durationSeconds)
        query.binds.append(l.creationTime)
        query.binds.append(l.bellSeconds)
        query.binds.append(l.bellSource)
        query.binds.append(l.bellToWorkSeconds)
        query.binds.append(l.timeOnTaskPercent)
        query.binds.append(l.onTaskSeconds)
        query.binds.append(l.classSeconds)
        query.binds.append(l.transitionCount.map(Int64.init))
        query.binds.append(l.transitionSeconds)
        query.binds.append(l.meanTransitionSeconds)
        query.binds.append(l.longestTransitionSeconds)
        query.binds.append(l.resultStatus)
        query.binds.append(l.warnings)
        query.binds.append(json)
        query.binds.append(result.resultFile)
        let finalQuery = query
        return try await run { db in
            let rows = try await db.query(finalQuery, logger: logger)
            for try await _ in rows.decode(Int64.self) { return true }
            return false
        }
    }

    public func fail(_ claim: QueueClaim, _ failure: QueueFailure, maxAttempts: Int) async throws -> Bool {
        let logger = self.logger
        let limit = Int64(maxAttempts)
        let status: String
        let reason: String
        let exit: Int64?
        switch failure {
        case .failed(let why, let exitStatus):
            status = "failed"
            reason = why
            exit = exitStatus.map(Int64.init)
        case .ignored(let why):
            status = "ignored"
            reason = why
            exit = nil
        }
        return try await run { db in
            let rows = try await db.query("""
                WITH f AS (
                    UPDATE bellwork.lesson SET attempts = attempts + 1, claim_token = NULL, lease_until = NULL,
                        status = CASE WHEN \(status) = 'ignored' THEN 'ignored'
                                      WHEN attempts + 1 >= \(limit) THEN 'failed' ELSE 'pending' END,
                        error = \(reason), exit_status = \(exit), finished_at = now(), work_file = NULL, result_file = NULL
                    WHERE id = \(claim.id) AND claim_token = \(claim.token) AND status = 'running'
                    RETURNING id, worker, status
                )
                INSERT INTO bellwork.event (lesson_id, worker, event, detail)
                SELECT id, worker, CASE WHEN status = 'pending' THEN 'retry' ELSE status END, \(reason) FROM f RETURNING lesson_id
                """, logger: logger)
            for try await _ in rows.decode(Int64.self) { return true }
            return false
        }
    }

    public func release(_ claim: QueueClaim) async throws {
        let logger = self.logger
        _ = try await run { db in
            try await db.query("""
                WITH r AS (
                    UPDATE bellwork.lesson SET status = 'pending', claim_token = NULL, lease_until = NULL, work_file = NULL
                    WHERE id = \(claim.id) AND claim_token = \(claim.token) AND status = 'running'
                    RETURNING id, worker
                )
                INSERT INTO bellwork.event (lesson_id, worker, event) SELECT id, worker, 'released' FROM r
                """, logger: logger)
        }
    }

    public func root() async throws -> String? {
        let logger = self.logger
        return try await run { db in
            let rows = try await db.query("SELECT value FROM bellwork.queue WHERE key = 'root'", logger: logger)
            for try await value in rows.decode(String.self) { return value }
            return nil
        }
    }
}

/// A queue error that waiting will not fix (a wrong password, a missing database, a bug): one line.
public struct QueueError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
