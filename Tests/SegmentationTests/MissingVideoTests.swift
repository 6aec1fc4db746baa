import Foundation
@testable import Segmentation
import Testing

/// Key-frame bursts leave steps whose motion was not measured: they are missing, not frozen (issue 17).
@Suite struct MissingVideoTests {
    /// Pictures at 5 a second in bursts of two after a key frame each second (the rest not decoded), with
    /// every pair measured (`motionPairSeconds` 0): the pair in each burst is measured, the pictures across
    /// a gap are not compared, and the steps between are missing.
    @Test func picturesAfterAGapAreNotComparedAndTheGapIsMissing() {
        var config = SegmentationConfig()
        config.features.motionPairSeconds = 0
        var extractor = FeatureExtractor(config: config, transform: ReferenceFFT(size: config.features.fftSize))
        var full = FeatureExtractor(config: config, transform: ReferenceFFT(size: config.features.fftSize))
        for i in 0..<100 {                                   // 20 s
            let t = Double(i) * 0.2
            let pixels = VideoFeaturesTests.picture(i)
            pixels.withUnsafeBufferPointer { p in
                full.consume(picture: p, width: 64, height: 36, time: t)
                // Only the key frame (each second) and the picture after it; the key frame follows a gap.
                if i % 5 <= 1 { extractor.consume(picture: p, width: 64, height: 36, time: t, afterGap: i % 5 == 0 && i > 0) }
            }
        }
        let bursts = extractor.finish(), whole = full.finish()
        #expect(whole.videoMissing == nil)
        let missing = try! #require(bursts.videoMissing)
        #expect(bursts.stepCount == whole.stepCount - 1)    // the last picture is a key frame's (19.8 s is not decoded)
        for s in 0..<(bursts.stepCount - 1) {
            // Step 2k holds the pair (2k/2 s, +0.2 s); step 2k+1 has no picture.
            #expect(missing[s] == (s % 2 == 1), "step \(s)")
            if s % 2 == 0 { #expect(bursts.motion[s] > 0) }
        }
        // The measured pairs are the very pairs of a full decode at those times (one of the two there).
        #expect(abs(bursts.motion[2] - whole.motion[2]) < whole.motion[2])
    }

    /// With one pair a second (the default), the same bursts measure what decoding every picture measures:
    /// each second's pair is the burst's, held over both of the second's steps, and nothing is missing. Also
    /// after a scene cut moves the key frames off the whole seconds (from 6.6 s on): a key frame's first
    /// picture restarts the intervals.
    @Test(arguments: [false, true]) func onePairASecondMakesBurstsMeasureWhatEveryPictureDoes(sceneCut: Bool) {
        let config = SegmentationConfig()
        #expect(config.features.motionPairSeconds == 1)
        // The key frames' first pictures, in hundredths of a second (on the 0.2 s grid).
        let anchors = Set(sceneCut ? Array(stride(from: 0, through: 600, by: 100)) + Array(stride(from: 660, to: 2000, by: 100))
                                   : Array(stride(from: 0, to: 2000, by: 100)))
        var extractor = FeatureExtractor(config: config, transform: ReferenceFFT(size: config.features.fftSize))
        var full = FeatureExtractor(config: config, transform: ReferenceFFT(size: config.features.fftSize))
        for i in 0..<100 {                                   // 20 s
            let (t, centis) = (Double(i) * 0.2, i * 20)
            let key = anchors.contains(centis)
            let pixels = VideoFeaturesTests.picture(i)
            pixels.withUnsafeBufferPointer { p in
                full.consume(picture: p, width: 64, height: 36, time: t, afterKey: key)
                // A burst: the key frame's picture (after a gap) and the one after it.
                if key || anchors.contains(centis - 20) {
                    extractor.consume(picture: p, width: 64, height: 36, time: t, afterGap: key && i > 0, afterKey: key)
                }
            }
        }
        let bursts = extractor.finish(), whole = full.finish()
        #expect(bursts.videoMissing == nil && whole.videoMissing == nil)
        #expect(bursts.stepCount >= whole.stepCount - 2)    // the last second's later pictures are not decoded
        for s in 0..<bursts.stepCount {
            #expect(bursts.motion[s] == whole.motion[s] && bursts.localMotion[s] == whole.localMotion[s]
                    && bursts.cameraSpeed[s] == whole.cameraSpeed[s] && bursts.luma[s] == whole.luma[s], "step \(s)")
        }
        #expect(bursts.motion.contains { $0 > 0 })
    }

    /// Without any sound, a still class filmed at a low bitrate gives identical pictures for seconds: such a
    /// frozen picture is not "no usable signal" unless it lasts `deadWithoutSoundMinSeconds`; with sound, a
    /// frozen picture in digital silence is, however short.
    @Test func aShortFrozenPictureWithoutSoundIsAStillClass() {
        let n = 240  // 120 s
        var motion = [Double](repeating: 0.6, count: n)
        for i in 40..<56 { motion[i] = 0 }          // 8 s frozen
        for i in 120..<200 { motion[i] = 0 }        // 40 s frozen
        let segmenter = Segmenter()
        let silent = FeatureSeries(stepSeconds: 0.5, motion: motion, audioDb: [Double?](repeating: nil, count: n))
        let dead = segmenter.deadSteps(silent)
        #expect(!dead[40..<56].contains(true), "8 s of a still picture without sound is a still class")
        #expect(!dead[120..<200].contains(false), "40 s is the recording stopped")
        #expect(!dead[0..<40].contains(true) && !dead[200...].contains(true))
        var withSound = [Double?](repeating: -40, count: n)
        for i in 40..<56 { withSound[i] = -200 }    // digital silence with the frozen picture
        let glitch = FeatureSeries(stepSeconds: 0.5, motion: motion, audioDb: withSound)
        #expect(!segmenter.deadSteps(glitch)[40..<56].contains(false))
        // A black picture is no usable signal however short, sound or none.
        var luma = [Double?](repeating: 120, count: n)
        for i in 40..<56 { luma[i] = 5 }
        let black = FeatureSeries(stepSeconds: 0.5, motion: motion, luma: luma, audioDb: [Double?](repeating: nil, count: n))
        #expect(!segmenter.deadSteps(black)[40..<56].contains(false))
    }

    /// A lesson whose every other step is missing: the silent steps among them are not frozen (dead) where
    /// the picture around them moves, and the transition score there is its neighbours'.
    @Test func missingStepsAreHeldNotFrozen() {
        let n = 400  // 200 s
        var motion = [Double](repeating: 0.5, count: n), spread = [Double](repeating: 0.02, count: n)
        var db = [Double?](repeating: -35, count: n), variation = [Double?](repeating: 8, count: n)
        var luma = [Double?](repeating: 120, count: n)
        for i in 100..<180 { motion[i] = 3; spread[i] = 0.6; db[i] = -25; variation[i] = 3 }
        for i in 0..<n where i % 7 == 0 { motion[i] += 0.2 }
        let complete = FeatureSeries(stepSeconds: 0.5, motion: motion, localMotion: motion, motionSpread: spread,
                                     luma: luma, audioDb: db, audioVariation: variation)
        var missing = [Bool](repeating: false, count: n)
        for i in stride(from: 1, to: n, by: 2) {
            missing[i] = true
            motion[i] = 0; spread[i] = 0; luma[i] = nil
        }
        for i in 300..<340 { db[i] = -95 }                  // a silent stretch with a moving picture
        let gappy = FeatureSeries(stepSeconds: 0.5, motion: motion, localMotion: motion, motionSpread: spread,
                                  luma: luma, audioDb: db, audioVariation: variation, videoMissing: missing)
        let segmenter = Segmenter()
        let dead = segmenter.deadSteps(gappy)
        #expect(!dead[301] && !dead[321], "a missing picture in silence is not a frozen one")
        // Read as frozen (no videoMissing), the same steps would be dead.
        var asFrozen = gappy
        asFrozen.videoMissing = nil
        #expect(segmenter.deadSteps(asFrozen)[301])
        // The score at a missing step is close to the complete lesson's there, in calm and in the transition.
        let a = segmenter.transitionScores(complete, dead: segmenter.deadSteps(complete))
        let b = segmenter.transitionScores(gappy, dead: dead)
        for i in [51, 141, 251] {
            let (x, y) = (try! #require(a[i]), try! #require(b[i]))
            #expect(abs(x - y) < 0.5, "step \(i): \(x) against \(y)")
        }
        let segments = segmenter.segments(gappy, duration: 200).filter { $0.kind == .transition }
        #expect(segments.count == 1)
        if let t = segments.first { #expect(abs(t.start - 50) <= 3 && abs(t.end - 90) <= 3, "\(segments)") }
    }

    /// Two stretches merged: each side's gaps stay on its side of the boundary (every pair measured); with
    /// one pair a second, nothing is missing on either side.
    @Test(arguments: [0.0, 1.0]) func gapsSurviveTheMergeOfTwoParts(pairSeconds: Double) {
        var config = SegmentationConfig()
        config.features.motionPairSeconds = pairSeconds
        var first = FeatureExtractor(config: config, transform: ReferenceFFT(size: config.features.fftSize))
        var part = first.makeVideoPart()
        var whole = FeatureExtractor(config: config, transform: ReferenceFFT(size: config.features.fftSize))
        let boundary = 32.0
        for i in 0..<300 where i % 5 <= 1 {
            let t = Double(i) * 0.2
            VideoFeaturesTests.picture(i).withUnsafeBufferPointer { p in
                let gap = i % 5 == 0 && i > 0
                whole.consume(picture: p, width: 64, height: 36, time: t, afterGap: gap)
                if t < boundary { first.consume(picture: p, width: 64, height: 36, time: t, afterGap: gap) }
                if t >= 30 { part.consume(picture: p, width: 64, height: 36, time: t, afterGap: gap && t > 30) }
            }
        }
        first.mergeVideo(part, from: boundary)
        let a = whole.finish(), b = first.finish()
        #expect(a == b)
        #expect(a.videoMissing?.filter { $0 }.count == (pairSeconds == 0 ? 59 : nil))
    }

    /// An absurd interval (a configuration file's 1e-300 s) measures every pair rather than trapping.
    @Test func anAbsurdlySmallPairIntervalDoesNotTrap() {
        var config = SegmentationConfig()
        config.features.motionPairSeconds = 1e-300
        var extractor = FeatureExtractor(config: config, transform: ReferenceFFT(size: config.features.fftSize))
        for i in 0..<50 {
            VideoFeaturesTests.picture(i).withUnsafeBufferPointer { p in
                extractor.consume(picture: p, width: 64, height: 36, time: Double(i) * 0.2, afterKey: i % 5 == 0)
            }
        }
        let series = extractor.finish()
        #expect(series.stepCount == 20 && series.videoMissing == nil)
        #expect(series.motion.dropFirst().allSatisfy { $0 > 0 })
    }
}
