@testable import Bellwork
@testable import BellworkBatch
import Foundation
import Testing

/// summary.csv and the report of `bellwork summary`, from rows alone.
struct BatchSummaryTests {
    @Test func summaryCSVQuotesAndDisarmsFormulas() {
        var row = BatchLesson(path: "/up/=HYPERLINK(\"x\"),b.mp4", relativePath: "t/=HYPERLINK(\"x\"),b.mp4")
        row.status = .failed
        row.error = "not a recording, sorry"
        let csv = BatchSummary.csv([row])
        let line = csv.split(separator: "\n")[1]
        #expect(line.hasPrefix("\"/up/=HYPERLINK(\"\"x\"\"),b.mp4\",t,"))
        #expect(line.hasSuffix(",failed,0,,\"not a recording, sorry\",,"))
        #expect(BatchSummary.csv([BatchLesson(path: "=cmd", relativePath: "=cmd")]).contains("\n'=cmd,"))
    }

    /// Each folder's lessons in time order: the recording's creation time, else the file's modification time.
    @Test func reportGroupsByFolderInTimeOrder() {
        func row(_ relative: String, created: String?, mtime: Double, status: BatchLesson.Status = .done,
                 onTask: Double? = 80, latency: Double? = 60, duration: Double = 1800) -> BatchLesson {
            var r = BatchLesson(path: "/up/" + relative, relativePath: relative)
            r.creationTime = created
            r.mtime = mtime
            r.status = status
            if status == .done {
                r.timeOnTaskPercent = onTask
                r.bellToWorkSeconds = latency
                r.durationSeconds = duration
            }
            return r
        }
        let week = 7 * 86_400.0
        let base = 1_700_000_000.0
        let rows = [
            row("smith/c.mp4", created: nil, mtime: base + 2 * week, onTask: 90, latency: 30),
            row("smith/a.mp4", created: "2023-11-14T08:00:00Z", mtime: base + 3 * week, onTask: 70, latency: 120),
            row("smith/b.mp4", created: "2023-11-21T08:00:00Z", mtime: base, onTask: 80, latency: 60),
            row("jones/x.mp4", created: nil, mtime: base, status: .failed),
            row("jones/notes.txt", created: nil, mtime: base, status: .ignored),
            row("top.mp4", created: nil, mtime: base, status: .pending),
        ]
        let report = BatchSummary.report(rows)
        #expect(report.totals.lessons == 5 && report.totals.done == 3 && report.totals.failed == 1 && report.totals.pending == 1)
        #expect(report.totals.ignoredFiles == 1)
        #expect(report.totals.mediaHoursAnalysed == 1.5)
        #expect(report.totals.meanTimeOnTaskPercent == 80)
        #expect(report.totals.meanBellToWorkSeconds == 70)
        #expect(report.folders.map(\.folder) == ["", "jones", "smith"])
        let smith = report.folders[2]
        #expect(smith.lessons.map(\.name) == ["a.mp4", "b.mp4", "c.mp4"])
        #expect(smith.lessons.map(\.bellToWorkSeconds) == [120, 60, 30])
        #expect(report.folders[1].lessons.map(\.name) == ["x.mp4"])

        let table = BatchSummary.table(report)
        #expect(table.hasPrefix("5 lessons: 3 analysed, 1 failed, 1 pending; 1 other files ignored\n"))
        #expect(table.contains("smith — 3 of 3 analysed, mean time-on-task 80.0 %, mean bell-to-work 1:10"))
        let csv = BatchSummary.reportCSV(report).split(separator: "\n")
        #expect(csv.count == 6)
        #expect(csv[3].hasPrefix("smith,2023-11-14T08:00:00Z,a.mp4,1800.00,120.00,70.00,"))
    }

    /// A lesson whose result says to check its figures is shown so, with its warning, and left out of the means.
    @Test func lessonsToCheckAreShownAndLeftOutOfTheMeans() {
        func row(_ name: String, onTask: Double, status: String, warnings: String?) -> BatchLesson {
            var r = BatchLesson(path: "/up/t/" + name, relativePath: "t/" + name)
            r.status = .done
            r.timeOnTaskPercent = onTask
            r.durationSeconds = 1800
            r.resultStatus = status
            r.warnings = warnings
            return r
        }
        let rows = [row("a.mp4", onTask: 80, status: "ok", warnings: nil),
                    row("cut.mp4", onTask: 100, status: "check",
                        warnings: "truncated: the file ends early: 24 s of 170 s could be read\nno-bell-found: no bell was found")]
        let report = BatchSummary.report(rows)
        #expect(report.totals.toCheck == 1 && report.totals.meanTimeOnTaskPercent == 80)
        let table = BatchSummary.table(report)
        #expect(table.hasPrefix("2 lessons: 2 analysed, 0 failed, 0 pending; 1 to check (left out of the means)\n"), "\(table)")
        #expect(table.contains("check: the file ends early: 24 s of 170 s could be read"), "\(table)")
        let csv = BatchSummary.csv(rows).split(separator: "\n")
        #expect(csv[0].hasSuffix(",resultStatus,warnings"))
        #expect(csv[2].hasSuffix(",check,truncated: the file ends early: 24 s of 170 s could be read | no-bell-found: no bell was found"))
        let page = SummaryHTML.render(rows: rows, directory: "/batch")
        #expect(page.contains("data-result-status=\"check\"") && page.contains("check: the file ends early"))
    }

    @Test func timesShowTheirZone() {
        #expect(BatchSummary.displayTime("2023-11-14T08:00:00Z") == "2023-11-14 08:00 UTC")
        #expect(BatchSummary.displayTime("2023-11-14T08:00:00.000000Z") == "2023-11-14 08:00 UTC")
        #expect(BatchSummary.displayTime("2023-11-14T08:00:00+01:00") == "2023-11-14 08:00 +01:00")
        #expect(BatchSummary.displayTime("2023-11-14T08:00:00-05:00") == "2023-11-14 08:00 -05:00")
        #expect(BatchSummary.displayTime("2023-11-14T08:00") == "2023-11-14 08:00")
    }

    /// The summary page's timelines are as long as their lessons, the longest 300 pixels wide.
    @Test func timelinesAreAsLongAsTheirLessons() {
        #expect(SummaryHTML.timelineWidth(2700, longest: 2700) == 300)
        #expect(SummaryHTML.timelineWidth(900, longest: 2700) == 100)
        #expect(SummaryHTML.timelineWidth(60, longest: 2700) == 30)
        #expect(SummaryHTML.timelineWidth(600, longest: 0) == 300)
    }
}
