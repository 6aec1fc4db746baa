import Foundation
import SignalTestSupport
import Testing
@testable import Segmentation

@Suite struct AudioKernelTests {
    @Test func squareWaveAtHalfScaleIsMinusSixDb() {
        let samples: [Float] = [0.5, -0.5, 0.5, -0.5]
        let sum = samples.withUnsafeBufferPointer { AudioKernel.sumOfSquares($0) }
        #expect(sum == 1)
        let db = AudioKernel.decibels(meanSquare: sum / 4, floor: -120)
        #expect(abs(db - (-6.0206)) < 1e-3)
    }

    @Test func silenceIsTheFloor() {
        #expect(AudioKernel.decibels(meanSquare: 0, floor: -70) == -70)
        #expect(AudioKernel.decibels(meanSquare: 1e-12, floor: -70) == -70)
    }

    @Test func variationOverAWindow() {
        // Step 0: hops 0 and 10 dB; step 1: hops 10, 10; step 2: none.
        let v = AudioVariation.windowed(sums: [10, 20, 0], squares: [100, 200, 0], counts: [2, 2, 0], halfWindow: 0)
        #expect(v[0] == 5)
        #expect(v[1] == 0)
        #expect(v[2] == nil)
        let w = AudioVariation.windowed(sums: [10, 20, 0], squares: [100, 200, 0], counts: [2, 2, 0], halfWindow: 1)
        // Steps 0-1: values 0,10,10,10: mean 7.5, variance 18.75.
        #expect(abs(w[0]! - 18.75.squareRoot()) < 1e-9)
    }
}

@Suite struct AudioKernelBlockTests {
    @Test func sumOfSquaresMatchesAPlainDoubleSum() {
        for count in [0, 1, 7, 8, 9, 255, 256, 257, 1000, 16_001] {
            let samples = (0..<count).map { Float(sin(Double($0) * 0.37) * 0.8) }
            let expected = samples.reduce(0.0) { $0 + Double($1) * Double($1) }
            let got = samples.withUnsafeBufferPointer { AudioKernel.sumOfSquares($0) }
            #expect(abs(got - expected) <= 1e-6 * max(1, expected), "\(count): \(got) vs \(expected)")
        }
    }

    /// The extractor gives the same series however the decoder cuts the audio into chunks.
    @Test func featuresDoNotDependOnChunkSizes() {
        let audio = TestSupport.roomNoise(seconds: 7.3, db: -30, seed: 3)
        func series(_ sizes: [Int]) -> FeatureSeries {
            var extractor = FeatureExtractor(config: SyntheticSound.config16kHz, sampleRate: 16_000, transform: ReferenceFFT(size: 512))
            audio.withUnsafeBufferPointer { all in
                var i = 0, k = 0
                while i < all.count {
                    let n = min(sizes[k % sizes.count], all.count - i)
                    extractor.consume(samples: UnsafeBufferPointer(rebasing: all[i..<(i + n)]), time: Double(i) / 16_000)
                    i += n
                    k += 1
                }
            }
            return extractor.finish()
        }
        let whole = series([audio.count])
        let odd = series([1, 333, 1024, 7, 4096, 800])
        #expect(whole.stepCount == 15)
        #expect(whole.audioDb.count == odd.audioDb.count)
        for i in 0..<whole.stepCount {
            #expect(abs((whole.audioDb[i] ?? 0) - (odd.audioDb[i] ?? 0)) < 1e-6)
            #expect(abs((whole.audioVariation[i] ?? 0) - (odd.audioVariation[i] ?? 0)) < 1e-6)
            #expect(whole.voiceDb[i] == odd.voiceDb[i] && whole.bellBandDb[i] == odd.bellBandDb[i])
        }
    }
}
