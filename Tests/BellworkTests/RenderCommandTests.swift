import Foundation
import Testing

/// `bellwork render`: any saved result in every format, without the recording, as `analyze` writes it.
@Suite struct RenderCommandTests {
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
    }
}
