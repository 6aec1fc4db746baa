import Foundation
import Testing
import Bellwork
import Segmentation

/// Every lesson fixture and every real recording in the shared media that is a usable lesson.
enum Lessons {
    static var fixtures: [String] {
        let dir = CLI.repoRoot.appendingPathComponent("Fixtures/lessons")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return files.filter { !$0.hasSuffix(".json") && !$0.hasPrefix(".") && !$0.hasSuffix(".md") }
            .sorted().map { dir.appendingPathComponent($0).path }
    }

    static var sharedMedia: [String] {
        var out: [String] = []
        for folder in ["bells", "speech", "awkward"] {
            let dir = CLI.shared.appendingPathComponent("media/\(folder)")
            for f in ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted()
            where !f.hasSuffix(".rttm") && !f.hasSuffix(".stm") && !f.contains("broken") && !f.contains("moov_missing") {
                out.append(dir.appendingPathComponent(f).path)
            }
        }
        return out
    }

    static let sample = CLI.repoRoot.appendingPathComponent("Fixtures/sample-lesson.mp4").path
}

@Suite struct AnalyzeJSONTests {
    /// The contract's JSON validates against its schema (checked by Python's jsonschema, independently).
    @Test func everyFixtureAndRealRecordingValidates() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let inputs = Lessons.fixtures + Lessons.sharedMedia + [Lessons.sample]
        #expect(Lessons.fixtures.count >= 10)
        #expect(Lessons.sharedMedia.count >= 30)
        var outputs: [String] = []
        for (i, input) in inputs.enumerated() {
            let output = dir.appendingPathComponent("\(i).json").path
            let out = try CLI.run(["analyze", input, "--format", "json", "--signals", "--output", output, "--quiet"])
            #expect(out.status == 0, "\(input): \(out.stderr)")
            outputs.append(output)
        }
        let check = try CLI.python("""
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            bad = 0
            for path in sys.argv[2:]:
                doc = json.load(open(path))
                for e in jsonschema.Draft202012Validator(schema).iter_errors(doc):
                    print(path, e.message); bad += 1
                segs = doc["segments"]
                if not segs or segs[0]["start"] != 0 or abs(segs[-1]["end"] - doc["durationSeconds"]) > 1e-6:
                    print(path, "segments do not cover the lesson"); bad += 1
                for a, b in zip(segs, segs[1:]):
                    if a["end"] != b["start"]: print(path, "gap or overlap at", a["end"]); bad += 1
                if len(doc["signals"]["motion"]) != len(doc["signals"]["audioDb"]): print(path, "signal lengths"); bad += 1
            print("checked", len(sys.argv) - 2)
            sys.exit(1 if bad else 0)
            """, [CLI.schema] + outputs)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("checked \(inputs.count)"))
    }
}

@Suite struct ExportTests {
    func analyze(_ format: String, _ input: String = Lessons.sample) throws -> (String, [String: Any]) {
        let dir = try CLI.tempDir()
        let out = dir.appendingPathComponent("lesson.\(format)").path
        let r = try CLI.run(["analyze", input, "--format", format, "--output", out, "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try CLI.run(["analyze", input, "--format", "json", "--quiet"])
        let doc = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        return (out, doc)
    }

    func segments(_ doc: [String: Any]) -> [(Double, Double, String)] {
        (doc["segments"] as! [[String: Any]]).map { ($0["start"] as! Double, $0["end"] as! Double, $0["kind"] as! String) }
    }

    @Test func webVTTReadsBackWithWebvttPy() throws {
        let (path, doc) = try analyze("vtt")
        let read = try CLI.python("""
            import sys, webvtt
            for c in webvtt.read(sys.argv[1]):
                print(f"{c.start_in_seconds + c.start.milliseconds / 1000 if hasattr(c.start, 'milliseconds') else c.start}|{c.end}|{c.text}")
            """, [path])
        #expect(read.status == 0, "\(read.stderr)")
        let lines = read.stdout.split(separator: "\n")
        let expected = segments(doc)
        #expect(lines.count == expected.count)
        for (line, seg) in zip(lines, expected) {
            let parts = line.split(separator: "|").map(String.init)
            #expect(parts[1] == vttClock(seg.1))
            #expect(parts[2].lowercased().hasPrefix(String(seg.2.prefix(5))))
        }
    }

    @Test func elanDocumentReadsBackWithPympi() throws {
        let (path, doc) = try analyze("eaf")
        let read = try CLI.python("""
            import sys, pympi
            eaf = pympi.Elan.Eaf(sys.argv[1])
            for (start, end, value) in sorted(eaf.get_annotation_data_for_tier("segments")):
                print(f"{start}|{end}|{value}")
            print("bell|" + "|".join(str(a[0]) for a in eaf.get_annotation_data_for_tier("bell")))
            """, [path])
        try #require(read.status == 0, "\(read.stderr)")
        var lines = read.stdout.split(separator: "\n").map(String.init)
        let bellLine = try #require(lines.last)
        lines.removeLast()
        let expected = segments(doc)
        #expect(lines.count == expected.count)
        for (line, seg) in zip(lines, expected) {
            let parts = line.split(separator: "|").map(String.init)
            #expect(Int(parts[0]) == Int((seg.0 * 1000).rounded()))
            #expect(Int(parts[1]) == Int((seg.1 * 1000).rounded()))
            #expect(parts[2] == seg.2)
        }
        if let bell = doc["bell"] as? [String: Any], let t = bell["timeSeconds"] as? Double {
            #expect(bellLine == "bell|\(Int((t * 1000).rounded()))")
        } else {
            #expect(bellLine == "bell|")
        }
    }

    /// One row per segment, after a row for the bell (kind `bell`, start = end) when there is one.
    @Test func csvHasOneRowPerSegment() throws {
        let (path, doc) = try analyze("csv")
        var rows = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(rows.first == "start,end,durationSeconds,kind,confidence,startClock,endClock")
        if let bell = doc["bell"] as? [String: Any], let t = bell["timeSeconds"] as? Double {
            let cells = rows[1].split(separator: ",").map(String.init)
            #expect(cells[3] == "bell" && Double(cells[0]) == t && Double(cells[1]) == t, "\(rows[1])")
            rows.remove(at: 1)
        } else {
            #expect(!rows.contains { $0.contains(",bell,") })
        }
        let expected = segments(doc)
        #expect(rows.count == expected.count + 1)
        for (row, seg) in zip(rows.dropFirst(), expected) {
            let cells = row.split(separator: ",").map(String.init)
            #expect(Double(cells[0]) == seg.0 && Double(cells[1]) == seg.1 && cells[3] == seg.2)
        }
    }

    /// `--features`: one CSV row per step, with the signals the JSON's `--signals` holds and the score.
    @Test func featuresTableHasOneRowPerStep() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let csv = dir.appendingPathComponent("features.csv").path
        let json = dir.appendingPathComponent("r.json").path
        let out = try CLI.run(["analyze", Lessons.sample, "--format", "json", "--output", json, "--signals", "--features", csv, "--quiet"])
        #expect(out.status == 0, "\(out.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])
        let signals = try #require(doc["signals"] as? [String: Any])
        let motion = try #require(signals["motion"] as? [Double])
        let rows = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n").map(String.init)
        let header = rows[0].split(separator: ",").map(String.init)
        #expect(header == FeatureTable.columns)
        #expect(rows.count == motion.count + 1)
        let m = header.firstIndex(of: "motion")!, p = header.firstIndex(of: "transitionProbability")!
        for (row, value) in zip(rows.dropFirst(), motion) {
            let cells = row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            #expect(cells.count == header.count)
            #expect(abs((Double(cells[m]) ?? -1) - value) <= max(1e-3 * value, 1e-3))
            let probability = Double(cells[p]) ?? -1
            #expect(probability >= 0 && probability <= 1)
        }
    }

    /// `--features` marks the steps in which the whole picture changed: `camera_moved` (tune lesson) is a
    /// phone picked up, shaken and set down between 2 and 9 s, and its exposure adjusts now and then after;
    /// the class itself never fills the picture.
    @Test func featuresTableMarksTheWholePictureChanging() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let csv = dir.appendingPathComponent("features.csv").path
        let out = try CLI.run(["analyze", CLI.repoRoot.appendingPathComponent("Fixtures/lessons/camera_moved.mov").path,
                               "--format", "json", "--output", dir.appendingPathComponent("r.json").path,
                               "--features", csv, "--quiet"])
        #expect(out.status == 0, "\(out.stderr)")
        let rows = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
            .map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let t = rows[0].firstIndex(of: "time")!, w = rows[0].firstIndex(of: "wholePicture")!
        let l = rows[0].firstIndex(of: "luma")!, c = rows[0].firstIndex(of: "cameraSpeed")!
        let steps = rows.dropFirst().map { (time: Double($0[t]) ?? -1, whole: $0[w] == "1", luma: Double($0[l]) ?? 0,
                                            camera: Double($0[c]) ?? 0) }
        // The camera: most of 2-9.5 s, either its motion measured (and taken out) or the whole picture changed.
        #expect(steps.filter { ($0.whole || $0.camera > 0) && $0.time >= 2 && $0.time < 10 }.count >= 10)
        #expect(steps.filter { $0.camera > 0 && ($0.time < 1.5 || $0.time >= 10) }.count <= 2)
        // Elsewhere only where the exposure jumped (the mean luma moved by more than 2 levels to or from a
        // neighbouring step).
        for (k, step) in steps.enumerated() where step.whole && (step.time < 1.5 || step.time >= 10) {
            #expect(k > 0 && k + 1 < steps.count, "\(step)")
            guard k > 0 && k + 1 < steps.count else { continue }
            #expect(max(abs(step.luma - steps[k - 1].luma), abs(steps[k + 1].luma - step.luma)) > 2, "\(step)")
        }
        #expect(steps.filter { $0.whole }.count < steps.count / 10)
    }

    /// `--bell-candidates`: every bell-like sound heard, one row each, exactly one of them marked as the
    /// bell the result reports (the sample lesson's real school bell at 30 s), with its confidence.
    @Test func bellCandidatesTableMarksTheChosenBell() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let csv = dir.appendingPathComponent("bells.csv").path
        let json = dir.appendingPathComponent("r.json").path
        let out = try CLI.run(["analyze", Lessons.sample, "--format", "json", "--output", json, "--bell-candidates", csv, "--quiet"])
        #expect(out.status == 0, "\(out.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])
        let bell = try #require(doc["bell"] as? [String: Any])
        let rows = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n").map(String.init)
        let header = rows[0].split(separator: ",").map(String.init)
        #expect(header == BellCandidateTable.columns)
        let cells = rows.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(cells.count >= 1)
        for row in cells { #expect(row.count == header.count) }
        let s = header.firstIndex(of: "start")!, c = header.firstIndex(of: "chosen")!, k = header.firstIndex(of: "confidence")!
        let chosen = cells.filter { $0[c] == "1" }
        #expect(chosen.count == 1)
        if let row = chosen.first {
            #expect(abs((Double(row[s]) ?? -1) - (bell["timeSeconds"] as? Double ?? -2)) < 0.01)
            #expect(abs((Double(row[s]) ?? -1) - 30) <= 1)
            #expect(abs((Double(row[k]) ?? -1) - (bell["confidence"] as? Double ?? -2)) < 0.006)
        }
        let starts = cells.compactMap { Double($0[s]) }
        #expect(starts == starts.sorted())
    }

    /// The bell's two views (its bell band and its partials) can start in the same frame: the table marks
    /// the one the detector took, not every candidate starting then.
    @Test func bellCandidatesTableMarksOneOfTwoCandidatesStartingTogether() {
        let band = BellCandidate(start: 9.904, end: 12.69, brightShare: 0.95, meanRiseDb: 22, meanTiltDb: -2,
                                 meanPurity: 0.35, sustainShare: 0.9, slopeDbPerSecond: -2, levelSwingDb: 1.5,
                                 stableShare: 0.34, excessRiseDb: 4.5, harmonicity: 0.1)
        let partials = BellCandidate(start: 9.904, end: 12.58, brightShare: 1, meanRiseDb: 15.7, meanTiltDb: 0,
                                     meanPurity: 0, sustainShare: 1, slopeDbPerSecond: 0, meanPartials: 2.6)
        let series = FeatureSeries(stepSeconds: 0.5, motion: [], audioDb: Array(repeating: -40, count: 240),
                                   bellCandidates: [band, partials])
        let decision = BellDetector().decide(series.bellCandidates, duration: 120)
        let table = BellCandidateTable.csv(series, decision: decision)
        let rows = table.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let chosen = BellCandidateTable.columns.firstIndex(of: "chosen")!
        #expect(rows.count == 2)
        #expect(rows.filter { $0[chosen] == "1" }.count == 1, "\(table)")
    }

    @Test func tableShowsTheFiguresInMinutesAndSeconds() throws {
        let out = try CLI.run(["analyze", Lessons.sample])
        #expect(out.status == 0)
        for word in ["Time on task", "Bell to work", "Transitions", "start    end"] { #expect(out.stdout.contains(word)) }
        #expect(out.stdout.range(of: #"\d+:\d\d"#, options: .regularExpression) != nil)
    }

    func vttClock(_ s: Double) -> String {
        let ms = Int((s * 1000).rounded())
        return String(format: "%02d:%02d:%02d.%03d", ms / 3_600_000, (ms / 60_000) % 60, (ms / 1000) % 60, ms % 1000)
    }
}

@Suite struct OutputSafetyTests {
    /// A failed analysis never replaces a good result; an unwritable output is 74 and leaves nothing behind.
    @Test func atomicOutput() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = dir.appendingPathComponent("result.json").path
        let iphone = CLI.repoRoot.appendingPathComponent("Fixtures/media/jsonize__iphone_rotated_iPhone4S.mov").path
        #expect(try CLI.run(["analyze", iphone, "--format", "json", "--output", good, "--quiet"]).status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: good))
        let broken = CLI.repoRoot.appendingPathComponent("Fixtures/media/jsonize__broken-wav.wav").path
        #expect(try CLI.run(["analyze", broken, "--format", "json", "--output", good]).status == 65)
        #expect(try Data(contentsOf: URL(fileURLWithPath: good)) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["result.json"])

        let out = try CLI.run(["analyze", iphone, "--output", dir.appendingPathComponent("no/such/dir/r.json").path])
        #expect(out.status == 74)
        #expect(out.stderrLines.count == 1 && out.stderr.contains("r.json"))
    }
}

@Suite struct BellOptionTests {
    let iphone = CLI.repoRoot.appendingPathComponent("Fixtures/media/jsonize__iphone_rotated_iPhone4S.mov").path

    func bell(_ extra: [String]) throws -> [String: Any]? {
        let out = try CLI.run(["analyze", iphone, "--format", "json", "--quiet"] + extra)
        #expect(out.status == 0, "\(out.stderr)")
        let doc = try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as! [String: Any]
        return doc["bell"] as? [String: Any]
    }

    @Test func givenBell() throws {
        let b = try #require(try bell(["--bell", "0:01.5"]))
        #expect(b["timeSeconds"] as? Double == 1.5)
        #expect(b["source"] as? String == "given")
    }

    @Test func noBell() throws {
        #expect(try bell(["--no-bell"]) == nil)
    }

    /// The iPhone recording was created at 2013-12-22T20:54:41Z; a bell scheduled a second later is inside it.
    @Test func scheduleWithCreationTime() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let schedule = dir.appendingPathComponent("bells.txt").path
        try "# periods\ntimezone: UTC\n08:00\n20:54:42\n".write(toFile: schedule, atomically: true, encoding: .utf8)
        let b = try #require(try bell(["--schedule", schedule]))
        #expect(b["timeSeconds"] as? Double == 1)
        #expect(b["source"] as? String == "schedule")
        try "timezone: UTC\n08:00\n".write(toFile: schedule, atomically: true, encoding: .utf8)
        #expect(try bell(["--schedule", schedule]) == nil)
    }

    @Test func settleSecondsAndConfigAreEchoed() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("config.json").path
        try #"{"segmentation": {"minTransitionSeconds": 12}, "decode": {"analysisWidth": 160}}"#
            .write(toFile: config, atomically: true, encoding: .utf8)
        let out = try CLI.run(["analyze", iphone, "--format", "json", "--config", config, "--settle-seconds", "20"])
        #expect(out.status == 0, "\(out.stderr)")
        let doc = try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as! [String: Any]
        let settings = doc["settings"] as! [String: Any]
        #expect(settings["settleSeconds"] as? Double == 20)
        #expect(settings["minTransitionSeconds"] as? Double == 12)
        #expect((settings["decode"] as? [String: Any])?["analysisWidth"] as? Double == 160)

        try #"{"segmentation": {"minTransitionSecs": 12}}"#.write(toFile: config, atomically: true, encoding: .utf8)
        let bad = try CLI.run(["analyze", iphone, "--config", config])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("minTransitionSecs"))

        // A missing or unreadable file, and one that is not JSON: one clear line each, usage status.
        try "minTransitionSeconds = 12\n".write(toFile: config, atomically: true, encoding: .utf8)
        for (file, words) in [(config, "not JSON"), (dir.appendingPathComponent("none.json").path, "does not exist")] {
            let run = try CLI.run(["analyze", iphone, "--config", file])
            #expect(run.status == 64, "\(run.stderr)")
            #expect(run.stderrLines.count == 1 && run.stderr.contains(words) && !run.stderr.contains("Domain"), "\(run.stderr)")
        }
    }
}

/// A failure is one line that groups (issue 16): FFmpeg's two-line advice and its context addresses stay out.
@Suite struct ErrorLineCLITests {
    /// A transport stream of its tables alone: FFmpeg logs "Could not find codec parameters … Consider
    /// increasing the value for the 'analyzeduration' …" on two lines, with its context's address.
    @Test func tablesOnlyTransportStreamFailsOnOneLine() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let full = dir.appendingPathComponent("full.ts").path
        try CLI.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=160x120:duration=2", "-c:v", "libx264", "-f", "mpegts", full])
        let data = try Data(contentsOf: URL(fileURLWithPath: full))
        var tables = Data()
        for start in stride(from: 0, to: data.count - 187, by: 188) {
            let pid = (Int(data[start + 1]) & 0x1F) << 8 | Int(data[start + 2])
            if [0, 0x11, 0x1000].contains(pid) && tables.count < 188 * 4 { tables += data[start..<(start + 188)] }
        }
        let path = dir.appendingPathComponent("tables.ts").path
        try tables.write(to: URL(fileURLWithPath: path))
        let outcome = try CLI.run(["analyze", path])
        #expect(outcome.status == 65, "\(outcome.stderr)")
        #expect(outcome.stderrLines.count == 1 && outcome.stderr.contains(path), "\(outcome.stderr)")
        #expect(!outcome.stderr.contains("analyzeduration") && outcome.stderr.firstMatch(of: /0x[0-9a-fA-F]{8,}/) == nil,
                "\(outcome.stderr)")
    }
}
