import Foundation
import Testing

/// The throwaway PostgreSQL server `make test` starts (scripts/with-postgres.sh): a fresh database per test,
/// and psql for what the tests read back. Without the server the tests fail, saying how to run them.
enum TestPostgres {
    struct Missing: Error, CustomStringConvertible {
        var description: String {
            "BELLWORK_TEST_POSTGRES_URL is not set: run the tests through `make test`, which starts a throwaway PostgreSQL server (scripts/with-postgres.sh)"
        }
    }

    /// The server's URL for the role `bellwork` (CREATEDB), on its own database.
    static func baseURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["BELLWORK_TEST_POSTGRES_URL"], !url.isEmpty else { throw Missing() }
        return url
    }

    struct Database {
        let url: String
        let name: String
        let base: String

        /// Drops the database, ending whatever is still connected to it.
        func drop() {
            _ = try? TestPostgres.psql(base, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        }
    }

    /// A new, empty database owned by the role, and its URL.
    static func freshDatabase() throws -> Database {
        let base = try baseURL()
        let name = "bw_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        _ = try psql(base, "CREATE DATABASE \(name)")
        return Database(url: url(base, database: String(name)), name: String(name), base: base)
    }

    /// `url` with another database.
    static func url(_ url: String, database: String) -> String {
        guard let slash = url.range(of: "/", options: .backwards, range: url.range(of: "://")!.upperBound..<url.endIndex) else {
            return url + "/" + database
        }
        let query = url[slash.upperBound...].firstIndex(of: "?").map { String(url[$0...]) } ?? ""
        return String(url[..<slash.upperBound]) + database + query
    }

    /// Runs SQL with psql (unaligned, tuples only); its output, trimmed. Throws when psql fails.
    @discardableResult
    static func psql(_ url: String, _ sql: String) throws -> String {
        let outcome = try CLI.run(["psql", url, "-X", "-v", "ON_ERROR_STOP=1", "-At", "-c", sql], executable: "/usr/bin/env")
        guard outcome.status == 0 else { throw CLIError("psql failed (\(outcome.status)): \(outcome.stderr)") }
        return outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// The suites that use the throwaway server, nested here so they run one after another: one of them restarts the
/// server, which the others would see as a failure.
@Suite(.serialized) enum PostgresSuites {}
