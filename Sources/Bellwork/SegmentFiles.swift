import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import LessonMetrics
import MediaIO

/// Reads segments and a bell from the files people code lessons in: Bellwork's JSON (a result or a
/// `*.truth.json`), an ELAN document (`.eaf`: a tier of segment kinds and, optionally, a `bell` tier),
/// or CSV with `start,end,kind` columns (a row of kind `bell` gives the bell).
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
    public static func load(_ path: String) throws(ReadError) -> TruthFile {
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
        case "eaf": file = try eaf(data, path: path)
        case "csv": file = try csv(data, path: path)
        default:
            do { file = try ResultJSON.decode(TruthFile.self, from: data) } catch {
                throw ReadError(path: path, reason: "not a Bellwork result or truth file: \(error)")
            }
        }
        if let problem = file.problem { throw ReadError(path: path, reason: "cannot be scored: " + problem) }
        return file
    }

    static func csv(_ data: Data, path: String) throws(ReadError) -> TruthFile {
        let lines = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).map(String.init)
        guard let header = lines.first?.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }),
              let si = header.firstIndex(of: "start"), let ei = header.firstIndex(of: "end"), let ki = header.firstIndex(of: "kind")
        else { throw ReadError(path: path, reason: "a CSV of segments needs start, end and kind columns") }
        var segments: [Segment] = []
        var bell: Bell? = nil
        for (n, line) in lines.dropFirst().enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count > max(si, ei, ki), let start = seconds(cells[si]) else {
                throw ReadError(path: path, reason: "line \(n + 2): expected start, end and kind")
            }
            if cells[ki].lowercased() == "bell" { bell = Bell(timeSeconds: start); continue }
            guard let end = seconds(cells[ei]), let kind = SegmentKind(rawValue: cells[ki].lowercased()) else {
                throw ReadError(path: path, reason: "line \(n + 2): unknown kind or time")
            }
            segments.append(Segment(start: start, end: end, kind: kind))
        }
        return try truth(segments, bell: bell, path: path)
    }

    static func eaf(_ data: Data, path: String) throws(ReadError) -> TruthFile {
        let reader = EAFReader()
        let parser = XMLParser(data: data)
        parser.delegate = reader
        guard parser.parse() else {
            throw ReadError(path: path, reason: "not a readable ELAN document: \(parser.parserError.map { "\($0)" } ?? "XML error")")
        }
        var segments: [Segment] = []
        var bell: Bell? = nil
        for a in reader.annotations {
            guard let t1 = reader.slots[a.ref1], let t2 = reader.slots[a.ref2] else { continue }
            let value = a.value.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            if a.tier.lowercased() == "bell" || value.hasPrefix("bell") {
                if bell == nil { bell = Bell(timeSeconds: Double(t1) / 1000) }
            } else if let kind = SegmentKind(rawValue: value) {
                segments.append(Segment(start: Double(t1) / 1000, end: Double(t2) / 1000, kind: kind))
            }
        }
        return try truth(segments.sorted { $0.start < $1.start }, bell: bell, path: path)
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
