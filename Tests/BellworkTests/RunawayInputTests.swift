import Foundation
import Testing
import Bellwork
import BellworkBatch

/// Timestamps far beyond the media (a damaged or crafted file) are a discontinuity: the lesson's length,
/// the analysis's memory and its time come from what was decoded, not from the stamps.
@Suite struct RunawayInputTests {
    /// A 3 s FLV (video and audio) with one tag of `kind` (9 video, 8 audio) restamped at `stamp` ms.
    static func jumping(_ dir: URL, kind: UInt8, stamp: UInt32) throws -> String {
        let base = dir.appendingPathComponent("base.flv").path
        try CLI.ffmpeg(["-f", "lavfi", "-i", "testsrc=size=160x120:rate=10", "-f", "lavfi", "-i", "sine=f=440",
                        "-t", "3", "-c:v", "libx264", "-g", "5", "-c:a", "aac", "-f", "flv", base])
        var data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: base)))
        var tags: [Int] = []
        var offset = 13
        while offset + 11 <= data.count {
            let size = Int(data[offset + 1]) << 16 | Int(data[offset + 2]) << 8 | Int(data[offset + 3])
            if data[offset] == kind { tags.append(offset) }
            offset += 11 + size + 4
        }
        let tag = tags[tags.count / 2]
        data[tag + 4] = UInt8(stamp >> 16 & 0xFF); data[tag + 5] = UInt8(stamp >> 8 & 0xFF)
        data[tag + 6] = UInt8(stamp & 0xFF); data[tag + 7] = UInt8(stamp >> 24 & 0x7F)
        let path = dir.appendingPathComponent("jump-\(kind).flv").path
        try Data(data).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test(arguments: [UInt8(9), UInt8(8)])
    func aTimestampDaysAheadIsADiscontinuity(kind: UInt8) throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Self.jumping(dir, kind: kind, stamp: 0x7FFF_FFFF)   // about 25 days
        let timings = dir.appendingPathComponent("t.json").path
        let run = try CLI.run(["analyze", file, "--format", "json", "--timings", timings])
        #expect(run.status == 0, "\(run.stderr)")
        let doc = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as! [String: Any]
        let duration = try #require(doc["durationSeconds"] as? Double)
        #expect(duration > 2.5 && duration < 4, "\(duration)")
        #expect(run.stderr.contains("timestamps jump"), "\(run.stderr)")
        let stats = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: timings))) as! [String: Any]
        let peak = try #require(stats["peakResidentBytes"] as? Int)
        #expect(peak < 300_000_000, "peak \(peak) bytes")
    }
}

/// `--timings` says where the time went, in seconds that add up: with the video in two parts decoded side by
/// side, the feature sinks ran on both threads, and the decode's own time is never negative or over the total.
@Suite struct TimingsTests {
    @Test func decodeTimeInTwoPartsIsNeitherNegativeNorOverTheTotal() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("c.json").path
        try Data(#"{"decode": {"videoParts": 2}}"#.utf8).write(to: URL(fileURLWithPath: config))
        let timings = dir.appendingPathComponent("t.json").path
        let lesson = CLI.repoRoot.appendingPathComponent("Fixtures/sample-lesson.mp4").path
        let run = try CLI.run(["analyze", lesson, "--config", config, "--timings", timings, "--quiet", "--output",
                               dir.appendingPathComponent("r.json").path, "--format", "json"])
        #expect(run.status == 0, "\(run.stderr)")
        let stats = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: timings))) as! [String: Any]
        let t = try #require(stats["timings"] as? [String: Double])
        let parts = try #require((stats["decode"] as? [String: Any])?["videoParts"] as? Int)
        #expect(parts == 2)
        let (decode, features, total) = (t["decode"] ?? -1, t["features"] ?? -1, t["total"] ?? -1)
        #expect(decode > 0 && decode <= total, "\(t)")
        #expect(features > 0, "\(t)")
    }
}

/// What was decoded decides what the result can say: nothing usable is exit 65; a few seconds, or a
/// class window without picture or sound, are figures to check, not figures.
@Suite struct CoverageTests {
    static func analyse(_ arguments: [String]) throws -> (CLI.Outcome, [String: Any]?) {
        let run = try CLI.run(["analyze"] + arguments + ["--format", "json"])
        let doc = try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        return (run, doc)
    }

    static func codes(_ doc: [String: Any]?) -> [String] {
        ((doc?["warnings"] as? [[String: Any]]) ?? []).compactMap { $0["code"] as? String }
    }

    @Test func aBlackSilentRecordingHasNoClassInView() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("black.mp4").path
        try CLI.ffmpeg(["-f", "lavfi", "-i", "color=black:size=160x120:rate=5", "-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono",
                        "-t", "150", "-c:v", "libx264", "-c:a", "aac", "-shortest", file])
        let (run, doc) = try Self.analyse([file])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(doc?["status"] as? String == "check")
        #expect(Self.codes(doc).contains("no-class-in-view"), "\(Self.codes(doc))")
    }

    @Test func aFewSecondsAreTooShortAndNothingIs65() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let short = dir.appendingPathComponent("short.mp4").path
        try CLI.ffmpeg(["-f", "lavfi", "-i", "testsrc=size=160x120:rate=10", "-t", "4", "-c:v", "libx264", short])
        let (run, doc) = try Self.analyse([short])
        #expect(run.status == 0)
        #expect(doc?["status"] as? String == "check" && Self.codes(doc).first == "too-short", "\(Self.codes(doc))")
        // One picture: nothing to analyse.
        let one = dir.appendingPathComponent("one.mp4").path
        try CLI.ffmpeg(["-f", "lavfi", "-i", "testsrc=size=160x120:rate=10", "-frames:v", "1", "-c:v", "libx264", one])
        let (nothing, _) = try Self.analyse([one])
        #expect(nothing.status == 65 && nothing.stderrLines.count == 1 && nothing.stderr.contains("nothing usable"), "\(nothing.stderr)")
    }

    /// A bell given after the end of the recording leaves no class window: refused with one line (64), no
    /// result, not a silent 0 %. The library still says it in the result's warnings.
    @Test func aBellAfterTheEndIsRefused() throws {
        let sample = CLI.repoRoot.appendingPathComponent("Fixtures/sample-lesson.mp4").path
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("r.json").path
        let run = try CLI.run(["analyze", sample, "--bell", "9:00", "--format", "json", "-o", out])
        #expect(run.status == 64 && run.stderrLines.count == 1 && run.stderr.contains("--bell 9:00 is after the end of the recording"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
        let inside = try Self.analyse([sample, "--bell", "0:05"])
        #expect(inside.0.status == 0 && !Self.codes(inside.1).contains("bell-outside-recording"))
    }

    /// `-o -` is standard output, as everywhere, not a file named `-`.
    @Test func outputDashIsStandardOutput() throws {
        let dash = FileManager.default.currentDirectoryPath + "/-"
        #expect(!FileManager.default.fileExists(atPath: dash))
        let (run, doc) = try Self.analyse([CLI.repoRoot.appendingPathComponent("Fixtures/sample-lesson.mp4").path, "-o", "-"])
        #expect(run.status == 0 && doc?["segments"] != nil, "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dash))
    }

    @Test func aLessonLongEnoughWithAClassIsOk() throws {
        let (run, doc) = try Self.analyse([CLI.repoRoot.appendingPathComponent("Fixtures/sample-lesson.mp4").path])
        #expect(run.status == 0)
        #expect(doc?["status"] as? String == "ok", "\(Self.codes(doc))")
    }

    /// The batch's time limit comes from what a file can hold, not from its header.
    @Test func aHeaderCannotBuyTime() {
        #expect(BatchOptions.plausibleSeconds(stated: 1e7, sizeBytes: 1_600) < 20)
        #expect(BatchOptions.plausibleSeconds(stated: 2400, sizeBytes: 300_000_000) == 2400)
        #expect(BatchOptions.plausibleSeconds(stated: nil, sizeBytes: 3_000_000) == 3600)
    }
}
