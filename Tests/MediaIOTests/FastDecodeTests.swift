import Foundation
import MediaIO
import Testing

/// A sink that keeps a checksum of each analysis picture, and can be split in time.
struct PictureLog: SplittableMediaSink, Sendable {
    var pictures: [Entry] = []
    var audioSamples = 0
    var mergedAt: Double? = nil

    struct Entry: Equatable, Sendable {
        let time: Double
        let checksum: UInt64
    }

    mutating func consume(video frame: borrowing LumaFrame) {
        // FNV-1a over the pixels: equal pictures, equal sums.
        let sum = frame.withPixels { p in p.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 } }
        pictures.append(Entry(time: frame.time, checksum: sum))
    }

    mutating func consume(audio chunk: borrowing AudioChunk) { audioSamples += chunk.count }

    func makeVideoPart() -> PictureLog { PictureLog() }

    mutating func merge(videoPart: consuming PictureLog, from time: Double) {
        mergedAt = time
        pictures = pictures.filter { $0.time < time } + videoPart.pictures.filter { $0.time >= time }
    }
}

/// The decoder shortcuts beyond skipping non-reference frames: dropping every B-frame (falling back when
/// too few pictures are left), and decoding the later half of the video on a second thread.
@Suite struct FastDecodeTests {
    /// A 30 fps H.264 lesson with three B-frames between references and a key frame every 2 s, with sound
    /// (`faststart`: the index at the front of the file).
    static func lesson(_ path: String, seconds: Int, rate: Int = 30, faststart: Bool = false) throws {
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=320x180:rate=\(rate):duration=\(seconds)",
                              "-f", "lavfi", "-i", "sine=frequency=440:duration=\(seconds)",
                              "-c:v", "libx264", "-preset", "veryfast", "-bf", "3", "-b_strategy", "0",
                              "-g", "\(2 * rate)", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest"]
                             + (faststart ? ["-movflags", "+faststart"] : []) + [path])
    }

    static func options(parts: Int, skipB: Bool = true) -> DecodeOptions {
        var options = DecodeOptions()
        options.skipBidirectionalFrames = skipB
        options.skipNonReferenceFrames = true
        options.videoParts = parts
        return options
    }

    /// Without B-frames only I- and P-frames are decoded, and they are the very pictures a full decode
    /// gives at those times: nothing they refer to was dropped.
    @Test func droppingBFramesKeepsReferencePicturesExact() throws {
        let dir = try TestMedia.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("tablet.mp4").path
        try Self.lesson(path, seconds: 8)
        var fast = PictureLog()
        let fastReport = try MediaReader(path: path).decode(into: &fast, options: Self.options(parts: 1))
        var everyFrame = DecodeOptions()
        everyFrame.videoSamplesPerSecond = nil
        var full = PictureLog()
        let fullReport = try MediaReader(path: path).decode(into: &full, options: everyFrame)
        #expect(fastReport.frameSkipping == "bidirectional")
        #expect(fullReport.frameSkipping == "none")
        // One frame in four is an I- or P-frame.
        #expect(fastReport.videoFramesDecoded * 3 < fullReport.videoFramesDecoded)
        #expect(fastReport.corruptPackets == 0)
        let byTime = Dictionary(full.pictures.map { (($0.time * 1000).rounded(), $0.checksum) }, uniquingKeysWith: { a, _ in a })
        #expect(fast.pictures.count >= 8 * 5 - 2)
        for picture in fast.pictures {
            #expect(byTime[(picture.time * 1000).rounded()] == picture.checksum, "picture at \(picture.time) s")
        }
        // Samples stay about 1/5 s apart: 7.5 I- and P-frames a second.
        for (a, b) in zip(fast.pictures, fast.pictures.dropFirst()) { #expect(b.time - a.time < 0.27) }
    }

    /// At 15 frames a second, I- and P-frames alone (3.75 a second) are too few for 5 samples a second:
    /// the decoder goes back to keeping B-frames that others refer to, and sampling stays even.
    @Test func tooFewReferencePicturesFallBackToNonReferenceSkipping() throws {
        let dir = try TestMedia.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("slow.mp4").path
        try Self.lesson(path, seconds: 12, rate: 15)
        var log = PictureLog()
        let report = try MediaReader(path: path).decode(into: &log, options: Self.options(parts: 1))
        #expect(report.frameSkipping == "non-reference")
        let late = log.pictures.filter { $0.time > 6 }
        for (a, b) in zip(late, late.dropFirst()) { #expect(b.time - a.time < 0.27) }
    }

    /// A decoder that keeps every frame but leaves the skippable ones out of the analysis
    /// (`analyseSkippableFrames` off) takes the very pictures the skipping decoder decodes: B-frames left out
    /// at 30 fps; at 15 fps, after the switch at a key frame, the frames nothing refers to, told from their
    /// packets, length-prefixed (MP4) or with start codes (MPEG-TS); in one pass and in two parts.
    @Test func fullDecodeLeavingSkippableFramesOutTakesTheFastPictures() throws {
        let dir = try TestMedia.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var mirror = DecodeOptions()
        mirror.analyseSkippableFrames = false
        for (rate, ext, seconds, parts) in [(30, "mp4", 12, 1), (15, "mp4", 12, 1), (15, "ts", 12, 1), (15, "mp4", 62, 2)] {
            let path = dir.appendingPathComponent("lesson\(rate)-\(seconds).\(ext)").path
            try Self.lesson(path, seconds: seconds, rate: rate)
            var fast = PictureLog()
            let fastReport = try MediaReader(path: path).decode(into: &fast, options: Self.options(parts: parts))
            var full = PictureLog()
            mirror.videoParts = parts
            let fullReport = try MediaReader(path: path).decode(into: &full, options: mirror)
            #expect(fastReport.frameSkipping == (rate == 30 ? "bidirectional" : "non-reference"))
            #expect(fullReport.frameSkipping == "none" && fullReport.videoFramesDecoded > fastReport.videoFramesDecoded)
            #expect(fullReport.videoParts == parts && fastReport.videoParts == parts)
            // 5 a second (at 15 fps 3.75 until the switch, 4 s and more in).
            #expect(fast.pictures.count >= seconds * 5 - (rate == 30 ? 2 : 6))
            #expect(fast.pictures == full.pictures, "\(rate) fps \(ext), \(parts) part(s)")
        }
        // With every frame analysed, a full decode takes B-frames too: other pictures.
        var every = PictureLog()
        let path = dir.appendingPathComponent("lesson15-12.mp4").path
        _ = try MediaReader(path: path).decode(into: &every, options: DecodeOptions())
        var fast = PictureLog()
        _ = try MediaReader(path: path).decode(into: &fast, options: Self.options(parts: 1))
        #expect(every.pictures != fast.pictures)
    }

    /// The video split in two halves decoded at once gives the same pictures, at the same times, as one
    /// pass, and all the sound; the second half starts at a key frame near the middle.
    @Test func twoPartsGiveThePicturesOfOnePass() throws {
        let dir = try TestMedia.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("long.mp4").path
        try Self.lesson(path, seconds: 70)
        for skipB in [true, false] {
            var one = PictureLog()
            let oneReport = try MediaReader(path: path).decode(into: &one, options: Self.options(parts: 1, skipB: skipB))
            var two = PictureLog()
            let twoReport = try MediaReader(path: path).decode(into: &two, options: Self.options(parts: 2, skipB: skipB))
            #expect(oneReport.videoParts == 1 && one.mergedAt == nil)
            #expect(twoReport.videoParts == 2)
            let boundary = try #require(two.mergedAt)
            #expect(abs(boundary - (34 + MediaReader.videoPartLeadSeconds)) < 0.1, "key frames every 2 s: 34 s is the last before 35 s")
            #expect(one.pictures == two.pictures)
            #expect(one.pictures.count >= 70 * 5 - 2)
            #expect(one.audioSamples == two.audioSamples)
            #expect(abs(twoReport.decodedSeconds - oneReport.decodedSeconds) < 0.05)
            #expect(twoReport.corruptPackets == 0 && twoReport.warnings.isEmpty, "\(twoReport.warnings)")
        }
    }

    /// Short lessons, and large pictures (two decoders' memory), are decoded in one pass.
    @Test func shortOrLargeLessonsAreOnePass() throws {
        let dir = try TestMedia.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("short.mp4").path
        try Self.lesson(path, seconds: 20)
        var log = PictureLog()
        #expect(try MediaReader(path: path).decode(into: &log, options: Self.options(parts: 2)).videoParts == 1)
        let long = dir.appendingPathComponent("long.mp4").path
        try Self.lesson(long, seconds: 62)
        var options = Self.options(parts: 2)
        options.videoPartsMaxPixels = 320 * 180 - 1
        #expect(try MediaReader(path: long).decode(into: &log, options: options).videoParts == 1)
        options.videoPartsMaxPixels = 320 * 180
        #expect(try MediaReader(path: long).decode(into: &log, options: options).videoParts == 2)
    }
}

/// Damage in the later half, which the second thread decodes: no crash, no hang, the damage said.
@Suite struct FastDecodeDamageTests {
    /// A 70 s lesson with its index at the front, so a damaged or missing end still opens.
    static func longLesson(_ dir: URL) throws -> String {
        let path = dir.appendingPathComponent("front.mp4").path
        try FastDecodeTests.lesson(path, seconds: 70, faststart: true)
        return path
    }

    /// The index at the front, the data cut at 75 %: both halves stop where the data does, and the
    /// lesson is reported cut off; the pictures before the cut are those of one pass.
    @Test func cutOffInTheLaterHalf() throws {
        let dir = try TestMedia.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try Self.longLesson(dir)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: UInt64(size * 3 / 4))
        try handle.close()
        var two = PictureLog()
        let report = try MediaReader(path: path).decode(into: &two, options: FastDecodeTests.options(parts: 2))
        var one = PictureLog()
        _ = try MediaReader(path: path).decode(into: &one, options: FastDecodeTests.options(parts: 1))
        #expect(report.videoParts == 2)
        #expect(report.truncated)
        #expect(report.decodedSeconds > 40 && report.decodedSeconds < 60)
        #expect(two.pictures == one.pictures)
    }

    /// Garbage over a stretch of the later half: counted as corrupt, the rest decoded, pictures at the end.
    @Test func garbageInTheLaterHalf() throws {
        let dir = try TestMedia.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try Self.longLesson(dir)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seek(toOffset: UInt64(size * 7 / 10))
        var state: UInt64 = 42    // the same garbage every run
        handle.write(Data((0..<(size / 20)).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 56)
        }))
        try handle.close()
        var two = PictureLog()
        let report = try MediaReader(path: path).decode(into: &two, options: FastDecodeTests.options(parts: 2))
        #expect(report.videoParts == 2)
        #expect(report.corruptPackets > 0)
        #expect(report.warnings.contains { $0.code == "damaged-packets" && $0.message.contains("corrupt") })
        #expect(two.pictures.last.map { $0.time > 65 } == true)
        #expect(two.pictures.count > 300)
    }
}
