import BellworkOutputs
import Bellwork
import Foundation
import MediaIO

/// The batch's figures for people: `summary.csv` (one row per lesson, kept current by the batch) and
/// `bellwork summary` (totals, and each folder's lessons in time order).
public enum BatchSummary {
    /// The columns of `summary.csv`.
    public static let csvHeader = [
        "path", "folder", "creationTime", "durationSeconds", "bellSeconds", "bellSource", "bellToWorkSeconds",
        "timeOnTaskPercent", "onTaskSeconds", "classSeconds", "transitionCount", "transitionSeconds",
        "meanTransitionSeconds", "longestTransitionSeconds", "status", "attempts", "result", "error",
        "resultStatus", "warnings",
    ]

    /// One row per lesson (files found not to be recordings are left out), in path order.
    public static func csv(_ rows: [BatchLesson]) -> String {
        var lines = [csvHeader.joined(separator: ",")]
        for row in rows where row.status != .ignored {
            let fields: [String] = [
                text(row.path), text(row.folder), text(row.creationTime ?? ""), number(row.durationSeconds),
                number(row.bellSeconds), text(row.bellSource ?? ""), number(row.bellToWorkSeconds),
                number(row.timeOnTaskPercent), number(row.onTaskSeconds), number(row.classSeconds),
                row.transitionCount.map(String.init) ?? "", number(row.transitionSeconds), number(row.meanTransitionSeconds),
                number(row.longestTransitionSeconds), row.status.rawValue, String(row.attempts), text(row.resultFile ?? ""),
                text(row.error ?? ""), row.resultStatus ?? "", text(Self.warningLines(row).joined(separator: " | ")),
            ]
            lines.append(fields.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A row's warnings, one `code: message` each.
    static func warningLines(_ row: BatchLesson) -> [String] {
        (row.warnings ?? "").split(separator: "\n").map(String.init)
    }

    /// Whether a lesson's figures are to be checked (its result's status is `check`): shown, and left out of
    /// the means.
    static func toCheck(_ row: BatchLesson) -> Bool { row.status == .done && row.resultStatus == "check" }

    static func number(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "" }
        return String(format: "%.2f", value)
    }

    /// A CSV text field: quoted when it must be, and never read by a spreadsheet as a formula (a leading
    /// `=`, `+`, `-` or `@` in an uploaded file's name gets a `'`).
    /// A CSV cell: names and messages shown as `FileName.display` does (raw bytes and control characters
    /// escaped, so a row is one line), a formula prefix neutralised, quoted when it holds a comma or quote.
    static func text(_ value: String) -> String {
        var value = FileName.display(value)
        if let first = value.first, "=+-@\t\r".contains(first) { value = "'" + value }
        if value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return value
    }

    // MARK: - The report

    /// The batch's totals.
    public struct Totals: Codable, Equatable, Sendable {
        public var lessons = 0
        public var done = 0
        public var failed = 0
        public var pending = 0
        public var ignoredFiles = 0
        public var mediaHoursAnalysed = 0.0
        /// Analysed lessons whose figures a warning says to check (not in the means below).
        public var toCheck = 0
        /// Means over the analysed lessons not to be checked.
        public var meanTimeOnTaskPercent: Double?
        public var meanBellToWorkSeconds: Double?
    }

    /// One lesson as the report shows it.
    public struct Lesson: Codable, Equatable, Sendable {
        public var path: String
        public var name: String
        /// Creation time, else modification time (ISO 8601).
        public var time: String?
        public var status: String
        public var durationSeconds: Double?
        public var bellToWorkSeconds: Double?
        public var timeOnTaskPercent: Double?
        public var transitionCount: Int?
        public var error: String?
        /// The result's status (`ok` or `check`), when analysed by a version that writes it.
        public var resultStatus: String?
        /// The result's warnings, `code: message`, most important first.
        public var warnings: [String] = []
    }

    /// A folder's lessons in time order.
    public struct Group: Codable, Equatable, Sendable {
        public var folder: String
        public var totals: Totals
        public var lessons: [Lesson]
    }

    public struct Report: Codable, Equatable, Sendable {
        public var totals: Totals
        public var folders: [Group]
    }

    public static func report(_ rows: [BatchLesson]) -> Report {
        let lessons = rows.filter { $0.status != .ignored }
        var groups: [String: [BatchLesson]] = [:]
        for row in lessons { groups[row.folder, default: []].append(row) }
        let folders = groups.keys.sorted().map { folder in
            let members = groups[folder]!.sorted { a, b in
                let ta = a.when ?? "", tb = b.when ?? ""
                return ta != tb ? ta < tb : a.relativePath < b.relativePath
            }
            return Group(folder: folder, totals: totals(members, ignored: 0), lessons: members.map { row in
                Lesson(path: row.path, name: (row.relativePath as NSString).lastPathComponent, time: row.when,
                       status: row.status.rawValue, durationSeconds: row.durationSeconds,
                       bellToWorkSeconds: row.bellToWorkSeconds, timeOnTaskPercent: row.timeOnTaskPercent,
                       transitionCount: row.transitionCount, error: row.error, resultStatus: row.resultStatus,
                       warnings: warningLines(row))
            })
        }
        return Report(totals: totals(lessons, ignored: rows.count - lessons.count), folders: folders)
    }

    static func totals(_ rows: [BatchLesson], ignored: Int) -> Totals {
        var t = Totals()
        t.lessons = rows.count
        t.ignoredFiles = ignored
        let done = rows.filter { $0.status == .done }
        t.done = done.count
        t.failed = rows.filter { $0.status == .failed }.count
        t.pending = rows.count - t.done - t.failed
        t.mediaHoursAnalysed = (done.reduce(0) { $0 + ($1.durationSeconds ?? 0) } / 3600 * 100).rounded() / 100
        t.toCheck = done.filter(toCheck).count
        let trusted = done.filter { !toCheck($0) }
        let onTask = trusted.compactMap(\.timeOnTaskPercent)
        if !onTask.isEmpty { t.meanTimeOnTaskPercent = ((onTask.reduce(0, +) / Double(onTask.count)) * 100).rounded() / 100 }
        let latency = trusted.compactMap(\.bellToWorkSeconds)
        if !latency.isEmpty { t.meanBellToWorkSeconds = ((latency.reduce(0, +) / Double(latency.count)) * 100).rounded() / 100 }
        return t
    }

    /// The report as text for people.
    public static func table(_ report: Report) -> String {
        var out: [String] = []
        let t = report.totals
        out.append("\(t.lessons) lessons: \(t.done) analysed, \(t.failed) failed, \(t.pending) pending"
                   + (t.toCheck > 0 ? "; \(t.toCheck) to check (left out of the means)" : "")
                   + (t.ignoredFiles > 0 ? "; \(t.ignoredFiles) other files ignored" : ""))
        out.append(String(format: "media analysed: %.2f h", t.mediaHoursAnalysed)
                   + (t.meanTimeOnTaskPercent.map { String(format: "; mean time-on-task %.1f %%", $0) } ?? "")
                   + (t.meanBellToWorkSeconds.map { "; mean bell-to-work \(TimeText.clock($0))" } ?? ""))
        for group in report.folders {
            out.append("")
            var title = group.folder.isEmpty ? "(top folder)" : FileName.display(group.folder)
            title += " — \(group.totals.done) of \(group.totals.lessons) analysed"
            if let m = group.totals.meanTimeOnTaskPercent { title += String(format: ", mean time-on-task %.1f %%", m) }
            if let m = group.totals.meanBellToWorkSeconds { title += ", mean bell-to-work \(TimeText.clock(m))" }
            out.append(title)
            out.append(pad("time", 22) + pad("lesson", 32) + pad("length", 9) + pad("bell-to-work", 14) + pad("on task", 9) + "status")
            for l in group.lessons {
                let time = l.time.map(displayTime) ?? "–"
                var line = pad(time, 22) + pad(FileName.display(l.name), 32) + pad(l.durationSeconds.map(TimeText.clock) ?? "–", 9)
                line += pad(l.bellToWorkSeconds.map(TimeText.clock) ?? "–", 14)
                line += pad(l.timeOnTaskPercent.map { String(format: "%.1f %%", $0) } ?? "–", 9)
                if l.status == "done" && l.resultStatus == "check" {
                    line += "check" + (l.warnings.first.map { ": " + FileName.display(message(of: $0)) } ?? "")
                } else {
                    line += l.status + (l.error.map { ": " + FileName.display($0) } ?? "")
                }
                out.append(line)
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// The report as CSV: one row per lesson, grouped by folder, in time order.
    public static func reportCSV(_ report: Report) -> String {
        var lines = ["folder,time,lesson,durationSeconds,bellToWorkSeconds,timeOnTaskPercent,transitionCount,status,error,path,resultStatus,warnings"]
        for group in report.folders {
            for l in group.lessons {
                lines.append([text(group.folder), text(l.time ?? ""), text(l.name), number(l.durationSeconds),
                              number(l.bellToWorkSeconds), number(l.timeOnTaskPercent), l.transitionCount.map(String.init) ?? "",
                              l.status, text(l.error ?? ""), text(l.path), l.resultStatus ?? "",
                              text(l.warnings.joined(separator: " | "))].joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// An ISO 8601 time as a person reads it, to the minute, with its zone: `2023-11-14 08:00 UTC`, or the
    /// offset the recording gave (`2023-11-14 08:00 +01:00`).
    public static func displayTime(_ iso: String) -> String {
        let minute = String(iso.prefix(16)).replacingOccurrences(of: "T", with: " ")
        guard iso.count > 16, let t = iso.firstIndex(of: "T") else { return minute }
        let clock = iso[iso.index(after: t)...]
        if clock.hasSuffix("Z") { return minute + " UTC" }
        if let sign = clock.lastIndex(where: { $0 == "+" || $0 == "-" }) { return minute + " " + clock[sign...] }
        return minute
    }

    /// The message of a `code: message` warning line.
    static func message(of line: String) -> String {
        guard let colon = line.range(of: ": ") else { return line }
        return String(line[colon.upperBound...])
    }

    private static func pad(_ s: String, _ width: Int) -> String {
        let clipped = s.count >= width ? String(s.prefix(width - 2)) + "…" : s
        return clipped + String(repeating: " ", count: max(1, width - clipped.count))
    }
}
