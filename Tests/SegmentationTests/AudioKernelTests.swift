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
