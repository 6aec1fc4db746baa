import Foundation
import MediaIO
import MediaSamples
import Segmentation
import SignalTestSupport
import Testing
@testable import Bellwork

/// The sound's features measured on a thread of their own (`AudioFeatureThread`, behind `SplitFeatureSink`) are
/// exactly those of feeding the same chunks to the extractor on one thread.
@Suite struct AudioFeatureThreadTests {
    static let rate = 32_000

    /// A minute of room tone with voices' level changes and a held two-partial ring at 20 s.
    static func sound() -> [Float] {
        var mix = SyntheticSound.roomNoise(seconds: 60, db: -45, seed: 11, rate: rate)
        let ring = (0..<(3 * rate)).map { i -> Float in
            let t = Double(i) / Double(rate)
            return Float(0.2 * sin(2 * .pi * 880 * t) + 0.1 * sin(2 * .pi * 1760 * t))
        }
        SyntheticSound.mixIn(ring, into: &mix, at: 20, gain: 1, rate: rate)
        let burst = SyntheticSound.roomNoise(seconds: 8, db: -25, seed: 3, rate: rate)
        SyntheticSound.mixIn(burst, into: &mix, at: 35, gain: 1, rate: rate)
        return mix
    }

    static func extractor() -> FeatureExtractor {
        let config = SegmentationConfig()
        return FeatureExtractor(config: config, sampleRate: rate, transform: RealFFT(size: config.features.fftSize),
                                fineTransform: RealFFT(size: config.bellTracker.fineFftSize))
    }

    /// Chunks of uneven sizes (a decoder's frames after resampling are not all alike), starting at 0.5 s.
    static func chunks(_ count: Int) -> [Range<Int>] {
        let sizes = [683, 1024, 17, 2731, 4096, 1, 683, 20_000]
        var out: [Range<Int>] = [], i = 0, k = 0
        while i < count {
            let n = min(sizes[k % sizes.count], count - i)
            out.append(i..<(i + n))
            i += n
            k += 1
        }
        return out
    }

    @Test func theThreadMeasuresWhatOneThreadWould() {
        let audio = Self.sound()
        let start = 0.5
        var direct = Self.extractor()
        var sink = SplitFeatureSink(extractor: Self.extractor())
        audio.withUnsafeBufferPointer { all in
            for r in Self.chunks(all.count) {
                let slice = UnsafeBufferPointer(rebasing: all[r])
                let time = start + Double(r.lowerBound) / Double(Self.rate)
                direct.consume(samples: slice, time: time)
                sink.consume(audio: AudioChunk(time: time, sampleRate: Self.rate, count: slice.count, base: slice.baseAddress!))
            }
        }
        let expected = direct.finish()
        let (threaded, seconds) = sink.finish()
        #expect(threaded == expected)
        #expect(!expected.bellCandidates.isEmpty, "the ring is a candidate, so the trackers' output is compared too")
        #expect(expected.audioDb.compactMap { $0 }.count >= 100)
        #expect(seconds > 0)
    }

    /// A sink dropped before `finish` (the decode failed) ends its thread; a sink with no sound at all finishes.
    @Test func aSinkWithoutSoundFinishesAndADroppedOneEnds() {
        var silent = SplitFeatureSink(extractor: Self.extractor())
        let (features, _) = silent.finish()
        #expect(features.audioDb.isEmpty)
        var dropped: SplitFeatureSink? = SplitFeatureSink(extractor: Self.extractor())
        weak let thread = dropped!.audio.thread
        let audio = Self.sound()
        audio.withUnsafeBufferPointer { all in
            for r in Self.chunks(all.count).prefix(200) {
                let slice = UnsafeBufferPointer(rebasing: all[r])
                dropped!.consume(audio: AudioChunk(time: Double(r.lowerBound) / Double(Self.rate), sampleRate: Self.rate,
                                                   count: slice.count, base: slice.baseAddress!))
            }
        }
        #expect(thread != nil)
        dropped = nil
        // The thread drops what is queued, ends, and lets go of its state (waited for, not timed: 30 s is a hang).
        let deadline = Date().addingTimeInterval(30)
        while thread != nil && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect(thread == nil, "the thread of a dropped sink still runs")
    }
}
