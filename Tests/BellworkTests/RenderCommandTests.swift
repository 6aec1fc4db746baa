import Foundation
import Testing

/// `bellwork render`: any saved result in every format, without the recording, as `analyze` writes it.
@Suite struct RenderCommandTests {
    /// The sample lesson analysed into `dir` (with --signals, or without as plain.json): its path and the result's.
    static func savedSample(in dir: URL, signals: Bool = true) throws -> (lesson: String, saved: String) {
        let lesson = CLI.repoRoot.appendingPathComponent("Fixtures/sample-lesson.mp4").path
        let saved = dir.appendingPathComponent(signals ? "lesson.json" : "plain.json").path
        let run = try CLI.run(["analyze", lesson, "--format", "json", "--output", saved, "--quiet"] + (signals ? ["--signals"] : []))
        #expect(run.status == 0, "\(run.stderr)")
        return (lesson, saved)
    }

    /// The report says why: the transition score under the timeline with its threshold (the one in the result's
    /// settings), above it in the middle of each transition and below it in the middle of each stretch on task;
    /// the same from a result saved with --signals, and no score row from one saved without.
    @Test func theReportDrawsTheScoreAndItsThreshold() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (lesson, saved) = try Self.savedSample(in: dir)
        let doc = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: saved))) as? [String: Any])
        let threshold = try #require(((doc["settings"] as? [String: Any])?["segmenter"] as? [String: Any])?["transitionThreshold"] as? Double)
        let signals = try #require(doc["signals"] as? [String: Any])
        #expect(signals["transitionThreshold"] as? Double == threshold)
        #expect((signals["transitionScore"] as? [Any])?.count == (signals["motion"] as? [Any])?.count)
        let direct = try CLI.run(["analyze", lesson, "--format", "html", "--quiet"])
        let rendered = try CLI.run(["render", saved, "--format", "html"])
        for page in [direct.stdout, rendered.stdout] {
            func attribute(_ name: String, of id: String) throws -> String {
                let tag = try #require(page.range(of: "id=\"\(id)\"").map { page[$0.lowerBound...].prefix { $0 != ">" } })
                let value = try #require(tag.range(of: "\(name)=\"").map { tag[$0.upperBound...].prefix { $0 != "\"" } })
                return String(value)
            }
            #expect(abs((Double(try attribute("data-threshold", of: "score-threshold")) ?? 0) - threshold) <= 0.005)   // as the page writes numbers
            let lineY = try #require(Double(try attribute("y1", of: "score-threshold")))
            let points = try attribute("points", of: "score-curve").split(separator: " ").compactMap { p -> (Double, Double)? in
                let xy = p.split(separator: ",").compactMap { Double($0) }
                return xy.count == 2 ? (xy[0], xy[1]) : nil
            }
            let left = try #require(Double(try attribute("data-left", of: "timeline")))
            let width = try #require(Double(try attribute("data-width", of: "timeline")))
            let duration = try #require(Double(try attribute("data-duration", of: "timeline")))
            for segment in try #require(doc["segments"] as? [[String: Any]]) {
                let (start, end) = (segment["start"] as! Double, segment["end"] as! Double)
                let x = left + (start + end) / 2 / duration * width
                let nearest = try #require(points.min { abs($0.0 - x) < abs($1.0 - x) })
                let kind = segment["kind"] as! String
                if kind == "transition" { #expect(nearest.1 < lineY, "\(segment): score under the threshold") }
                if ["instruction", "independent", "group"].contains(kind) { #expect(nearest.1 > lineY, "\(segment): score over the threshold") }
            }
            #expect(page.contains("swatch threshold"))
        }
        let plain = try Self.savedSample(in: dir, signals: false).saved
        let bare = try CLI.run(["render", plain, "--format", "html"])
        #expect(bare.status == 0 && !bare.stdout.contains("score-curve") && !bare.stdout.contains("swatch threshold"))
    }

    /// Each segment of the report has a reason in words, drawn from what moved and how the room sounded: on the
    /// sample lesson every transition is the room moving across the picture with many voices, every stretch of
    /// instruction one voice with hardly any movement; the same from a result saved with --signals, and no
    /// reasons from one saved without (there is nothing to draw them from).
    @Test func theReportGivesEachSegmentAReason() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (lesson, saved) = try Self.savedSample(in: dir)
        let direct = try CLI.run(["analyze", lesson, "--format", "html", "--quiet"])
        let rendered = try CLI.run(["render", saved, "--format", "html"])
        func reasons(_ page: String) -> [(kind: String, why: String)] {
            page.split(separator: "\n").compactMap { line -> (String, String)? in
                guard line.hasPrefix("<tr data-start="), let kind = line.range(of: "data-kind=\""),
                      let why = line.range(of: "<td class=\"why\">") else { return nil }
                return (String(line[kind.upperBound...].prefix { $0 != "\"" }), String(line[why.upperBound...].prefix { $0 != "<" }))
            }
        }
        let found = reasons(direct.stdout)
        let doc = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: saved))) as? [String: Any])
        #expect(found.count == (doc["segments"] as? [Any])?.count)
        #expect(found.contains { $0.kind == "transition" } && found.contains { $0.kind == "instruction" })
        for (kind, why) in found {
            if kind == "transition" { #expect(why.contains("room moving, across the picture") && why.contains("many voices"), "\(why)") }
            if kind == "instruction" { #expect(why == "hardly any movement; one voice rising and falling", "\(why)") }
        }
        #expect(reasons(rendered.stdout).map { "\($0.kind) \($0.why)" } == found.map { "\($0.kind) \($0.why)" })
        let plain = try Self.savedSample(in: dir, signals: false).saved
        let bare = try CLI.run(["render", plain, "--format", "html"])
        #expect(bare.status == 0 && reasons(bare.stdout).isEmpty && !bare.stdout.contains("<th>why</th>"))
    }

    @Test func aSavedResultRendersAsAnalyzeWouldHaveWrittenIt() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let lesson = CLI.repoRoot.appendingPathComponent("Fixtures/lessons/typical_start.mp4").path
        let saved = dir.appendingPathComponent("lesson.json").path
        let analysed = try CLI.run(["analyze", lesson, "--format", "json", "--signals", "--output", saved, "--quiet"])
        #expect(analysed.status == 0, "\(analysed.stderr)")
        for format in ["table", "csv", "vtt", "eaf", "json"] {
            let direct = try CLI.run(["analyze", lesson, "--format", format, "--signals", "--quiet"])
            let rendered = try CLI.run(["render", saved, "--format", format])
            #expect(rendered.status == 0, "\(format): \(rendered.stderr)")
            // The EAF document carries the time it was written.
            func stable(_ text: String) -> String {
                text.split(separator: "\n").map { $0.replacingOccurrences(of: #"DATE="[^"]*""#, with: "", options: .regularExpression) }
                    .joined(separator: "\n")
            }
            #expect(stable(rendered.stdout) == stable(direct.stdout), "\(format) differs")
        }
        let page = dir.appendingPathComponent("lesson.html").path
        let html = try CLI.run(["render", saved, "-o", page])
        #expect(html.status == 0, "\(html.stderr)")
        let text = try String(contentsOfFile: page, encoding: .utf8)
        #expect(text.contains("data-metric=\"timeOnTaskPercent\"") && text.contains("<polyline id=\"motion-curve\""))
    }

    @Test func whatIsNotAResultIsOneLine() throws {
        let missing = try CLI.run(["render", "/nonexistent/lesson.json"])
        #expect(missing.status == 66 && missing.stderrLines == ["bellwork: /nonexistent/lesson.json: no such file"], "\(missing.stderr)")
        let media = CLI.repoRoot.appendingPathComponent("Fixtures/lessons/typical_start.mp4").path
        let notJSON = try CLI.run(["render", media])
        #expect(notJSON.status == 65 && notJSON.stderrLines.count == 1, "\(notJSON.stderr)")
        // A result edited by hand with times no lesson has: one line, not a trap (found by mutating results).
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let saved = dir.appendingPathComponent("r.json").path
        #expect(try CLI.run(["analyze", media, "--format", "json", "-o", saved, "--quiet"]).status == 0)
        let doc = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: saved))) as? [String: Any])
        for (key, value) in [("durationSeconds", 1e308), ("bell", ["timeSeconds": 1e300, "source": "given"])] as [(String, Any)] {
            var damaged = doc
            damaged[key] = value
            try JSONSerialization.data(withJSONObject: damaged).write(to: URL(fileURLWithPath: saved))
            for format in ["html", "table", "csv"] {
                let out = try CLI.run(["render", saved, "--format", format])
                #expect(out.status == 65 && out.stderrLines.count == 1 && out.stderr.contains("a damaged result"), "\(key) \(format): \(out.stderr)")
            }
        }
        // Signals edited to a step no analysis has (the report's reasons divide times by it), and reasons' series
        // shorter than the lesson: one line for the first, a report for the second.
        let (_, withSignals) = try Self.savedSample(in: dir)
        var signalled = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: withSignals))) as? [String: Any])
        var signals = try #require(signalled["signals"] as? [String: Any])
        signals["stepSeconds"] = 1e-300
        signalled["signals"] = signals
        try JSONSerialization.data(withJSONObject: signalled).write(to: URL(fileURLWithPath: saved))
        let tiny = try CLI.run(["render", saved, "--format", "html"])
        #expect(tiny.status == 65 && tiny.stderrLines.count == 1 && tiny.stderr.contains("a damaged result"), "\(tiny.stderr)")
        signals["stepSeconds"] = 0.5
        signals["movingShare"] = [1e308, NSNull(), 0.1]
        signalled["signals"] = signals
        try JSONSerialization.data(withJSONObject: signalled).write(to: URL(fileURLWithPath: saved))
        let short = try CLI.run(["render", saved, "--format", "html"])
        #expect(short.status == 0 && short.stdout.contains("<td class=\"why\">"), "\(short.stderr)")
    }
}
