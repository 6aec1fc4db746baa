import Foundation
import MediaIO
import Testing

/// Untrusted uploads: each bad input fails with the right kind and a message naming the file, and
/// nothing else is opened.
@Suite struct BadInputTests {
    func expectFailure(_ path: String, _ kind: MediaError.Kind, mentioning words: String? = nil) {
        do {
            _ = try MediaProbe.probe(path)
            Issue.record("\(path) was accepted")
        } catch {
            #expect(error.kind == kind, "\(path): \(error)")
            #expect(error.description.hasPrefix(path))
            #expect(!error.description.contains("\n"))
            if let words { #expect(error.description.contains(words), "\(error)") }
        }
    }

    func write(_ text: String, _ name: String, in dir: URL) throws -> String {
        let url = dir.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test func missingDirectoryAndEmpty() throws {
        let dir = try TestMedia.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        expectFailure(dir.appendingPathComponent("nope.mp4").path, .cannotOpen, mentioning: "no such file")
        expectFailure(dir.path, .cannotOpen, mentioning: "directory")
        let empty = try write("", "empty.mp4", in: dir)
        expectFailure(empty, .notMedia, mentioning: "empty")
    }

    @Test func fifoIsRefusedWithoutBlocking() throws {
        let dir = try TestMedia.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("pipe.mp4").path
        #expect(mkfifo(path, 0o644) == 0)
        expectFailure(path, .cannotOpen, mentioning: "not a regular file")
    }

    @Test func textAndHTMLNamedMP4() throws {
        let dir = try TestMedia.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        expectFailure(try write("These are my lesson notes.\nNothing to see.\n", "notes.mp4", in: dir), .notMedia)
        expectFailure(try write("<!DOCTYPE html><html><body>Upload failed</body></html>\n", "page.mp4", in: dir), .notMedia)
    }

    @Test func brokenAndInterruptedRecordings() {
        expectFailure(TestMedia.fixture("jsonize__broken-wav.wav"), .notMedia)
        expectFailure(TestMedia.fixture("DERIVED_iphone_rotated_first80000bytes_moov_missing.mov"), .incomplete,
                      mentioning: "incomplete")
    }

    @Test func interruptedRecordingCarriesFFmpegsOwnWords() throws {
        do {
            _ = try MediaProbe.probe(TestMedia.fixture("DERIVED_iphone_rotated_first80000bytes_moov_missing.mov"))
            Issue.record("the interrupted recording was accepted")
        } catch {
            #expect(error.call == "avformat_open_input")
            #expect(error.code < 0)
            #expect(error.ffmpegMessage == "Invalid data found when processing input")
            #expect(error.ffmpegLog?.contains("moov atom not found") == true)
        }
    }

    /// Playlists and scripts that would make FFmpeg read other files are refused before anything is read.
    @Test func disguisedPlaylistsAreRefused() throws {
        let dir = try TestMedia.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        // The segment the playlist names must never be touched: it is a FIFO, so opening it would block.
        let bait = dir.appendingPathComponent("segment.ts").path
        #expect(mkfifo(bait, 0o644) == 0)
        let hls = try write("#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10.0,\n\(bait)\n#EXT-X-ENDLIST\n", "lesson.mp4", in: dir)
        expectFailure(hls, .refused, mentioning: "refused")
        let remote = try write("#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10.0,\nhttp://127.0.0.1:9/segment.ts\n", "remote.mp4", in: dir)
        expectFailure(remote, .refused)
        let concat = try write("ffconcat version 1.0\nfile '\(bait)'\n", "concat.mp4", in: dir)
        expectFailure(concat, .refused)
        // An image passed as a lesson (the image-sequence demuxers are not recording containers).
        let png = dir.appendingPathComponent("frame.mp4").path
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc=size=64x48", "-frames:v", "1", "-f", "image2", "-c:v", "png", png])
        expectFailure(png, .refused)
    }

    @Test func urlsAndPatternsAreNotOpened() throws {
        expectFailure("http://127.0.0.1:9/lesson.mp4", .cannotOpen)
        expectFailure("/tmp/bellwork-no-such-dir/img%03d.png", .cannotOpen)
    }

    @Test func noVideoAndNoAudio() throws {
        let dir = try TestMedia.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let srt = try write("1\n00:00:00,000 --> 00:00:02,000\nGood morning\n", "s.srt", in: dir)
        let mkv = dir.appendingPathComponent("subtitles-only.mkv").path
        try TestMedia.ffmpeg(["-i", srt, "-c:s", "copy", mkv])
        expectFailure(mkv, .noStreams, mentioning: "neither video nor audio")
    }

    @Test func videoOnlyAndAudioOnlyAreFine() throws {
        let dir = try TestMedia.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let v = dir.appendingPathComponent("v.mp4").path
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=160x120:duration=1", "-c:v", "libx264", "-pix_fmt", "yuv420p", v])
        let a = dir.appendingPathComponent("a.m4a").path
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac", a])
        let vi = try MediaProbe.probe(v)
        #expect(vi.video != nil && vi.audio == nil)
        let ai = try MediaProbe.probe(a)
        #expect(ai.video == nil && ai.audio != nil)
        var sink = CollectingSink()
        _ = try MediaReader(path: v).decode(into: &sink)
        #expect(sink.frameTimes.count == 5, "\(sink.frameTimes)")
        #expect(sink.samples.isEmpty)
    }

    /// An MP4 whose video `mdhd` timescale is unreadable (2^32-1: FFmpeg takes 1) stamps its frames 1024 s
    /// apart (a fuzzed file of 150 s became a day-long lesson). Such a video is left out with a warning and the
    /// sound is analysed on its own clock; a slow but real picture rate (1 a second) is still decoded.
    @Test func videoStampedFarApartIsLeftOut() throws {
        let dir = try TestMedia.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("lesson.mp4").path
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=96x64:rate=15:duration=20", "-f", "lavfi", "-i", "sine=duration=20",
                              "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-video_track_timescale", "15360",
                              "-c:a", "aac", path])
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        // The first track's media header (the video's): version 0, its timescale 12 bytes after the type.
        let mdhd = try #require(data.range(of: Data("mdhd".utf8))).lowerBound
        #expect(data[mdhd + 4] == 0)
        data.replaceSubrange((mdhd + 16)..<(mdhd + 20), with: [0xFF, 0xFF, 0xFF, 0xFF])
        let damaged = dir.appendingPathComponent("damaged.mp4")
        try data.write(to: damaged)

        let reader = try MediaReader(path: damaged.path)
        #expect((reader.info.video?.averageFrameRate ?? 1) < 0.01)
        #expect(!reader.info.videoIsUsable)
        var sink = CollectingSink()
        let report = try reader.decode(into: &sink)
        #expect(sink.frameTimes.isEmpty)
        #expect(report.videoFramesDecoded == 0)
        #expect(abs(report.decodedSeconds - 20) < 0.5, "\(report.decodedSeconds) s")
        #expect(report.warnings.contains { $0.code == "refused-stream" && $0.message.contains("1024 s apart") }, "\(report.warnings)")

        let slow = dir.appendingPathComponent("slow.mp4").path
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=96x64:rate=1:duration=20", "-c:v", "libx264",
                              "-preset", "ultrafast", "-pix_fmt", "yuv420p", slow])
        let slowReader = try MediaReader(path: slow)
        #expect(slowReader.info.videoIsUsable)
        var slowSink = CollectingSink()
        let slowReport = try slowReader.decode(into: &slowSink)
        #expect(slowSink.frameTimes.count >= 19, "\(slowSink.frameTimes)")
        #expect(!slowReport.warnings.contains { $0.code == "refused-stream" })
    }

    /// The header claims 40 minutes; the data stops at about 4 s. What is there is decoded, with a warning.
    @Test func truncatedAfterTheIndex() throws {
        let dir = try TestMedia.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let full = dir.appendingPathComponent("long.mp4").path
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=64x48:rate=5:duration=2400",
                              "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-pix_fmt", "yuv420p",
                              "-movflags", "+faststart", full])
        let data = try Data(contentsOf: URL(fileURLWithPath: full))
        // With +faststart the index (moov) comes before the media data (mdat); keep the index and about 4 s of data.
        let mdat = try #require(TopLevelBoxes.offset(of: "mdat", in: data))
        let perSecond = (data.count - mdat) / 2400
        let cut = dir.appendingPathComponent("cut.mp4")
        try data.prefix(mdat + 8 + perSecond * 4).write(to: cut)

        let reader = try MediaReader(path: cut.path)
        #expect(abs((reader.info.durationSeconds ?? 0) - 2400) < 1)
        var sink = CollectingSink()
        let report = try reader.decode(into: &sink)
        #expect(report.truncated)
        #expect(report.decodedSeconds > 2 && report.decodedSeconds < 8)
        #expect(report.warnings.contains { $0.code == "truncated" && $0.message.contains("cut off") })
    }

    /// Damaged media data: decoding goes on to the end, and the damage is counted, not fatal.
    @Test func corruptDataIsSkipped() throws {
        let dir = try TestMedia.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let ts = dir.appendingPathComponent("lesson.ts").path
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=6",
                              "-f", "lavfi", "-i", "sine=duration=6",
                              "-c:v", "libx264", "-g", "25", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", ts])
        var data = try Data(contentsOf: URL(fileURLWithPath: ts))
        var generator = SystemRandomNumberGenerator()
        // Scribble over 3% of the file in the middle, in 188-byte transport packets' worth.
        let start = data.count / 3, end = data.count * 2 / 3
        for _ in 0..<(data.count / 188 * 3 / 100) {
            let at = Int.random(in: start..<(end - 188), using: &generator)
            for i in at..<(at + 188) { data[i] = UInt8.random(in: 0...255, using: &generator) }
        }
        let bad = dir.appendingPathComponent("damaged.ts")
        try data.write(to: bad)
        var sink = CollectingSink()
        let report = try MediaReader(path: bad.path).decode(into: &sink)
        #expect(report.decodedSeconds > 5.5)
        #expect(report.corruptPackets > 0)
        #expect(sink.frameTimes.count >= 20)
    }
}

/// Small junk that FFmpeg opens but cannot find streams in (a cut-off FLV, random bytes named like a
/// recording): a failure with one line, never a crash. The context was closed twice when
/// `avformat_find_stream_info` failed (issue 16: SIGSEGV on about 1 in 10 such files).
@Suite struct JunkInputTests {
    /// SplitMix64: the same junk on every run.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Opens `path` as `probe` and `analyze` do; true when it was accepted. A failure must be one line naming it.
    func openQuietly(_ path: String) -> Bool {
        do {
            _ = try MediaProbe.probe(path)
            var sink = CollectingSink()
            sink.keepAudio = false
            _ = try MediaReader(path: path).decode(into: &sink)
            return true
        } catch {
            #expect(error.description.hasPrefix(path), "\(error)")
            #expect(!error.description.contains("\n"), "\(error)")
            #expect(error.kind != .cannotOpen, "\(error)")
            return false
        }
    }

    @Test func truncatedFLVFailsWithoutCrashing() throws {
        let dir = try TestMedia.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let flv = dir.appendingPathComponent("whole.flv").path
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=160x120:rate=15:duration=2", "-f", "lavfi", "-i", "sine=duration=2",
                              "-c:v", "flv1", "-c:a", "mp3", "-shortest", flv])
        let data = try Data(contentsOf: URL(fileURLWithPath: flv))
        for size in stride(from: 100, through: 160, by: 5) {
            let cut = dir.appendingPathComponent("cut-\(size).flv")
            try data.prefix(size).write(to: cut)
            #expect(!openQuietly(cut.path), "\(size) bytes accepted")
        }
    }

    @Test func twoHundredRandomFilesNamedLikeRecordings() throws {
        let dir = try TestMedia.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var generator = SeededGenerator(state: 16)
        let extensions = ["flv", "mp4", "mkv", "mp3", "mov", "wav"]
        for i in 0..<200 {
            let size = Int.random(in: 16...600, using: &generator)
            let bytes = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let file = dir.appendingPathComponent("junk-\(i).\(extensions[i % extensions.count])")
            try Data(bytes).write(to: file)
            _ = openQuietly(file.path)
        }
    }
}

/// Offsets of an MP4's top-level boxes.
enum TopLevelBoxes {
    static func offset(of type: String, in data: Data) -> Int? {
        var at = 0
        while at + 8 <= data.count {
            let size = data[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) }
            let name = String(decoding: data[(at + 4)..<(at + 8)], as: UTF8.self)
            if name == type { return at }
            guard size >= 8 else { return nil }
            at += size
        }
        return nil
    }
}
