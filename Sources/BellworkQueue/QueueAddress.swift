import Foundation

/// Where the queue is and who connects, the way PostgreSQL's own tools take it: a URL
/// (`postgresql://user:password@host:port/database?sslmode=…`), with what it leaves out taken from `PGHOST`,
/// `PGPORT`, `PGUSER`, `PGPASSWORD`, `PGDATABASE`, `PGSSLMODE`, and the password from `PGPASSFILE` (or
/// `~/.pgpass`) when neither gives one. The password never appears in `display`, in errors or in logs.
public struct QueueAddress: Sendable, Equatable {
    public enum TLSMode: String, Sendable, CaseIterable {
        /// Never TLS.
        case disable
        /// TLS when the server offers it (libpq's `allow` and `prefer`), without checking its certificate.
        case prefer
        /// TLS or nothing, without checking the certificate.
        case require
        /// TLS, with a certificate signed by a trusted authority (`sslrootcert`, else the system's).
        case verifyCA = "verify-ca"
        /// As `verify-ca`, and the certificate names the host.
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var tls: TLSMode
    /// `sslrootcert`: the authorities that may sign the server's certificate.
    public var rootCertificate: String?

    /// A Unix socket folder (a host that starts with `/`), as libpq takes it.
    public var socketPath: String? { host.hasPrefix("/") ? host + "/.s.PGSQL.\(port)" : nil }

    /// The address without the password, for messages.
    public var display: String {
        let where_ = host.hasPrefix("/") ? "[\(host)]" : (host.contains(":") ? "[\(host)]" : host)
        return "postgresql://\(user)@\(where_):\(port)/\(database)"
    }

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    /// Whether `text` names a PostgreSQL queue (as opposed to a folder).
    public static func isPostgres(_ text: String) -> Bool {
        text.hasPrefix("postgresql://") || text.hasPrefix("postgres://") || text == "postgresql:" || text == "postgres:"
    }

    public init(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard Self.isPostgres(text) else {
            throw Invalid(description: "the queue must be a postgresql:// URL")
        }
        var rest = text.drop(while: { $0 != ":" }).dropFirst()
        if rest.hasPrefix("//") { rest = rest.dropFirst(2) }
        var authority = Substring(rest)
        var query = Substring("")
        if let mark = authority.firstIndex(of: "?") {
            query = authority[authority.index(after: mark)...]
            authority = authority[..<mark]
        }
        var path = Substring("")
        if let slash = authority.firstIndex(of: "/") {
            path = authority[authority.index(after: slash)...]
            authority = authority[..<slash]
        }
        var userInfo: Substring?
        if let at = authority.lastIndex(of: "@") {
            userInfo = authority[..<at]
            authority = authority[authority.index(after: at)...]
        }
        var urlUser: String?
        var urlPassword: String?
        if let userInfo {
            let parts = userInfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            urlUser = try Self.decode(parts[0])
            if parts.count == 2 { urlPassword = try Self.decode(parts[1]) }
        }
        var urlHost: String?
        var urlPort: String?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw Invalid(description: "the queue's URL has an unclosed [ in its host") }
            urlHost = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { urlPort = String(after.dropFirst()) }
        } else if !authority.isEmpty {
            let parts = authority.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            urlHost = try Self.decode(parts[0])
            if parts.count == 2 { urlPort = String(parts[1]) }
        }
        var parameters: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            parameters[try Self.decode(kv[0])] = kv.count == 2 ? try Self.decode(kv[1]) : ""
        }
        let known: Set<String> = ["sslmode", "sslrootcert", "host", "port", "user", "password", "dbname", "application_name", "connect_timeout"]
        if let unknown = parameters.keys.sorted().first(where: { !known.contains($0) }) {
            throw Invalid(description: "the queue's URL has a parameter this bellwork does not know: \(unknown)")
        }

        host = parameters["host"] ?? urlHost.flatMap { $0.isEmpty ? nil : $0 } ?? environment["PGHOST"].flatMap { $0.isEmpty ? nil : $0 } ?? "localhost"
        let portText = parameters["port"] ?? urlPort.flatMap { $0.isEmpty ? nil : $0 } ?? environment["PGPORT"] ?? "5432"
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw Invalid(description: "the queue's port must be a number from 1 to 65535")
        }
        self.port = port
        user = parameters["user"] ?? urlUser.flatMap { $0.isEmpty ? nil : $0 } ?? environment["PGUSER"] ?? Self.systemUser()
        let dbPath = try Self.decode(path)
        database = parameters["dbname"] ?? (dbPath.isEmpty ? nil : dbPath) ?? environment["PGDATABASE"] ?? user
        let modeText = parameters["sslmode"] ?? environment["PGSSLMODE"] ?? "prefer"
        switch modeText {
        case "allow", "prefer": tls = .prefer
        default:
            guard let mode = TLSMode(rawValue: modeText) else {
                throw Invalid(description: "the queue's sslmode must be disable, allow, prefer, require, verify-ca or verify-full")
            }
            tls = mode
        }
        rootCertificate = parameters["sslrootcert"] ?? environment["PGSSLROOTCERT"]
        password = parameters["password"] ?? urlPassword ?? environment["PGPASSWORD"]
        if password == nil {
            password = Self.passwordFile(host: host, port: port, database: database, user: user, environment: environment)
        }
    }

    static func decode(_ text: Substring) throws -> String {
        guard let decoded = String(text).removingPercentEncoding else {
            throw Invalid(description: "the queue's URL has a broken %-escape")
        }
        return decoded
    }

    static func systemUser() -> String {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return "postgres"
    }

    /// The password of the first line of the password file that matches (`host:port:database:user:password`,
    /// `*` for any, `\` escaping `:` and `\`), as libpq reads it. A file others can read is not used.
    static func passwordFile(host: String, port: Int, database: String, user: String, environment: [String: String]) -> String? {
        let file = environment["PGPASSFILE"] ?? (environment["HOME"].map { $0 + "/.pgpass" } ?? "")
        var info = stat()
        guard !file.isEmpty, stat(file, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_mode & 0o077 == 0,
              let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
        let hostName = host.hasPrefix("/") ? "localhost" : host
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            var fields: [String] = []
            var field = ""
            var escaped = false
            for character in line {
                if escaped { field.append(character); escaped = false } else if character == "\\" { escaped = true } else if character == ":" && fields.count < 4 {
                    fields.append(field)
                    field = ""
                } else { field.append(character) }
            }
            fields.append(field)
            guard fields.count == 5 else { continue }
            let wanted = [hostName, String(port), database, user]
            if zip(fields.prefix(4), wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        return nil
    }
}
