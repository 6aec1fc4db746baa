import BellworkOutputs
import Bellwork
import Foundation
import MediaIO
import LessonMetrics

/// A batch as one self-contained HTML page in the style of the lesson report: the totals, then each
/// folder's lessons in time order, each with a small timeline of its segments and bell, so a teacher's
/// trend over weeks shows at a glance. Failed lessons are listed with their reason.
public enum SummaryHTML {
    public static func render(rows: [BatchLesson], directory: String) -> String {
        let report = BatchSummary.report(rows)
        let byPath = Dictionary(rows.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        let t = report.totals
        var body = "<header><h1>Bellwork batch summary</h1><p class=\"sub\">\(HTMLReport.esc(directory))</p></header>\n"
        body += "<section class=\"figures\">"
        body += HTMLReport.card("Lessons", "lessons", Double(t.lessons), "\(t.lessons)", "\(t.done) analysed, \(t.failed) failed, \(t.pending) pending" + (t.toCheck > 0 ? ", \(t.toCheck) to check" : ""))
        body += HTMLReport.card("Media analysed", "mediaHoursAnalysed", t.mediaHoursAnalysed, String(format: "%.2f h", t.mediaHoursAnalysed), "of recorded lessons")
        body += HTMLReport.card("Mean time on task", "meanTimeOnTaskPercent", t.meanTimeOnTaskPercent,
                     t.meanTimeOnTaskPercent.map { String(format: "%.1f %%", $0) } ?? "–", "over the analysed lessons not to check")
        body += HTMLReport.card("Mean bell to work", "meanBellToWorkSeconds", t.meanBellToWorkSeconds,
                     t.meanBellToWorkSeconds.map(TimeText.clock) ?? "–", "over lessons with a bell")
        body += "</section>\n"
        body += legend()
        let longest = report.folders.flatMap(\.lessons).compactMap(\.durationSeconds).max() ?? 0
        for group in report.folders {
            body += "<section class=\"group\" data-folder=\"\(HTMLReport.esc(group.folder))\"><h2>\(HTMLReport.esc(group.folder.isEmpty ? "(top folder)" : group.folder))</h2>"
            body += "<table class=\"lessons\"><thead><tr><th>when</th><th>lesson</th><th>length</th><th>bell to work</th><th>time on task</th><th>timeline</th></tr></thead><tbody>\n"
            for lesson in group.lessons {
                let result = byPath[lesson.path]?.resultFile.flatMap { file -> AnalysisResult? in
                    guard let data = FileName.contents(of: file.hasPrefix("/") ? file : directory + "/" + file) else { return nil }
                    return try? ResultJSON.decode(AnalysisResult.self, from: data)
                }
                let when = lesson.time.map(BatchSummary.displayTime) ?? "–"
                let check = lesson.status == "done" && lesson.resultStatus == "check"
                body += "<tr class=\"lesson \(lesson.status)\(check ? " check" : "")\" data-path=\"\(HTMLReport.esc(lesson.path))\" data-status=\"\(lesson.status)\" data-result-status=\"\(HTMLReport.esc(lesson.resultStatus ?? ""))\">"
                body += "<td>\(HTMLReport.esc(when))</td><td>\(link(to: byPath[lesson.path]?.resultFile, in: directory, lesson.name))</td>"
                body += "<td>\(lesson.durationSeconds.map(TimeText.clock) ?? "–")</td>"
                if lesson.status == "failed" {
                    body += "<td colspan=\"3\" class=\"error\">failed: \(HTMLReport.esc(lesson.error ?? "unknown reason"))</td></tr>\n"
                    continue
                }
                body += "<td data-value=\"\(lesson.bellToWorkSeconds.map(HTMLReport.number) ?? "null")\">\(lesson.bellToWorkSeconds.map(TimeText.clock) ?? "–")</td>"
                body += "<td data-value=\"\(lesson.timeOnTaskPercent.map(HTMLReport.number) ?? "null")\">\(lesson.timeOnTaskPercent.map { String(format: "%.1f %%", $0) } ?? "–")</td>"
                var timeline = result.map { miniTimeline($0, width: timelineWidth(lesson.durationSeconds ?? $0.durationSeconds, longest: longest)) } ?? ""
                if check {
                    timeline += "<div class=\"check\">check: " + lesson.warnings.map { HTMLReport.esc(BatchSummary.message(of: $0)) }.joined(separator: "; ") + "</div>"
                }
                body += "<td>\(timeline)</td></tr>\n"
            }
            body += "</tbody></table></section>\n"
        }
        return HTMLReport.page(
            title: "Bellwork batch summary", body: body,
            extraCSS: ".lessons td { vertical-align: middle; } .lessons svg { display: block; } tr.failed td.error { color: #9b1c1c; } tr.check div.check { color: #8a5a00; font-size: 0.9em; }",
            footer: "Times are minutes:seconds. Made by Bellwork \(BellworkVersion.string); the page needs no network.")
    }

    /// The lesson's name, linked to its report (`batch --reports`) when there is one beside its result, else to
    /// the result itself: `file://` addresses of the batch folder, for the machine the page is opened on.
    static func link(to result: String?, in directory: String, _ name: String) -> String {
        guard let result else { return HTMLReport.esc(name) }
        let absolute = result.hasPrefix("/") ? result : (directory as NSString).appendingPathComponent(result)
        let report = BatchRunner.reportFile(for: absolute)
        let target = FileManager.default.fileExists(atPath: report) ? report : absolute
        let href = URL(fileURLWithPath: target).absoluteString
        return "<a href=\"\(HTMLReport.esc(href))\">\(HTMLReport.esc(name))</a>"
    }

    static func legend() -> String {
        // The patterns are defined once, in a hidden SVG, and used by every small timeline.
        "<svg width=\"0\" height=\"0\" style=\"position:absolute\" aria-hidden=\"true\">" + HTMLReport.patterns() + "</svg>" + HTMLReport.legend()
    }

    /// The widest timeline, for the longest lesson; the others in proportion to their length (a 5-minute
    /// clip beside a 45-minute lesson is a short bar, not the same bar), at least `narrowest`.
    static let widest = 300.0, narrowest = 30.0

    static func timelineWidth(_ duration: Double, longest: Double) -> Double {
        guard longest > 0, duration > 0 else { return widest }
        return max(narrowest, (widest * duration / longest).rounded())
    }

    /// A `width` × 22 timeline of one lesson: its segments and its bell.
    static func miniTimeline(_ r: AnalysisResult, width: Double = widest) -> String {
        let height = 22.0
        let duration = max(r.durationSeconds, 0.01)
        var svg = "<svg class=\"mini\" width=\"\(Int(width))\" height=\"\(Int(height + 6))\" viewBox=\"0 0 \(Int(width)) \(Int(height + 6))\" role=\"img\" aria-label=\"timeline\">"
        for s in r.segments where s.end > s.start {
            let x0 = s.start / duration * width, x1 = s.end / duration * width
            svg += "<rect class=\"band \(s.kind.rawValue)\" data-kind=\"\(s.kind.rawValue)\" x=\"\(HTMLReport.f(x0))\" y=\"3\" width=\"\(HTMLReport.f(max(0.5, x1 - x0)))\" height=\"\(Int(height))\" fill=\"url(#p-\(s.kind.rawValue))\"><title>\(s.kind.title) \(TimeText.clock(s.start))–\(TimeText.clock(s.end))</title></rect>"
        }
        if let bell = r.bell {
            let bx = bell.timeSeconds / duration * width
            svg += "<line class=\"bell\" data-time=\"\(HTMLReport.number(bell.timeSeconds))\" x1=\"\(HTMLReport.f(bx))\" y1=\"0\" x2=\"\(HTMLReport.f(bx))\" y2=\"\(Int(height + 6))\"/>"
        }
        return svg + "</svg>"
    }
}
