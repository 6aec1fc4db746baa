import BellworkQueue
import Foundation
import Testing

/// The queue's address as PostgreSQL users write it: the URL first, then the environment, then the password
/// file; never the password in what is shown.
struct QueueAddressTests {
    @Test func theURLGivesEverythingItNames() throws {
        let a = try QueueAddress("postgresql://dist%40rict:s%3Acret@db.example.org:6543/lessons?sslmode=verify-full&sslrootcert=/etc/ca.crt",
                                 environment: ["PGUSER": "other", "PGPASSWORD": "env", "PGHOST": "elsewhere"])
        #expect(a.user == "dist@rict" && a.password == "s:cret" && a.host == "db.example.org" && a.port == 6543)
        #expect(a.database == "lessons" && a.tls == .verifyFull && a.rootCertificate == "/etc/ca.crt")
        #expect(a.display == "postgresql://dist@rict@db.example.org:6543/lessons")
        #expect(!a.display.contains("s:cret") && !a.display.contains("s%3Acret"))
    }

    @Test func theEnvironmentFillsInWhatTheURLLeavesOut() throws {
        let a = try QueueAddress("postgresql://", environment: ["PGHOST": "db", "PGPORT": "5433", "PGUSER": "u", "PGPASSWORD": "p",
                                                                "PGDATABASE": "d", "PGSSLMODE": "require"])
        #expect(a.host == "db" && a.port == 5433 && a.user == "u" && a.password == "p" && a.database == "d" && a.tls == .require)
        // libpq's defaults: localhost, 5432, TLS when offered, the database named like the user.
        let b = try QueueAddress("postgres://someone@", environment: [:])
        #expect(b.host == "localhost" && b.port == 5432 && b.tls == .prefer && b.database == "someone" && b.password == nil)
        #expect(try QueueAddress("postgresql://u@h/d?sslmode=allow", environment: [:]).tls == .prefer)
    }

    @Test func aSocketFolderAndIPv6Hosts() throws {
        let socket = try QueueAddress("postgresql://u@%2Fvar%2Frun%2Fpostgresql/d", environment: [:])
        #expect(socket.socketPath == "/var/run/postgresql/.s.PGSQL.5432")
        let query = try QueueAddress("postgresql:///d?host=/tmp/s&port=7000&user=u", environment: [:])
        #expect(query.socketPath == "/tmp/s/.s.PGSQL.7000" && query.display == "postgresql://u@[/tmp/s]:7000/d")
        let v6 = try QueueAddress("postgresql://u@[::1]:5555/d", environment: [:])
        #expect(v6.host == "::1" && v6.port == 5555 && v6.socketPath == nil && v6.display == "postgresql://u@[::1]:5555/d")
    }

    @Test(arguments: [
        "mysql://u@h/d", "postgresql://u@h:0/d", "postgresql://u@h:99999/d", "postgresql://u@h:port/d", "postgresql://u@[::1/d",
        "postgresql://u@h/d?sslmode=sometimes", "postgresql://u@h/d?options=-c%20x", "postgresql://u@h/%zz",
    ])
    func wrongAddressesAreRefusedInWords(text: String) {
        #expect(throws: QueueAddress.Invalid.self) { try QueueAddress(text, environment: [:]) }
    }

    @Test func thePasswordFileIsReadAsPsqlReadsIt() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pgpass-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("pgpass")
        try """
            # a comment
            other.example.org:5432:*:u:wrong
            db.example.org:5432:lessons:u:pa\\:ss\\\\word
            *:*:*:u:fallback

            """.write(to: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        let environment = ["PGPASSFILE": file.path]
        #expect(try QueueAddress("postgresql://u@db.example.org/lessons", environment: environment).password == #"pa:ss\word"#)
        #expect(try QueueAddress("postgresql://u@db.example.org/other", environment: environment).password == "fallback")
        #expect(try QueueAddress("postgresql://x@db.example.org/lessons", environment: environment).password == nil)
        // The URL's own password and PGPASSWORD come first.
        #expect(try QueueAddress("postgresql://u:given@db.example.org/lessons", environment: environment).password == "given")
        #expect(try QueueAddress("postgresql://u@db.example.org/lessons", environment: environment.merging(["PGPASSWORD": "env"]) { a, _ in a }).password == "env")
        // A file others can read is not used.
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        #expect(try QueueAddress("postgresql://u@db.example.org/lessons", environment: environment).password == nil)
    }
}
