import Foundation
import Testing

/// The lesson report checked from the browser's side: headless Chromium loads the page, a probe script
/// measures what was drawn, and the DOM comes back with the measurements.
@Suite struct HTMLReportTests {
    static let probe = """
    <script>
    (function () {
      const svg = document.getElementById('timeline');
      const left = parseFloat(svg.dataset.left), width = parseFloat(svg.dataset.width), duration = parseFloat(svg.dataset.duration);
      const bands = Array.from(svg.querySelectorAll('rect.band')).map(r => {
        const b = r.getBBox();
        return { kind: r.dataset.kind, start: parseFloat(r.dataset.start), end: parseFloat(r.dataset.end), x: b.x, w: b.width,
                 fill: getComputedStyle(r).fill };
      });
      const bellLine = document.querySelector('#bell-marker line');
      const bell = bellLine ? { time: parseFloat(document.getElementById('bell-marker').dataset.time), x: bellLine.getBBox().x } : null;
      const metrics = {};
      document.querySelectorAll('[data-metric]').forEach(e => metrics[e.dataset.metric] = { value: e.dataset.value, text: e.textContent.trim() });
      const out = { left, width, duration, bands, bell, metrics, rows: document.querySelectorAll('#segments tbody tr').length,
                    external: Array.from(document.querySelectorAll('[src],link[href]')).length };
      const pre = document.createElement('pre'); pre.id = 'probe'; pre.textContent = JSON.stringify(out);
      document.body.appendChild(pre);
    })();
    </script>
    """

    struct Probe: Decodable {
        struct Band: Decodable { let kind: String; let start: Double; let end: Double; let x: Double; let w: Double; let fill: String }
        struct BellMark: Decodable { let time: Double; let x: Double }
        struct Metric: Decodable { let value: String; let text: String }
        let left: Double, width: Double, duration: Double
        let bands: [Band]
        let bell: BellMark?
        let metrics: [String: Metric]
        let rows: Int
        let external: Int
    }

    func load(_ lesson: String, extra: [String] = []) throws -> (Probe, [String: Any], String) {
        let dir = try CLI.tempDir()
        let html = dir.appendingPathComponent("report.html").path
        #expect(try CLI.run(["analyze", lesson, "--format", "html", "--output", html, "--quiet"] + extra).status == 0)
        let json = try CLI.run(["analyze", lesson, "--format", "json", "--quiet"] + extra)
        let doc = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        var page = try String(contentsOfFile: html, encoding: .utf8)
        page = page.replacingOccurrences(of: "</body>", with: Self.probe + "</body>")
        let probed = dir.appendingPathComponent("probed.html").path
        try page.write(toFile: probed, atomically: true, encoding: .utf8)
        let browser = try CLI.run(["chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0",
                                   "--virtual-time-budget=5000", "--dump-dom", "file://" + probed], executable: "/usr/bin/env")
        #expect(browser.status == 0)
        // The page's own console: Chromium prints page messages as CONSOLE lines; none may be errors.
        let consoleErrors = browser.stderrLines.filter { $0.contains("CONSOLE") || $0.contains("Uncaught") }
        #expect(consoleErrors.isEmpty, "\(consoleErrors)")
        guard let start = browser.stdout.range(of: "<pre id=\"probe\">"), let end = browser.stdout.range(of: "</pre>", range: start.upperBound..<browser.stdout.endIndex) else {
            throw CLIError("the probe did not run: \(browser.stderr.suffix(500))")
        }
        let text = String(browser.stdout[start.upperBound..<end.lowerBound]).replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
        return (try JSONDecoder().decode(Probe.self, from: Data(text.utf8)), doc, page)
    }

    @Test func sampleLessonReport() throws {
        // The bell as the truth has it (given), so this test is about drawing, not detection.
        let truth = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: CLI.repoRoot.appendingPathComponent("Fixtures/sample-lesson.truth.json").path))) as! [String: Any]
        let truthBell = ((truth["bell"] as! [String: Any])["timeSeconds"] as! NSNumber).doubleValue
        let (probe, doc, page) = try load(Lessons.sample, extra: ["--bell", String(truthBell)])
        let segments = doc["segments"] as! [[String: Any]]
        #expect(probe.bands.count == segments.count)
        #expect(probe.rows == segments.count)
        #expect(probe.external == 0)
        #expect(!page.contains("http://") || page.contains("xmlns"))
        for (band, seg) in zip(probe.bands, segments) {
            #expect(band.kind == seg["kind"] as? String)
            let x0 = probe.left + (seg["start"] as! Double) / probe.duration * probe.width
            #expect(abs(band.x - x0) < 0.5)
            #expect(band.fill.contains("url"))  // drawn with its pattern, readable without colour
        }
        let bell = try #require(doc["bell"] as? [String: Any], "the sample lesson has a bell")
        let t = bell["timeSeconds"] as! Double
        let mark = try #require(probe.bell)
        #expect(mark.time == t)
        let expectedX = probe.left + t / probe.duration * probe.width
        // getBBox is the geometry (stroke excluded): the line's x.
        #expect(abs(mark.x - expectedX) < 0.5, "bell drawn at \(mark.x), expected \(expectedX)")

        let metrics = doc["metrics"] as! [String: Any]
        for key in ["timeOnTaskPercent", "bellToWorkSeconds", "transitionCount", "transitionSeconds", "longestTransitionSeconds", "classSeconds"] {
            let shown = try #require(probe.metrics[key], "\(key) is on the page")
            let expected = (metrics[key] as? NSNumber)?.doubleValue
            #expect(Double(shown.value) == expected, "\(key): page \(shown.value), JSON \(String(describing: expected))")
        }
        #expect(probe.metrics["timeOnTaskPercent"]!.text == String(format: "%.1f %%", (metrics["timeOnTaskPercent"] as! NSNumber).doubleValue))
    }

    @Test func noBellMeansNoMarker() throws {
        let (probe, doc, _) = try load(Lessons.sample, extra: ["--no-bell"])
        #expect(probe.bell == nil)
        #expect(doc["bell"] is NSNull)
        #expect(probe.metrics["bellToWorkSeconds"]?.value == "null")
    }
}
