import CSV
import Foundation
import LessonMetrics
import MediaIO

/// Reading the tables and labels people code lessons with: delimited text (CSV as RFC 4180 quotes it, or
/// TSV), the column names of common coding tools (BORIS's `Start (s)`, `Stop (s)`, `Behavior`), and the
/// names coders give activities ("Arrival", "Group work", "seat work") mapped onto the contract's kinds.
public enum LabelTables {
    /// The rows of delimited text as RFC 4180 reads them (yaslab's CSV.swift): fields split at `delimiter`
    /// outside double quotes; `""` inside quotes is one quote; a quoted field may hold the delimiter and line
    /// breaks; spaces around fields trimmed. Blank lines are left out.
    public static func rows(_ text: String, delimiter: Character) -> [[String]] {
        guard let scalar = delimiter.unicodeScalars.first,
              let reader = try? CSVReader(string: text, hasHeaderRow: false, trimFields: true, delimiter: scalar) else { return [] }
        var rows: [[String]] = []
        while let row = reader.next() {
            if !(row.count == 1 && row[0].isEmpty) { rows.append(row) }
        }
        return rows
    }

    /// The delimiter of a table: a tab when its first line holds one and no comma, else a comma.
    public static func delimiter(of text: String, fileExtension: String) -> Character {
        if fileExtension == "tsv" { return "\t" }
        let first = text.prefix { $0 != "\n" && $0 != "\r" }
        return first.contains("\t") && !first.contains(",") ? "\t" : ","
    }

    /// Column names that mean a segment's start, end and label, lower-cased, as tools write them.
    public static let startNames = ["start", "start (s)", "start time", "begin", "begin time", "onset", "from", "start_s"]
    public static let endNames = ["end", "stop", "stop (s)", "end time", "end (s)", "offset", "to", "end_s"]
    public static let kindNames = ["kind", "behavior", "behaviour", "label", "code", "activity", "category", "segment"]

    /// The index of the first column whose name is one of `names`.
    public static func column(_ header: [String], _ names: [String]) -> Int? {
        let lowered = header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        for name in names { if let i = lowered.firstIndex(of: name) { return i } }
        return nil
    }

    /// The contract's kind a coder's label means (case, spaces, dashes and underscores ignored), or nil: from
    /// `labels` (a coder's own map, its keys as `key` makes them) first, then the kinds' names and the usual ones.
    public static func kind(_ label: String, _ labels: [String: SegmentKind] = [:]) -> SegmentKind? {
        let key = key(label)
        if let kind = labels[key] { return kind }
        if let kind = SegmentKind(rawValue: key) { return kind }
        return synonyms[key]
    }

    /// A label as it is compared: lower case, dashes and underscores as spaces, runs of spaces as one.
    static func key(_ label: String) -> String {
        label.lowercased().map { $0 == "-" || $0 == "_" ? " " : $0 }.reduce(into: "") { $0.append($1) }
            .split(separator: " ").joined(separator: " ")
    }

    /// A coder's own label map: one `label = kind` a line (or `label,kind`, `label<TAB>kind`), `#` comments and
    /// blank lines skipped; the kind is one of the contract's or a name `kind` knows. Throws a one-line reason.
    public static func map(_ text: String) throws(LabelMapError) -> [String: SegmentKind] {
        var map: [String: SegmentKind] = [:]
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let cut = line.firstIndex(where: { $0 == "=" || $0 == "," || $0 == "\t" }) else {
                throw LabelMapError(message: "line \(n + 1): expected LABEL = KIND")
            }
            let label = line[..<cut].trimmingCharacters(in: .whitespaces), target = line[line.index(after: cut)...].trimmingCharacters(in: .whitespaces)
            guard !label.isEmpty, let kind = kind(target) else {
                let shown = FileName.display(String(target.prefix(60))) + (target.count > 60 ? "…" : "")
                throw LabelMapError(message: "line \(n + 1): '\(shown)' is not a kind (transition, instruction, independent, group, unknown)")
            }
            map[key(label)] = kind
        }
        return map
    }

    /// Labels coders use for the contract's kinds.
    static let synonyms: [String: SegmentKind] = {
        var table: [String: SegmentKind] = [:]
        for s in ["arrival", "arriving", "entry", "settle", "settling", "materials", "getting materials", "move", "moving",
                  "movement", "pack up", "packup", "packing up", "line up", "lining up", "unsettled", "between activities",
                  "dismissal", "cleanup", "clean up"] { table[s] = .transition }
        for s in ["direct instruction", "teaching", "teacher talk", "lecture", "whole class", "whole class instruction",
                  "mini lesson", "modelling", "modeling", "demonstration", "explanation"] { table[s] = .instruction }
        for s in ["independent work", "seat work", "seatwork", "individual", "individual work", "solo work",
                  "quiet work", "practice", "independent practice"] { table[s] = .independent }
        for s in ["group work", "small group", "small groups", "pair work", "pairs", "partner work", "collaborative",
                  "cooperative", "discussion", "table work"] { table[s] = .group }
        for s in ["off camera", "no class", "n/a", "none", "not coded", "uncoded"] { table[s] = .unknown }
        return table
    }()
}

/// A label map that cannot be read: one line, with the line it is on.
public struct LabelMapError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
