import Foundation
import MediaIO
import Testing

@Suite struct DecodeTests {
    @Test func iPhoneRecordingDecodesBothStreams() throws {
        let reader = try MediaReader(path: TestMedia.fixture("jsonize__iphone_rotated_iPhone4S.mov"))
        var sink = CollectingSink()
        let report = try reader.decode(into: &sink)
        // 192 wide, aspect of the stored 568x320 picture kept: 192 × 320 / 568 = 108.2 → 108.
        #expect(sink.frameSizes.allSatisfy { $0 == (192, 108) })
        // Five analysis pictures a second over 2.2 s, chosen by timestamp.
        #expect((10...12).contains(sink.frameTimes.count))
        #expect(sink.frameTimes.first.map { $0 < 0.05 } == true)
        for (a, b) in zip(sink.frameTimes, sink.frameTimes.dropFirst()) {
            #expect(abs((b - a) - 0.2) < 0.05)
        }
        #expect(abs(Double(sink.samples.count) / Double(DecodeOptions().audioSampleRate) - 2.2) < 0.05)
        #expect(abs(report.decodedSeconds - 2.2) < 0.06)
        #expect(report.corruptPackets == 0)
        #expect(!report.truncated)
    }

    @Test func everyFrameModeKeepsPresentationTimestamps() throws {
        let dir = try TestMedia.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("vfr.mp4").path
        try makeVariableFrameRate(path)
        var options = DecodeOptions()
        options.videoSamplesPerSecond = nil
        var sink = CollectingSink()
        _ = try MediaReader(path: path).decode(into: &sink, options: options)
        // 30 frames in the first second (1/30 s apart), then every third frame (0.1 s apart).
        let first = sink.frameTimes.filter { $0 < 0.999 }
        let rest = sink.frameTimes.filter { $0 >= 0.999 }
        #expect(first.count == 30)
        #expect(rest.count == 20)
        for (a, b) in zip(first, first.dropFirst()) { #expect(abs((b - a) - 1.0 / 30) < 0.002) }
        for (a, b) in zip(rest, rest.dropFirst()) { #expect(abs((b - a) - 0.1) < 0.002) }
    }

    @Test func sampledModePicksFramesByTimestampOnVariableRate() throws {
        let dir = try TestMedia.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("vfr.mp4").path
        try makeVariableFrameRate(path)
        var options = DecodeOptions()
        options.videoSamplesPerSecond = 5
        var sink = CollectingSink()
        _ = try MediaReader(path: path).decode(into: &sink, options: options)
        // 3 s at 5 a second: 15 pictures, each within one source frame of the 0.2 s grid.
        #expect(sink.frameTimes.count == 15)
        for (k, t) in sink.frameTimes.enumerated() {
            #expect(abs(t - Double(k) * 0.2) < 0.101, "picture \(k) at \(t)")
        }
    }

    @Test(arguments: ["speech_recognition__english.wav", "audio-mono-8-bit-44100Hz.wav", "audio-mono-24-bit-44100Hz.wav",
                      "audio-mono-32-bit-44100Hz.wav", "audio-stereo-16-bit-44100Hz.aiff", "audio-stereo-24-bit-44100Hz.flac"])
    func oneTwoThreeWordsAtTheirTimes(name: String) throws {
        var sink = CollectingSink()
        _ = try MediaReader(path: TestMedia.fixture(name)).decode(into: &sink)
        #expect(sink.frameTimes.isEmpty)
        #expect(sink.firstAudioTime == 0)
        let words = WordFinder.bursts(sink.samples, rate: DecodeOptions().audioSampleRate)
        let expected: [(Double, Double)] = [(0.06, 0.44), (1.05, 1.47), (2.07, 2.52)]
        #expect(words.count == 3, "\(name): \(words)")
        for (found, truth) in zip(words, expected) {
            #expect(abs(found.0 - truth.0) <= 0.02 + 1e-9, "\(name): word starts at \(found.0), expected \(truth.0)")
            #expect(abs(found.1 - truth.1) <= 0.02 + 1e-9, "\(name): word ends at \(found.1), expected \(truth.1)")
        }
    }

    @Test func stereoIsTheMeanOfItsChannels() throws {
        let dir = try TestMedia.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("lr.wav").path
        // Left a 0.5 sine, right silent: the mono mean has amplitude 0.25, RMS 0.25/√2 = 0.1768.
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "aevalsrc=exprs=0.5*sin(2*PI*1000*t)|0:sample_rate=16000:duration=1",
                              "-c:a", "pcm_f32le", path])
        var sink = CollectingSink()
        _ = try MediaReader(path: path).decode(into: &sink)
        let middle = sink.samples[1000..<15000]
        let rms = (middle.reduce(0) { $0 + Double($1) * Double($1) } / Double(middle.count)).squareRoot()
        #expect(abs(rms - 0.1768) < 0.001)
    }

    @Test func skippingNonReferenceFramesStillSamplesEveryInterval() throws {
        let dir = try TestMedia.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("bframes.mp4").path
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30:duration=4",
                              "-c:v", "libx264", "-bf", "3", "-g", "60", "-pix_fmt", "yuv420p", path])
        var options = DecodeOptions()
        options.skipNonReferenceFrames = true
        options.skipLoopFilter = true
        var fast = CollectingSink()
        let fastReport = try MediaReader(path: path).decode(into: &fast, options: options)
        var full = CollectingSink()
        let fullReport = try MediaReader(path: path).decode(into: &full)
        #expect(fastReport.videoFramesDecoded < fullReport.videoFramesDecoded)
        #expect(fast.frameTimes.count == full.frameTimes.count)
        for (a, b) in zip(fast.frameTimes, full.frameTimes) { #expect(abs(a - b) < 0.11) }
    }

    @Test func onlyWhatIsAskedIsDecoded() throws {
        var options = DecodeOptions()
        options.decodeAudio = false
        var sink = CollectingSink()
        let report = try MediaReader(path: TestMedia.fixture("jsonize__iphone_rotated_iPhone4S.mov")).decode(into: &sink, options: options)
        #expect(sink.samples.isEmpty && report.audioSamplesEmitted == 0)
        #expect(!sink.frameTimes.isEmpty)
    }
}

/// Word bursts by energy in 10 ms frames, relative to the recording's own noise floor.
enum WordFinder {
    static func bursts(_ samples: [Float], rate: Int) -> [(Double, Double)] {
        let hop = rate / 100
        let frames = samples.count / hop
        var db = [Double](repeating: -120, count: frames)
        for i in 0..<frames {
            var sum = 0.0
            for s in samples[(i * hop)..<((i + 1) * hop)] { sum += Double(s) * Double(s) }
            db[i] = 10 * log10(max(sum / Double(hop), 1e-12))
        }
        let sorted = db.sorted()
        let floor = sorted[sorted.count / 10]
        let peak = sorted[sorted.count - 1]
        // 32 dB under the peak, but never within 4.5 dB of the floor (the 8-bit file's floor is −46 dBFS).
        let threshold = max(floor + 4.5, peak - 32)
        // Runs of loud frames; runs under 50 ms are noise.
        var runs: [(Double, Double)] = []
        var start: Int? = nil
        for i in 0...frames {
            let loud = i < frames && db[i] > threshold
            if loud, start == nil { start = i }
            if !loud, let s = start {
                if i - s > 5 { runs.append((Double(s) / 100, Double(i) / 100)) }
                start = nil
            }
        }
        return runs
    }
}
