import Foundation
import LessonMetrics

/// Where the bell comes from.
public enum BellChoice: Sendable, Equatable {
    /// Found in the audio; none when none rang.
    case detect
    /// The coach knows when it rang (seconds from the start of the recording).
    case given(Double)
    /// There is no bell: the class window is the whole recording.
    case none
    /// Found in the audio; when the audio holds none, taken from the school's bell times and the
    /// recording's creation time.
    case schedule(BellSchedule)
}

/// A school's bell times, one `HH:MM` or `HH:MM:SS` a line (local time of day; `#` starts a comment),
/// and optionally a line `timezone: Area/City` (default: this machine's time zone).
public struct BellSchedule: Sendable, Equatable {
    /// Seconds after midnight.
    public var times: [Double]
    public var timeZone: TimeZone

    public init(times: [Double], timeZone: TimeZone = .current) {
        self.times = times.sorted()
        self.timeZone = timeZone
    }

    public static func load(_ path: String) throws -> BellSchedule {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var times: [Double] = []
        var zone = TimeZone.current
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)?
                .trimmingCharacters(in: .whitespaces) ?? ""
            if line.isEmpty { continue }
            if line.lowercased().hasPrefix("timezone:") {
                let name = line.dropFirst("timezone:".count).trimmingCharacters(in: .whitespaces)
                guard let tz = TimeZone(identifier: name) else {
                    throw ConfigurationError(message: "\(path):\(number + 1): unknown time zone \(name)")
                }
                zone = tz
                continue
            }
            guard let t = TimeText.parseTimeOfDay(line) else {
                throw ConfigurationError(message: "\(path):\(number + 1): not a time of day (HH:MM or HH:MM:SS, 00:00 to 23:59:59): \(line)")
            }
            times.append(t)
        }
        guard !times.isEmpty else { throw ConfigurationError(message: "\(path): no bell times") }
        return BellSchedule(times: times, timeZone: zone)
    }

    /// The first scheduled bell inside a recording that started at `creation` and lasts `duration`
    /// seconds, as seconds from its start; nil when none falls inside.
    public func bell(creation: Date, duration: Double) -> Double? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let midnight = calendar.startOfDay(for: creation)
        for t in times {
            let offset = midnight.addingTimeInterval(t).timeIntervalSince(creation)
            if offset >= 0 && offset <= duration { return offset }
        }
        return nil
    }
}

extension TimeText {
    /// `SS`, `M:SS`, `H:MM:SS` or plain seconds (`75.5`) as seconds; nil when it is none of these.
    public static func parseClock(_ text: String) -> Double? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard (1...3).contains(parts.count) else { return nil }
        var total = 0.0
        for (i, part) in parts.enumerated() {
            guard let value = Double(part), value >= 0, value.isFinite else { return nil }
            if i > 0 && value >= 60 { return nil }
            total = total * 60 + value
        }
        return total
    }

    /// A clock time `HH:MM` or `HH:MM:SS` (hours 0–23, minutes and seconds 0–59) as seconds after midnight;
    /// nil for anything else. `08:15` is a quarter past eight, never 8 minutes 15 seconds.
    public static func parseTimeOfDay(_ text: String) -> Double? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3 else { return nil }
        var values: [Int] = []
        for (i, part) in parts.enumerated() {
            guard (i == 0 ? 1...2 : 2...2).contains(part.count), part.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let value = Int(part), value < (i == 0 ? 24 : 60) else { return nil }
            values.append(value)
        }
        return Double(values[0] * 3600 + values[1] * 60 + (values.count == 3 ? values[2] : 0))
    }

    /// Parses ISO 8601 creation times as FFmpeg writes them (`2013-12-22T20:54:41.000000Z`).
    public static func parseCreationTime(_ text: String) -> Date? {
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = withFraction.date(from: text) { return d }
        let plain = ISO8601DateFormatter()
        if let d = plain.date(from: text) { return d }
        // Six-digit fractions are not understood by ISO8601DateFormatter: drop the fraction.
        if let dot = text.firstIndex(of: "."), let z = text[dot...].firstIndex(where: { $0 == "Z" || $0 == "+" || $0 == "-" }) {
            return plain.date(from: String(text[..<dot]) + String(text[z...]))
        }
        return nil
    }
}
