import Foundation
import MediaIO
import Testing
@testable import Segmentation

/// The feature signals against FFmpeg's own filters on the same file, with the same sampling and scaling
/// (the `ffmpeg` tool as a test oracle only):
/// - motion: `signalstats` YDIF of the luma plane, every third picture of the 15 fps lesson (our 5 a
///   second), shrunk to 192×108 with the same area filter, averaged over each 0.5 s step;
/// - level: `astats` RMS level of the channels' mean resampled to 16 kHz, over each step's 8000 samples.
@Suite struct FFmpegCrossCheckTests {   // ffmpeg is one of the packages `make test` installs: never skipped
    static let lesson = TestSupport.repoRoot.appendingPathComponent("Fixtures/lessons/typical_start.mp4").path

    /// Both sides decode the same frames and shrink them with the same libswscale filter, so the only
    /// difference is arithmetic and ffmpeg's six printed digits: the step averages must agree to 0.001
    /// luma levels or 0.01%, whichever is larger (measured: within 4e-6).
    static let motionTolerance = (levels: 0.001, relative: 0.0001)
    /// The channel mean and resampling are both libswresample's, in one pass here and in two filters
    /// there (`pan`, then `aresample`), whose float rounding differs slightly: 0.01 dB (measured: 0.001).
    static let levelToleranceDb = 0.01

    /// The lesson's features from a full decode (no skipped frames or loop filter: the oracle decodes
    /// everything); `pairSeconds`: `features.motionPairSeconds` (0: every pair, averaged per step).
    static func features(pairSeconds: Double = 0) throws -> FeatureSeries {
        let reader = try MediaReader(path: lesson)
        var config = SegmentationConfig()
        config.features.motionPairSeconds = pairSeconds
        var extractor = FeatureExtractor(config: config, transform: RealFFT(size: config.features.fftSize))
        _ = try reader.decode(into: &extractor, options: DecodeOptions())
        return extractor.finish()
    }

    static func ydif() throws -> [(time: Double, value: Double)] {
        let key = "lavfi.signalstats.YDIF"
        return try metadata(
            ["-i", lesson, "-an", "-vf",
             "select='not(mod(n\\,3))',extractplanes=y,scale=192:108:flags=area,signalstats,metadata=print:key=\(key):file=-"],
            key: key)
    }

    /// `(pts_time, value)` of each frame of an ffmpeg filter graph ending in `metadata=print:key=KEY`.
    static func metadata(_ arguments: [String], key: String) throws -> [(time: Double, value: Double)] {
        let text = try TestSupport.run(["ffmpeg", "-v", "error", "-nostdin"] + arguments + ["-f", "null", "-"])
        var out: [(Double, Double)] = []
        var time: Double?
        for line in text.split(separator: "\n") {
            if line.hasPrefix("frame:"), let r = line.range(of: "pts_time:") {
                time = Double(line[r.upperBound...].trimmingCharacters(in: .whitespaces))
            } else if line.hasPrefix(key + "="), let t = time, let v = Double(line.dropFirst(key.count + 1)) {
                out.append((t, v))
                time = nil
            }
        }
        return out
    }

    @Test func motionMatchesSignalstatsYDIF() throws {
        let series = try Self.features()
        let frames = try Self.ydif()
        #expect(frames.count > 800)
        // Per step: the mean YDIF of the pictures shown in it (the first picture has no pair).
        var sums = [Double](repeating: 0, count: series.stepCount), counts = [Int](repeating: 0, count: series.stepCount)
        for (t, v) in frames.dropFirst() {
            let step = Int((t / series.stepSeconds + 1e-6).rounded(.down))
            guard step < series.stepCount else { continue }
            sums[step] += v
            counts[step] += 1
        }
        var compared = 0, worst = 0.0
        for i in 0..<series.stepCount where counts[i] > 0 {
            let expected = sums[i] / Double(counts[i])
            let got = series.motion[i]
            let error = abs(got - expected)
            worst = max(worst, error)
            #expect(error <= max(Self.motionTolerance.levels, Self.motionTolerance.relative * expected),
                    "step \(i): motion \(got), signalstats YDIF \(expected)")
            compared += 1
        }
        #expect(compared >= series.stepCount - 2, "compared \(compared) of \(series.stepCount) steps")
        #expect(series.motion.max()! > 1, "the lesson should move")
        print("motion vs YDIF: \(compared) steps, worst difference \(worst) levels")
    }

    /// With one pair a second (the default, `features.motionPairSeconds` 1): each second's motion is the
    /// YDIF of its first pair (the pair whose earlier picture is the second's first), in both of its steps.
    @Test func onePairASecondIsEachSecondsFirstPair() throws {
        let series = try Self.features(pairSeconds: 1)
        let frames = try Self.ydif()
        // YDIF of picture k compares it with picture k-1: the pair whose earlier picture is at frames[k-1].
        var firstPair: [Int: Double] = [:]
        for k in 1..<frames.count {
            let second = Int((frames[k - 1].time + 1e-6).rounded(.down))
            if firstPair[second] == nil { firstPair[second] = frames[k].value }
        }
        var compared = 0
        for i in 0..<series.stepCount {
            let t = Double(i) * series.stepSeconds
            // A pair lands in the step of its later picture (0.2 s into the second): both steps hold it.
            guard let expected = firstPair[Int((t + 1e-6).rounded(.down))], i >= 1 else { continue }
            let got = series.motion[i]
            #expect(abs(got - expected) <= max(Self.motionTolerance.levels, Self.motionTolerance.relative * expected),
                    "step \(i): motion \(got), the second's first YDIF \(expected)")
            compared += 1
        }
        #expect(compared >= series.stepCount - 3, "compared \(compared) of \(series.stepCount) steps")
    }

    @Test func levelMatchesAstatsRMS() throws {
        let series = try Self.features()
        let key = "lavfi.astats.Overall.RMS_level"
        let hops = try Self.metadata(
            ["-i", Self.lesson, "-vn", "-af",
             "pan=mono|c0=0.5*c0+0.5*c1,aresample=32000,asetnsamples=n=16000:p=0,astats=metadata=1:reset=1,"
             + "ametadata=print:key=\(key):file=-"],
            key: key)
        #expect(hops.count >= series.stepCount - 1)
        var compared = 0, worst = 0.0
        for (t, expected) in hops {
            let step = Int((t / series.stepSeconds).rounded())
            guard step < series.stepCount, let got = series.audioDb[step], expected > -60,
                  t + series.stepSeconds <= Double(series.stepCount) * series.stepSeconds else { continue }
            let error = abs(got - expected)
            worst = max(worst, error)
            #expect(error <= Self.levelToleranceDb, "step \(step): level \(got) dBFS, astats RMS \(expected)")
            compared += 1
        }
        #expect(compared >= series.stepCount - 2, "compared \(compared) of \(series.stepCount) steps")
        print("level vs astats RMS: \(compared) steps, worst difference \(worst) dB")
    }
}
