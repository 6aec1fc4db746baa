import Bellwork
import Foundation
import MediaIO
import LessonMetrics

/// The forms a result is written in: the contract's JSON, and the tools people already use.
public enum OutputFormat: String, CaseIterable, Sendable {
    /// A short human summary: the figures with units, the segment list with `m:ss` times.
    case table
    /// The contract's JSON.
    case json
    /// One row per segment, for spreadsheets.
    case csv
    /// WebVTT chapters, so the segments show in a video player beside the lesson.
    case vtt
    /// An ELAN annotation document: a tier of segments and a tier for the bell.
    case eaf
    /// One self-contained HTML page: figures, timeline with the bell and curves, segment table.
    case html

    public func render(_ analysis: LessonAnalysis) throws -> String {
        switch self {
        case .table: return TableFormat.render(analysis)
        case .json: return String(decoding: try ResultJSON.encode(analysis.result), as: UTF8.self)
        case .csv: return CSVFormat.render(analysis.result)
        case .vtt: return VTTFormat.render(analysis.result)
        case .eaf: return EAFFormat.render(analysis.result)
        case .html: return HTMLReport.render(analysis)
        }
    }
}

extension SegmentKind {
    /// The kind as a person reads it.
    public var title: String {
        switch self {
        case .transition: return "Transition"
        case .instruction: return "Instruction"
        case .independent: return "Independent work"
        case .group: return "Group work"
        case .unknown: return "Unknown (no usable signal)"
        }
    }
}

enum TableFormat {
    static func render(_ analysis: LessonAnalysis) -> String {
        let r = analysis.result
        let m = r.metrics
        var out: [String] = []
        var facts: [String] = [TimeText.clock(r.durationSeconds)]
        if let v = r.input.video { facts.append("\(v.codec) \(v.width)x\(v.height)") }
        if let a = r.input.audio { facts.append("\(a.codec) \(a.sampleRate) Hz") }
        out.append("Lesson        \(FileName.display(r.input.path)) (\(facts.joined(separator: ", ")))")
        if let bell = r.bell {
            var detail = bell.source?.rawValue ?? "given"
            if let c = bell.confidence, bell.source == .detected { detail += String(format: ", confidence %.2f", c) }
            out.append("Bell          \(TimeText.clock(bell.timeSeconds)) (\(detail))")
        } else if r.warnings.contains(where: { $0.code == "no-bell-found" }) {
            out.append("Bell          no bell found: the class window is the whole recording")
        } else {
            out.append("Bell          none (as asked): the class window is the whole recording")
        }
        if !r.bellCandidates.isEmpty {
            out.append("Bell sounds   " + r.bellCandidates.map {
                String(format: "%@ (%.2f%@)", TimeText.clock($0.timeSeconds), $0.confidence, $0.kind.map { ", " + $0 } ?? "")
            }.joined(separator: ", "))
        }
        out.append("Class         \(TimeText.clock(m.classStartSeconds))–\(TimeText.clock(m.classEndSeconds)) (\(TimeText.clock(m.classSeconds)))")
        out.append(String(format: "Time on task  %.1f %% (%@ of %@)", m.timeOnTaskPercent,
                          TimeText.clock(m.onTaskSeconds), TimeText.clock(m.classSeconds)))
        if let latency = m.bellToWorkSeconds {
            out.append("Bell to work  \(TimeText.clock(latency)) (settled for \(Int(r.settings.settleSeconds)) s)")
        } else {
            out.append("Bell to work  – (no bell)")
        }
        out.append("Transitions   \(m.transitionCount), total \(TimeText.clock(m.transitionSeconds)), "
                   + "mean \(TimeText.clock(m.meanTransitionSeconds)), longest \(TimeText.clock(m.longestTransitionSeconds))")
        out.append("")
        out.append("start    end      length   kind                         confidence")
        for s in r.segments {
            out.append(pad(TimeText.clock(s.start), 9) + pad(TimeText.clock(s.end), 9) + pad(TimeText.clock(s.duration), 9)
                       + pad(s.kind.title, 29) + String(format: "%.2f", s.confidence ?? 0))
        }
        for w in analysis.warnings { out.append("warning: \(w.message)") }
        return out.joined(separator: "\n") + "\n"
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
    }
}

enum CSVFormat {
    static let header = "start,end,durationSeconds,kind,confidence,startClock,endClock"

    static func render(_ r: AnalysisResult) -> String {
        var lines = [header]
        // The bell as a row of its own (kind `bell`, start = end), so the table holds everything the figures
        // come from and `bellwork score` reads it back.
        if let bell = r.bell {
            lines.append([number(bell.timeSeconds), number(bell.timeSeconds), number(0), "bell",
                          String(format: "%.2f", bell.confidence ?? 1), TimeText.clock(bell.timeSeconds), TimeText.clock(bell.timeSeconds)]
                .joined(separator: ","))
        }
        for s in r.segments {
            lines.append([number(s.start), number(s.end), number(s.duration), s.kind.rawValue,
                          String(format: "%.2f", s.confidence ?? 0), TimeText.clock(s.start), TimeText.clock(s.end)]
                .joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func number(_ x: Double) -> String { String(format: "%.2f", x) }
}

enum VTTFormat {
    static func render(_ r: AnalysisResult) -> String {
        // The name is escaped (`FileName.display`): a newline in it would start cues of its own.
        let name = FileName.display(URL(fileURLWithPath: r.input.path).lastPathComponent).replacingOccurrences(of: "-->", with: "->")
        var out = "WEBVTT - Bellwork segments of \(name)\n\n"
        if let bell = r.bell {
            out += "NOTE\nThe bell rang at \(TimeText.clock(bell.timeSeconds)) (\(bell.source?.rawValue ?? "given")).\n\n"
        }
        for (i, s) in r.segments.enumerated() where s.end > s.start {
            var title = s.kind.title
            if let bell = r.bell, bell.timeSeconds >= s.start, bell.timeSeconds < s.end { title += " · bell at \(TimeText.clock(bell.timeSeconds))" }
            out += "\(i + 1)\n\(timestamp(s.start)) --> \(timestamp(s.end))\n\(title)\n\n"
        }
        return out
    }

    static func timestamp(_ seconds: Double) -> String {
        let ms = Int((seconds * 1000).rounded())
        return String(format: "%02d:%02d:%02d.%03d", ms / 3_600_000, (ms / 60_000) % 60, (ms / 1000) % 60, ms % 1000)
    }
}

enum EAFFormat {
    /// A `file://` URL of the name's bytes (a name that is not UTF-8 keeps its bytes: `%E7`).
    static func fileURL(_ path: String) -> String {
        let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/".utf8)
        return "file://" + FileName.bytes(path).map { unreserved.contains($0) ? String(UnicodeScalar($0)) : String(format: "%%%02X", $0) }.joined()
    }

    static func render(_ r: AnalysisResult) -> String {
        var slots: [Int] = []
        func slot(_ seconds: Double) -> String {
            slots.append(Int((seconds * 1000).rounded()))
            return "ts\(slots.count)"
        }
        var segmentAnnotations = ""
        var id = 0
        for s in r.segments where s.end > s.start {
            id += 1
            let a = slot(s.start), b = slot(s.end)
            segmentAnnotations += """
                    <ANNOTATION>
                        <ALIGNABLE_ANNOTATION ANNOTATION_ID="a\(id)" TIME_SLOT_REF1="\(a)" TIME_SLOT_REF2="\(b)">
                            <ANNOTATION_VALUE>\(s.kind.rawValue)</ANNOTATION_VALUE>
                        </ALIGNABLE_ANNOTATION>
                    </ANNOTATION>

            """
        }
        var bellAnnotation = ""
        if let bell = r.bell {
            id += 1
            // ELAN annotations are intervals: the bell is marked by its first second.
            let a = slot(bell.timeSeconds), b = slot(min(max(r.durationSeconds, bell.timeSeconds + 0.01), bell.timeSeconds + 1))
            bellAnnotation = """
                    <ANNOTATION>
                        <ALIGNABLE_ANNOTATION ANNOTATION_ID="a\(id)" TIME_SLOT_REF1="\(a)" TIME_SLOT_REF2="\(b)">
                            <ANNOTATION_VALUE>bell (\(bell.source?.rawValue ?? "given"))</ANNOTATION_VALUE>
                        </ALIGNABLE_ANNOTATION>
                    </ANNOTATION>

            """
        }
        let media = URL(fileURLWithPath: r.input.path).standardizedFileURL
        let mime = r.input.video == nil ? "audio/x-wav" : (media.pathExtension.lowercased() == "mov" ? "video/quicktime" : "video/mp4")
        let date = ISO8601DateFormatter().string(from: Date())
        let timeSlots = slots.enumerated().map { "        <TIME_SLOT TIME_SLOT_ID=\"ts\($0.offset + 1)\" TIME_VALUE=\"\($0.element)\"/>" }
            .joined(separator: "\n")
        return """
        <?xml version="1.0" encoding="UTF-8"?>
        <ANNOTATION_DOCUMENT AUTHOR="bellwork \(BellworkVersion.string)" DATE="\(date)" FORMAT="3.0" VERSION="3.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="http://www.mpi.nl/tools/elan/EAFv3.0.xsd">
            <HEADER MEDIA_FILE="" TIME_UNITS="milliseconds">
                <MEDIA_DESCRIPTOR MEDIA_URL="\(HTMLReport.esc(fileURL(media.path)))" MIME_TYPE="\(mime)" RELATIVE_MEDIA_URL="./\(HTMLReport.esc(media.lastPathComponent))"/>
                <PROPERTY NAME="lastUsedAnnotationId">\(id)</PROPERTY>
            </HEADER>
            <TIME_ORDER>
        \(timeSlots)
            </TIME_ORDER>
            <TIER LINGUISTIC_TYPE_REF="segment" TIER_ID="segments">
        \(segmentAnnotations)    </TIER>
            <TIER LINGUISTIC_TYPE_REF="segment" TIER_ID="bell">
        \(bellAnnotation)    </TIER>
            <LINGUISTIC_TYPE GRAPHIC_REFERENCES="false" LINGUISTIC_TYPE_ID="segment" TIME_ALIGNABLE="true"/>
        </ANNOTATION_DOCUMENT>

        """
    }
}
