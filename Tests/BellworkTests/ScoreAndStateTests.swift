import Bellwork
import BellworkBatch
import Foundation
import Testing

/// `score` on absurd truths, `--schedule` clock times and a damaged batch state (issue 16): each a clear
/// status and one line on standard error, at once.
@Suite struct ScoreAndStateTests {
    static let truth = CLI.repoRoot.appendingPathComponent("Fixtures/sample-lesson.truth.json").path

    /// `bellwork ARGS` under a 5-second `timeout` (status 124 when it hangs), and how long it took.
    static func timed(_ arguments: [String]) throws -> (CLI.Outcome, Double) {
        let start = Date()
        let outcome = try CLI.run(["timeout", "-s", "KILL", "5", CLI.binary] + arguments, executable: "/usr/bin/env")
        return (outcome, Date().timeIntervalSince(start))
    }

    /// The sample truth with `change` applied to its JSON object.
    static func truthFile(in dir: URL, _ name: String, _ change: (inout [String: Any]) -> Void) throws -> String {
        var object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: truth))) as! [String: Any]
        change(&object)
        let path = dir.appendingPathComponent(name).path
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func absurdTruthsAre65WithinASecond() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var truths: [String] = []
        truths.append(try Self.truthFile(in: dir, "huge.truth.json") { $0["durationSeconds"] = 1e308 })
        truths.append(try Self.truthFile(in: dir, "negative.truth.json") { $0["durationSeconds"] = -270.0 })
        truths.append(try Self.truthFile(in: dir, "percent.truth.json") { object in
            var metrics = object["metrics"] as! [String: Any]
            metrics["timeOnTaskPercent"] = 1e308
            object["metrics"] = metrics
        })
        let csv = dir.appendingPathComponent("huge.csv").path
        try "start,end,kind\n0,30,transition\n30,1e308,independent\n".write(toFile: csv, atomically: true, encoding: .utf8)
        truths.append(csv)
        let eaf = dir.appendingPathComponent("huge.eaf").path
        try """
            <?xml version="1.0" encoding="UTF-8"?>
            <ANNOTATION_DOCUMENT><TIME_ORDER>
            <TIME_SLOT TIME_SLOT_ID="ts1" TIME_VALUE="0"/><TIME_SLOT TIME_SLOT_ID="ts2" TIME_VALUE="9223372036854775807"/>
            </TIME_ORDER><TIER TIER_ID="segments"><ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="a1" TIME_SLOT_REF1="ts1" TIME_SLOT_REF2="ts2">
            <ANNOTATION_VALUE>independent</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION></TIER></ANNOTATION_DOCUMENT>
            """.write(toFile: eaf, atomically: true, encoding: .utf8)
        truths.append(eaf)
        for truth in truths {
            let (outcome, seconds) = try Self.timed(["score", Self.truth, truth])
            #expect(outcome.status == 65, "\(truth): \(outcome.status) \(outcome.stderr)")
            #expect(seconds < 1.5, "\(truth) took \(seconds) s")
            #expect(outcome.stderrLines.count == 1 && outcome.stderr.contains(truth), "\(outcome.stderr)")
            // As the result, too.
            let (reversed, _) = try Self.timed(["score", truth, Self.truth])
            #expect(reversed.status == 65, "\(truth) as the result: \(reversed.status) \(reversed.stderr)")
        }
    }

    @Test func missingTruthIs66() throws {
        let missing = "/nonexistent/lesson.truth.json"
        let (outcome, _) = try Self.timed(["score", Self.truth, missing])
        #expect(outcome.status == 66, "\(outcome.stderr)")
        #expect(outcome.stderrLines.count == 1 && outcome.stderr.contains(missing))
        let (folder, _) = try Self.timed(["score", Self.truth, NSTemporaryDirectory() + "/"])
        #expect(folder.status == 66 || folder.status == 65, "\(folder.stderr)")
    }

    @Test func scheduleTimesAreClockTimes() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("bells.txt").path
        try "timezone: UTC\n08:15\n13:05:30\n".write(toFile: path, atomically: true, encoding: .utf8)
        let expected: [Double] = [29_700, 47_130]  // 8:15 and 13:05:30
        #expect(try BellSchedule.load(path).times == expected)
        for bad in ["25:00", "8", "08:60", "07:15:75", "1:02:03:04", "-1:00", "24:00"] {
            try "timezone: UTC\n\(bad)\n".write(toFile: path, atomically: true, encoding: .utf8)
            #expect(throws: ConfigurationError.self, "\(bad)") { try BellSchedule.load(path) }
        }
        try "timezone: UTC\n08:00\n25:00\n".write(toFile: path, atomically: true, encoding: .utf8)
        let (outcome, _) = try Self.timed(["analyze", Lessons.sample, "--schedule", path])
        #expect(outcome.status == 64, "\(outcome.stderr)")
        #expect(outcome.stderrLines.count == 1 && outcome.stderr.contains("bells.txt:3") && outcome.stderr.contains("25:00"))
    }

    /// A batch folder with its state made, by a run over one file that is not media.
    static func batchFolder(_ dir: URL) throws -> (inputs: String, out: URL) {
        let inputs = dir.appendingPathComponent("in").path
        try BatchCLITests.write("notes", inputs + "/notes.txt")
        let out = dir.appendingPathComponent("out")
        let first = try BatchCLITests.bellwork(["batch", inputs, "--out", out.path, "--quiet"])
        #expect(first.status == 0, "\(first.stderr)")
        return (inputs, out)
    }

    /// Overwrites `count` bytes of the state database at `offset`.
    static func damage(_ out: URL, at offset: UInt64, count: Int) throws {
        let handle = try FileHandle(forWritingTo: out.appendingPathComponent(BatchStore.fileName))
        try handle.seek(toOffset: offset)
        handle.write(Data((0..<count).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }))
        try handle.close()
    }

    @Test func damagedStateIsOneClearLine() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (inputs, out) = try Self.batchFolder(dir)
        try Self.damage(out, at: 0, count: 16)  // the header: "SQLite format 3"
        let header = try BatchCLITests.bellwork(["batch", inputs, "--out", out.path, "--quiet"])
        #expect(header.status == 74, "\(header.stderr)")
        #expect(header.stderrLines.count == 1, "\(header.stderr)")
        #expect(header.stderr.contains("damaged") && header.stderr.contains("move it aside"), "\(header.stderr)")
        let summary = try BatchCLITests.bellwork(["summary", out.path])
        #expect(summary.status == 65 && summary.stderr.contains("damaged"), "\(summary.stderr)")
    }

    @Test func corruptionInsideIsFoundByQuickCheck() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (inputs, out) = try Self.batchFolder(dir)
        try Self.damage(out, at: 4096 + 8, count: 200)  // inside the second page, past its header
        let run = try BatchCLITests.bellwork(["batch", inputs, "--out", out.path, "--quiet"])
        #expect(run.status == 74, "\(run.status) \(run.stderr)")
        #expect(run.stderrLines.count == 1 && run.stderr.contains("damaged"), "\(run.stderr)")
    }
}
