import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import LessonMetrics
import MediaIO

/// Reads segments and a bell from the files people code lessons in: Bellwork's JSON (a result or a
/// `*.truth.json`), an ELAN document (`.eaf`: one coder's tier of segment kinds and, optionally, a `bell`
/// tier), or a table (CSV or TSV) with start, end and kind columns, BORIS's names for them accepted (a row
/// of kind `bell` gives the bell). Kind names are read as coders write them (`LabelTables.kind`).
public enum SegmentFiles {
    public struct ReadError: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        /// The file could not be opened at all (missing, unreadable, a folder): exit 66, not 65.
        public var cannotOpen = false
        public var description: String { "\(FileName.display(path)): \(reason)" }
    }

    /// Loads `path` as a truth-shaped file; metrics are recomputed by the contract (settle 30 s) for EAF
    /// and CSV, and taken as written for JSON. A file whose times or figures cannot be scored
    /// (`TruthFile.problem`) is refused.
    /// `labels`: a coder's own names for the kinds (`LabelTables.map`), read before the built-in ones.
    public static func load(_ path: String, tier: String? = nil, labels: [String: SegmentKind] = [:]) throws(ReadError) -> TruthFile {
        var info = stat()
        guard FileName.withCString(path, { stat($0, &info) }) == 0 else {
            let reason = errno == ENOENT ? "no such file" : "cannot open: " + String(cString: strerror(errno))
            throw ReadError(path: path, reason: reason, cannotOpen: true)
        }
        guard info.st_mode & S_IFMT == S_IFREG else { throw ReadError(path: path, reason: "not a regular file", cannotOpen: true) }
        guard let data = FileName.contents(of: path) else {
            throw ReadError(path: path, reason: "cannot be read", cannotOpen: true)
        }
        let file: TruthFile
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "eaf": file = try eaf(data, path: path, tier: tier, labels: labels)
        case "csv", "tsv", "txt": file = try csv(data, path: path, fileExtension: URL(fileURLWithPath: path).pathExtension.lowercased(), labels: labels)
        default:
            do { file = try ResultJSON.decode(TruthFile.self, from: data) } catch {
                throw ReadError(path: path, reason: "not a Bellwork result or truth file: \(error)")
            }
        }
        if let problem = file.problem { throw ReadError(path: path, reason: "cannot be scored: " + problem) }
        return file
    }

    static func csv(_ data: Data, path: String, fileExtension: String = "csv", labels: [String: SegmentKind] = [:]) throws(ReadError) -> TruthFile {
        var text = String(decoding: data, as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }          // a spreadsheet's byte-order mark
        let rows = LabelTables.rows(text, delimiter: LabelTables.delimiter(of: text, fileExtension: fileExtension))
        guard let header = rows.first, let si = LabelTables.column(header, LabelTables.startNames),
              let ei = LabelTables.column(header, LabelTables.endNames), let ki = LabelTables.column(header, LabelTables.kindNames)
        else { throw ReadError(path: path, reason: "a table of segments needs start, end and kind columns (or BORIS's Start (s), Stop (s) and Behavior)") }
        var segments: [Segment] = []
        var bell: Bell? = nil
        for (n, cells) in rows.dropFirst().enumerated() {
            guard cells.count > max(si, ei, ki), let start = seconds(cells[si]) else {
                throw ReadError(path: path, reason: "row \(n + 2): expected start, end and kind")
            }
            if cells[ki].trimmingCharacters(in: .whitespaces).lowercased() == "bell" { bell = Bell(timeSeconds: start); continue }
            guard let end = seconds(cells[ei]) else { throw ReadError(path: path, reason: "row \(n + 2): the end is not a time") }
            guard let kind = LabelTables.kind(cells[ki], labels) else {
                throw ReadError(path: path, reason: "row \(n + 2): '\(FileName.display(cells[ki]))' is not a kind (transition, instruction, independent, group, unknown, or a name such as arrival or group work; --labels maps others)")
            }
            segments.append(Segment(start: start, end: end, kind: kind))
        }
        return try truth(segments.sorted { $0.start < $1.start }, bell: bell, path: path)
    }

    static func eaf(_ data: Data, path: String, tier wanted: String? = nil, labels: [String: SegmentKind] = [:]) throws(ReadError) -> TruthFile {
        let reader = try eafReader(data, path: path)
        let tiers = segmentTiers(reader, labels)
        if let wanted, !tiers.contains(wanted) {
            throw ReadError(path: path, reason: "no tier of segments named '\(FileName.display(wanted))' (it has: \(tiers.map(FileName.display).joined(separator: ", ")))")
        }
        // One coder's tier: two coders' segments merged would overlap and score as neither.
        let chosen = wanted ?? tiers.first
        var segments: [Segment] = []
        var bell: Bell? = nil
        for a in reader.annotations {
            guard let t1 = reader.slots[a.ref1], let t2 = reader.slots[a.ref2] else { continue }
            let value = a.value.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            if a.tier.lowercased() == "bell" || value.hasPrefix("bell") {
                if bell == nil { bell = Bell(timeSeconds: Double(t1) / 1000) }
            } else if a.tier == chosen, let kind = LabelTables.kind(value, labels) {
                segments.append(Segment(start: Double(t1) / 1000, end: Double(t2) / 1000, kind: kind))
            }
        }
        return try truth(segments.sorted { $0.start < $1.start }, bell: bell, path: path)
    }

    /// The tiers of an ELAN document that hold segments (an annotation naming a kind), in document order.
    public static func eafTiers(_ path: String, labels: [String: SegmentKind] = [:]) -> [String] {
        guard let data = FileName.contents(of: path), let reader = try? eafReader(data, path: path) else { return [] }
        return segmentTiers(reader, labels)
    }

    private static func eafReader(_ data: Data, path: String) throws(ReadError) -> EAFReader {
        let reader = EAFReader()
        let parser = XMLParser(data: data)
        parser.delegate = reader
        guard parser.parse() else {
            throw ReadError(path: path, reason: "not a readable ELAN document: \(parser.parserError.map { "\($0)" } ?? "XML error")")
        }
        return reader
    }

    private static func segmentTiers(_ reader: EAFReader, _ labels: [String: SegmentKind]) -> [String] {
        var tiers: [String] = []
        for a in reader.annotations where a.tier.lowercased() != "bell" && !tiers.contains(a.tier)
            && LabelTables.kind(a.value.trimmingCharacters(in: .whitespacesAndNewlines), labels) != nil {
            tiers.append(a.tier)
        }
        return tiers
    }

    private static func truth(_ segments: [Segment], bell: Bell?, path: String) throws(ReadError) -> TruthFile {
        guard let last = segments.map(\.end).max() else { throw ReadError(path: path, reason: "holds no segments") }
        // Checked before the metrics are computed from them.
        if let problem = TruthFile.timesProblem(durationSeconds: last, bell: bell, segments: segments) { throw ReadError(path: path, reason: "cannot be scored: " + problem) }
        return TruthFile(durationSeconds: last, bell: bell, segments: segments)
    }

    private static func seconds(_ text: String) -> Double? { TimeText.parseClock(text) }
}

private final class EAFReader: NSObject, XMLParserDelegate {
    struct Annotation { var tier: String; var ref1: String; var ref2: String; var value: String }
    var slots: [String: Int] = [:]
    var annotations: [Annotation] = []
    private var tier = ""
    private var current: Annotation? = nil
    private var inValue = false

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        switch name {
        case "TIME_SLOT":
            if let id = attributes["TIME_SLOT_ID"], let v = attributes["TIME_VALUE"].flatMap(Int.init) { slots[id] = v }
        case "TIER": tier = attributes["TIER_ID"] ?? ""
        case "ALIGNABLE_ANNOTATION":
            current = Annotation(tier: tier, ref1: attributes["TIME_SLOT_REF1"] ?? "", ref2: attributes["TIME_SLOT_REF2"] ?? "", value: "")
        case "ANNOTATION_VALUE": inValue = current != nil
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inValue { current?.value += string }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "ANNOTATION_VALUE" { inValue = false }
        if name == "ALIGNABLE_ANNOTATION", let c = current { annotations.append(c); current = nil }
    }
}
