import Foundation
import Logging

/// A log handler that writes one JSON object a line on standard error (`--log-format json`): `time` (ISO
/// 8601, UTC), `level`, `label`, `message`, the error logged with it (if any), and the metadata as strings, for
/// journald, a log shipper or jq.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields: [String: String] = [:]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { _, new in new }) { fields[key] = "\(value)" }
        let record = Record(time: Self.time(), level: event.level.rawValue, label: label, message: event.message.description,
                            error: event.error.map { "\($0)" }, metadata: fields.isEmpty ? nil : fields)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard var data = try? encoder.encode(record) else { return }
        data.append(UInt8(ascii: "\n"))
        FileHandle.standardError.write(data)
    }

    struct Record: Encodable {
        var time: String
        var level: String
        var label: String
        var message: String
        var error: String?
        var metadata: [String: String]?
    }

    static func time() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }
}
