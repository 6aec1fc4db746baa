import Foundation
@testable import MediaIO
import MediaSamples
import Testing

/// Key-frame bursts (issue 17): without B-frames and with frequent key frames, each key frame and the frames
/// up to the second analysis picture after it are decoded, the rest of each group is not.
@Suite struct KeyframeBurstTests {
    /// A sink that keeps each picture's time, checksum and whether it follows a gap, and can be split.
    struct GapLog: SplittableMediaSink, Sendable {
        struct Entry: Equatable, Sendable { let time: Double; let checksum: UInt64; let afterGap: Bool }
        var pictures: [Entry] = []
        mutating func consume(video frame: borrowing LumaFrame) {
            let sum = frame.withPixels { p in p.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 } }
            pictures.append(Entry(time: frame.time, checksum: sum, afterGap: frame.afterGap))
        }
        mutating func consume(audio chunk: borrowing AudioChunk) {}
        func makeVideoPart() -> GapLog { GapLog() }
        mutating func merge(videoPart: consuming GapLog, from time: Double) {
            pictures = pictures.filter { $0.time < time } + videoPart.pictures.filter { $0.time >= time }
        }
    }

    /// An iPad-like lesson: 30 fps H.264, no B-frames, a key frame every `gop` frames, with sound.
    static func ipad(_ path: String, seconds: Int, gop: Int = 30, bframes: Int = 0) throws {
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30:duration=\(seconds)",
                              "-f", "lavfi", "-i", "sine=frequency=440:duration=\(seconds)",
                              "-c:v", "libx264", "-preset", "veryfast", "-bf", "\(bframes)", "-g", "\(gop)",
                              "-keyint_min", "\(gop)", "-sc_threshold", "0",
                              "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", path])
    }

    static func options(bursts: Bool, parts: Int = 1) -> DecodeOptions {
        var options = FastDecodeTests.options(parts: parts)
        options.keyframeBursts = bursts
        return options
    }

    @Test func gateDecidesOnTheFirstPacketsAndHoldsTheRestOfEachGroup() {
        func gate() -> KeyframeBurstGate {
            KeyframeBurstGate(enabled: true, rate: 5, nominalFrameRate: 30, pictures: 2, maxKeyInterval: 2)
        }
        // 30 fps, a key frame each second.
        var g = gate()
        var verdicts: [Int: KeyframeBurstGate.Verdict] = [:]
        for i in 0..<(30 * 8) {
            verdicts[i] = g.packet(isKey: i % 30 == 0, time: Double(i) / 30, bytes: 1000)
        }
        #expect(g.state == .bursts && !g.fellBack)
        for i in 0..<150 { #expect(verdicts[i] == .decode, "frame \(i): the trial and the group under way are decoded") }
        // From 5 s: the key frame and frames to 0.2 s (the second picture) decoded, the rest held.
        #expect(verdicts[150] == .decode && verdicts[156] == .decode && verdicts[157] == .hold && verdicts[179] == .hold)
        #expect(verdicts[180] == .decodeAfterGap && verdicts[186] == .decode && verdicts[187] == .hold)
        #expect(g.skippedPackets == 23 * 2)
        // A group that runs past 2 s: what is held is decoded after all, and everything from then on.
        for i in 240..<(240 + 62) { _ = g.packet(isKey: i == 240, time: Double(i) / 30, bytes: 1000) }
        #expect(g.state == .off && g.fellBack)
        var h = gate()
        for i in 0..<(30 * 5) { _ = h.packet(isKey: i % 30 == 0, time: Double(i) / 30, bytes: 1000) }
        for i in 150..<170 { _ = h.packet(isKey: i == 150, time: Double(i) / 30, bytes: 1000) }
        #expect(h.packet(isKey: false, time: 170.0 / 30 + 2.1, bytes: 1000) == .release)

        // Key frames every 5 s: never bursts.
        var sparse = gate()
        for i in 0..<(30 * 8) { _ = sparse.packet(isKey: i % 150 == 0, time: Double(i) / 30, bytes: 1000) }
        #expect(sparse.state == .off && sparse.skippedPackets == 0)
        // Packets out of presentation order (B-frames): never bursts.
        var reordered = gate()
        for i in 0..<(30 * 8) {
            let t = Double(i % 4 == 1 ? i + 2 : i % 4 == 3 ? i - 2 : i) / 30
            _ = reordered.packet(isKey: i % 30 == 0, time: t, bytes: 1000)
        }
        #expect(reordered.state == .off)
        // A burst's end is the sampler's second grid point from the key frame, where the grid starts again (less
        // the tolerance).
        #expect(abs(gate().burstEnd(key: 10.0) - (10.2 - 1.0 / 60)) < 1e-9)
        // A key frame between the old grid's points (after a scene cut) starts the grid again: the same in a full decode.
        #expect(abs(gate().burstEnd(key: 10.1) - (10.3 - 1.0 / 60)) < 1e-9)
        // Key frames every 2 s: twice the pictures (the burst ends at the fourth, 0.6 s after the key frame).
        var every2 = gate()
        for i in 0..<(30 * 8) { _ = every2.packet(isKey: i % 60 == 0, time: Double(i) / 30, bytes: 1000) }
        #expect(every2.state == .bursts && every2.burstPictures == 4)
        #expect(abs(every2.burstEnd(key: 10.0) - (10.6 - 1.0 / 60)) < 1e-9)
    }

    /// A key frame each second and no B-frames: decoded in bursts (about a quarter of the frames), said in
    /// `frameSkipping`; each picture is the very picture a full decode gives at its time, and the key
    /// frames' pictures follow gaps.
    @Test func noBFramesAndAKeyFrameEachSecondDecodeInBursts() throws {
        let dir = try TestMedia.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("ipad.mp4").path
        try Self.ipad(path, seconds: 20)
        var bursts = GapLog()
        let report = try MediaReader(path: path).decode(into: &bursts, options: Self.options(bursts: true))
        var full = GapLog()
        let fullReport = try MediaReader(path: path).decode(into: &full, options: Self.options(bursts: false))
        #expect(report.frameSkipping == "keyframe-bursts")
        #expect(fullReport.frameSkipping == "bidirectional" && fullReport.videoPacketsSkipped == 0)
        #expect(report.videoFramesDecoded * 2 < fullReport.videoFramesDecoded, "\(report.videoFramesDecoded) of \(fullReport.videoFramesDecoded)")
        #expect(report.videoPacketsSkipped > 20 * 30 / 2)
        #expect(report.corruptPackets == 0 && report.warnings.isEmpty, "\(report.warnings)")
        let byTime = Dictionary(full.pictures.map { (($0.time * 1000).rounded(), $0.checksum) }, uniquingKeysWith: { a, _ in a })
        for picture in bursts.pictures {
            #expect(byTime[(picture.time * 1000).rounded()] == picture.checksum, "picture at \(picture.time) s")
        }
        // After the trial: pictures on the second and 0.2 s after it, the first of each pair after a gap.
        let late = bursts.pictures.filter { $0.time > 5.9 && $0.time < 19 }
        #expect(late.count == 2 * 13)
        for p in late {
            let fraction = p.time - p.time.rounded(.down)
            #expect(fraction < 0.01 || abs(fraction - 0.2) < 0.01, "picture at \(p.time)")
            #expect(p.afterGap == (fraction < 0.01), "picture at \(p.time)")
        }
        #expect(!full.pictures.contains { $0.afterGap })
        // The last group is decoded after all: the video reaches the end.
        #expect(abs(report.decodedSeconds - fullReport.decodedSeconds) < 0.05)
    }

    /// Key frames every 10 s: no bursts, every frame decoded as before.
    @Test func sparseKeyFramesFallBackToDecodingEverything() throws {
        let dir = try TestMedia.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("sparse.mp4").path
        try Self.ipad(path, seconds: 20, gop: 300)
        var log = GapLog()
        let report = try MediaReader(path: path).decode(into: &log, options: Self.options(bursts: true))
        #expect(report.frameSkipping == "bidirectional")
        #expect(report.videoPacketsSkipped == 0)
        #expect(report.videoFramesDecoded >= 20 * 30 - 1)
        #expect(!log.pictures.contains { $0.afterGap })
        // And with B-frames (key frames each second): B-frames are skipped as before, no bursts.
        let withB = dir.appendingPathComponent("bframes.mp4").path
        try Self.ipad(withB, seconds: 12, bframes: 3)
        let b = try MediaReader(path: withB).decode(into: &log, options: Self.options(bursts: true))
        #expect(b.frameSkipping == "bidirectional" && b.videoPacketsSkipped == 0)
    }

    /// A lesson decoded in two parts at once: both in bursts, the pictures those of one pass in bursts.
    @Test func twoPartsBothDecodeInBursts() throws {
        let dir = try TestMedia.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("long.mp4").path
        try Self.ipad(path, seconds: 70)
        var one = GapLog()
        let oneReport = try MediaReader(path: path).decode(into: &one, options: Self.options(bursts: true, parts: 1))
        var two = GapLog()
        let twoReport = try MediaReader(path: path).decode(into: &two, options: Self.options(bursts: true, parts: 2))
        #expect(oneReport.frameSkipping == "keyframe-bursts" && twoReport.frameSkipping == "keyframe-bursts")
        #expect(twoReport.videoParts == 2)
        #expect(one.pictures.map(\.time) == two.pictures.map(\.time))
        #expect(one.pictures.map(\.checksum) == two.pictures.map(\.checksum))
        #expect(abs(Double(oneReport.videoFramesDecoded - twoReport.videoFramesDecoded)) < 60)
    }

    /// Bursts decode a full decode's pictures, bit for bit, so the motion measured from them is too
    /// (`features.motionPairSeconds`); the loop filter is the options' to skip, in bursts as elsewhere, and
    /// skipping it changes the pictures.
    @Test func burstsTakeAFullDecodesPicturesAndTheLoopFilterIsTheOptions() throws {
        let dir = try TestMedia.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var everything = DecodeOptions()
        everything.videoParts = 1
        func decoded(_ path: String, _ options: DecodeOptions) throws -> (GapLog, DecodeReport) {
            var log = GapLog()
            let report = try MediaReader(path: path).decode(into: &log, options: options)
            return (log, report)
        }
        let ipad = dir.appendingPathComponent("ipad.mp4").path
        try Self.ipad(ipad, seconds: 12)
        let full = Dictionary(try decoded(ipad, everything).0.pictures.map { (($0.time * 1000).rounded(), $0.checksum) },
                              uniquingKeysWith: { a, _ in a })
        var unfiltered = Self.options(bursts: true)
        unfiltered.skipLoopFilter = true
        for (options, same) in [(Self.options(bursts: true), true), (unfiltered, false)] {
            let (bursts, report) = try decoded(ipad, options)
            #expect(report.frameSkipping == "keyframe-bursts" && !bursts.pictures.isEmpty)
            let matching = bursts.pictures.filter { full[($0.time * 1000).rounded()] == $0.checksum }.count
            if same { #expect(matching == bursts.pictures.count) } else { #expect(matching < bursts.pictures.count) }
        }
    }

    /// A key frame after other frames starts a group (its picture is `LumaFrame.afterKey`); in a stream of
    /// key frames only, none after the first; and a key frame starts the sampler's grid again.
    @Test func keyFramesStartGroupsAndTheSamplersGrid() {
        var marks = KeyMarks()
        let starts = [true, false, false, true, false, true, true, false].map { marks.frame(isKey: $0) }
        #expect(starts == [true, false, false, true, false, true, false, false])
        var intra = KeyMarks()
        #expect((0..<30).filter { _ in intra.frame(isKey: true) }.count == 1)
        // 30 fps, 5 pictures a second: a key frame at 10.1 s is a picture, and the grid goes on from it.
        var lane = PictureLane(from: 0, rate: 5, nominalFrameRate: 30)
        #expect(lane.take(9.0) && lane.take(9.2) && !lane.take(9.3))
        lane.anchor(at: 10.1)
        #expect(lane.take(10.1) && !lane.take(10.2) && lane.take(10.3) && !lane.take(10.4) && lane.take(10.5))
    }
}
