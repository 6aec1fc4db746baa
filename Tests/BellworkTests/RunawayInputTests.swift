import Foundation
import Testing

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
