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
        // Self-contained: the only addresses in the page are XML namespace names, never fetched.
        #expect(page.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").contains("http") == false)
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

/// The batch summary page, from the browser's side.
@Suite struct SummaryHTMLTests {
    static let probe = """
    <script>
    (function () {
      const groups = Array.from(document.querySelectorAll('section.group')).map(g => ({
        folder: g.dataset.folder,
        lessons: Array.from(g.querySelectorAll('tr.lesson')).map(r => ({ path: r.dataset.path, status: r.dataset.status,
          bands: Array.from(r.querySelectorAll('rect.band')).map(b => b.dataset.kind),
          bells: r.querySelectorAll('line.bell').length,
          widths: Array.from(r.querySelectorAll('rect.band')).reduce((a, b) => a + b.getBBox().width, 0) }))
      }));
      const pre = document.createElement('pre'); pre.id = 'probe';
      pre.textContent = JSON.stringify({ groups, lessons: document.querySelector('[data-metric=lessons]').dataset.value });
      document.body.appendChild(pre);
    })();
    </script>
    """

    struct Probe: Decodable {
        struct Lesson: Decodable { let path: String; let status: String; let bands: [String]; let bells: Int; let widths: Double }
        struct Group: Decodable { let folder: String; let lessons: [Lesson] }
        let groups: [Group]
        let lessons: String
    }

    @Test func batchSummaryPage() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let uploads = dir.appendingPathComponent("uploads"), out = dir.appendingPathComponent("batch")
        let iphone = CLI.repoRoot.appendingPathComponent("Fixtures/media/jsonize__iphone_rotated_iPhone4S.mov").path
        for (folder, name) in [("teacher-a", "monday.mov"), ("teacher-a", "tuesday.mov"), ("teacher-b", "monday.mov")] {
            let d = uploads.appendingPathComponent(folder)
            try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: iphone, toPath: d.appendingPathComponent(name).path)
        }
        try "not a lesson".write(to: uploads.appendingPathComponent("teacher-b/broken.mp4"), atomically: true, encoding: .utf8)
        let batch = try CLI.run(["batch", uploads.path, "--out", out.path, "--settle-age", "0"])
        #expect(batch.status == 3, "\(batch.stderr)")  // one lesson failed
        let summary = try CLI.run(["summary", out.path, "--format", "html"])
        #expect(summary.status == 0)
        let page = summary.stdout.replacingOccurrences(of: "</body>", with: Self.probe + "</body>")
        let file = dir.appendingPathComponent("summary.html").path
        try page.write(toFile: file, atomically: true, encoding: .utf8)
        let browser = try CLI.run(["chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0",
                                   "--dump-dom", "file://" + file], executable: "/usr/bin/env")
        #expect(browser.stderrLines.filter { $0.contains("CONSOLE") }.isEmpty)
        let start = try #require(browser.stdout.range(of: "<pre id=\"probe\">"))
        let end = try #require(browser.stdout.range(of: "</pre>", range: start.upperBound..<browser.stdout.endIndex))
        let json = String(browser.stdout[start.upperBound..<end.lowerBound]).replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
        let probe = try JSONDecoder().decode(Probe.self, from: Data(json.utf8))
        #expect(probe.lessons == "4")
        #expect(probe.groups.map(\.folder) == ["teacher-a", "teacher-b"])
        #expect(probe.groups[0].lessons.count == 2 && probe.groups[1].lessons.count == 2)
        for lesson in probe.groups.flatMap(\.lessons) {
            if lesson.path.hasSuffix("broken.mp4") {
                #expect(lesson.status == "failed" && lesson.bands.isEmpty)
            } else {
                // Each analysed lesson draws its own segments, edge to edge across the 300-unit timeline.
                #expect(lesson.status == "done")
                let result = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("results/" + lesson.path.components(separatedBy: "/uploads/")[1] + ".json"))) as! [String: Any]
                #expect(lesson.bands == (result["segments"] as! [[String: Any]]).map { $0["kind"] as! String })
                #expect(abs(lesson.widths - 300) < 1)
            }
        }
    }
}
