import Bellwork
import BellworkBatch
import Foundation
import Logging
import NIOSSL
import PostgresNIO

extension PostgresQuery {
    /// This query with its `$n` placeholders bound to `values`, in order (for SQL that names a value twice).
    func binding(_ values: any PostgresDynamicTypeEncodable...) -> PostgresQuery {
        var copy = self
        for value in values { copy.binds.append(value) }
        return copy
    }
}

/// The queue's tables, in the schema `bellwork`, created and migrated by the tool itself: each migration is a
/// version, applied once, in order, under an advisory lock (two workers starting at once migrate once), and
/// recorded in `bellwork.schema_version`. `docs/QUEUE-SCHEMA.md` documents them.
enum PostgresSchema {
    /// The newest version this bellwork knows.
    static var version: Int { migrations.count }

    static let migrations: [[String]] = [
        // 1: lessons, their settings, the queue's root, and an event log.
        [
            """
            CREATE TABLE bellwork.settings (
                hash text PRIMARY KEY,
                configuration jsonb NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            "CREATE TABLE bellwork.queue (key text PRIMARY KEY, value text NOT NULL)",
            """
            CREATE TABLE bellwork.lesson (
                id bigserial PRIMARY KEY,
                path text NOT NULL UNIQUE,
                folder text NOT NULL,
                size_bytes bigint NOT NULL,
                mtime double precision NOT NULL,
                content_hash text NOT NULL,
                settings_hash text NOT NULL REFERENCES bellwork.settings (hash),
                status text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'running', 'done', 'failed', 'ignored')),
                attempts integer NOT NULL DEFAULT 0,
                lost_leases integer NOT NULL DEFAULT 0,
                worker text,
                claim_token bigint,
                claimed_at timestamptz,
                lease_until timestamptz,
                enqueued_at timestamptz NOT NULL DEFAULT now(),
                finished_at timestamptz,
                error text,
                exit_status integer,
                analysis_seconds double precision,
                duration_seconds double precision,
                creation_time text,
                bell_seconds double precision,
                bell_source text,
                bell_to_work_seconds double precision,
                time_on_task_percent double precision,
                on_task_seconds double precision,
                class_seconds double precision,
                transition_count integer,
                transition_seconds double precision,
                mean_transition_seconds double precision,
                longest_transition_seconds double precision,
                result_status text,
                warnings text,
                result jsonb
            )
            """,
            "CREATE INDEX lesson_pending ON bellwork.lesson (id) WHERE status = 'pending'",
            "CREATE INDEX lesson_running ON bellwork.lesson (lease_until) WHERE status = 'running'",
            """
            CREATE TABLE bellwork.event (
                id bigserial PRIMARY KEY,
                lesson_id bigint NOT NULL REFERENCES bellwork.lesson (id) ON DELETE CASCADE,
                at timestamptz NOT NULL DEFAULT now(),
                worker text,
                event text NOT NULL,
                detail text
            )
            """,
            "CREATE INDEX event_lesson ON bellwork.event (lesson_id)",
        ],
        // 2: where a claimer's child writes (kept with the claim, for a claimer restarted after a kill) and where the
        // claimer wrote the result, if it wrote a file.
        [
            "ALTER TABLE bellwork.lesson ADD COLUMN work_file text, ADD COLUMN result_file text",
        ],
    ]

    /// Brings the schema to `version`, in one transaction. A database made by a newer bellwork is refused.
    static func migrate(_ db: PostgresConnection, logger: Logger) async throws {
        try await db.query("BEGIN", logger: logger)
        do {
            // 0x62656c6c ("bell"): the advisory lock every bellwork takes to migrate.
            try await db.query("SELECT pg_advisory_xact_lock(1650814060)", logger: logger)
            try await db.query("CREATE SCHEMA IF NOT EXISTS bellwork", logger: logger)
            try await db.query("""
                CREATE TABLE IF NOT EXISTS bellwork.schema_version (
                    version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())
                """, logger: logger)
            var current = 0
            for try await v in try await db.query("SELECT coalesce(max(version), 0)::int8 FROM bellwork.schema_version", logger: logger)
                .decode(Int64.self) { current = Int(v) }
            if current > version {
                throw QueueError("the queue's tables are of version \(current), made by a newer bellwork (this one knows \(version)); use that version")
            }
            for (index, statements) in migrations.enumerated() where index + 1 > current {
                for statement in statements { try await db.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
                try await db.query("INSERT INTO bellwork.schema_version (version) VALUES (\(Int64(index + 1)))", logger: logger)
            }
            try await db.query("COMMIT", logger: logger)
        } catch {
            _ = try? await db.query("ROLLBACK", logger: logger)
            throw error
        }
    }
}

/// PostgreSQL's and the network's errors in one line, never with the password: `QueueUnavailable` when waiting
/// may help (the server cannot be reached, is starting or shutting down, has too many connections), else
/// `QueueError`.
enum PostgresErrors {
    static func translate(_ error: Error, address: QueueAddress) -> Error {
        if error is QueueError || error is QueueUnavailable { return error }
        if error is PostgresLessonQueue.NoAnswer { return QueueUnavailable("\(address.display): no answer for too long") }
        guard let psql = error as? PSQLError else {
            if error is CancellationError { return error }
            return QueueUnavailable("\(address.display): \(describe(error))")
        }
        switch psql.code {
        case .connectionError where psql.underlying is NIOSSLError || psql.underlying is BoringSSLError:
            // A certificate refused, or TLS that cannot be agreed: waiting does not help.
            return QueueError("\(address.display): TLS failed: \(describe(psql.underlying!))")
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed:
            let detail = psql.underlying.map(describe) ?? "the connection was closed"
            return QueueUnavailable("\(address.display): \(detail)")
        case .sslUnsupported:
            return QueueError("\(address.display): the server does not offer TLS, and the URL asks for it (sslmode)")
        case .server:
            let state = psql.serverInfo?[.sqlState] ?? ""
            let message = psql.serverInfo?[.message] ?? "an error"
            // 08: connection exceptions; 57P01-03: shutdown, crash, starting; 53300: too many connections;
            // 40001/40P01: serialisation failure and deadlock, which a retry resolves.
            if state.hasPrefix("08") || ["57P01", "57P02", "57P03", "53300", "40001", "40P01"].contains(state) {
                return QueueUnavailable("\(address.display): \(message)")
            }
            return QueueError("\(address.display): \(message)" + (state.isEmpty ? "" : " (SQLSTATE \(state))"))
        case .authMechanismRequiresPassword:
            return QueueError("\(address.display): the server asks for a password: give it in the URL, PGPASSWORD or PGPASSFILE")
        default:
            return QueueError("\(address.display): \(psql.code)")
        }
    }

    static func describe(_ error: Error) -> String {
        let text = "\(error)"
        // NIO's connect errors end with the system's words, e.g. "… Connection refused (errno: 111)".
        if let range = text.range(of: "Connection refused") { return String(text[range]).lowercased() }
        if text.contains("connectTimeout") || text.contains("connect timeout") { return "no answer to the connection (timed out)" }
        return text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
