import Foundation
import SignalTestSupport
import Testing
@testable import Segmentation

/// The spectral kernel on single frames made by formula, through the same FFT and window as the pipeline.
@Suite struct SpectralKernelTests {
    static let config = SyntheticSound.config16kHz

    static func measure(_ signal: (Double) -> Double) -> SpectralFrame {
        let size = config.features.fftSize
        let window = SpectralKernel.hannWindow(size: size)
        let energy = window.reduce(0.0) { $0 + Double($1) * Double($1) }
        let kernel = SpectralKernel(size: size, sampleRate: 16_000, windowEnergy: energy, config: config)
        let samples = (0..<size).map { Float(signal(Double($0) / 16_000)) * window[$0] }
        var power = [Float](repeating: 0, count: size / 2 + 1)
        samples.withUnsafeBufferPointer { input in
            power.withUnsafeMutableBufferPointer { ReferenceFFT(size: size).powerSpectrum(input, into: $0) }
        }
        return power.withUnsafeBufferPointer { kernel.measure($0) }
    }

    /// A voice's comb of harmonics (a child's pitch, 300 Hz, harmonics up to 8 kHz) is harmonic; a bell's
    /// inharmonic partials, a single pure partial and noise are not.
    @Test func harmonicityTellsAVoiceFromABell() {
        let voice = Self.measure { t in (1...26).reduce(0.0) { $0 + sin(2 * .pi * 300 * Double($1) * t) / Double($1).squareRoot() } }
        #expect(voice.harmonicity > 0.5, "\(voice)")
        let lowVoice = Self.measure { t in (1...40).reduce(0.0) { $0 + sin(2 * .pi * 190 * Double($1) * t) / Double($1).squareRoot() } }
        #expect(lowVoice.harmonicity > 0.5, "\(lowVoice)")
        let bell = Self.measure { t in
            [1.0, 2.32, 2.76, 4.1, 5.4, 6.63, 8.93, 9.8].reduce(0.0) { $0 + sin(2 * .pi * 560 * $1 * t) }
        }
        #expect(bell.harmonicity < 0.3, "\(bell)")
        var state: UInt64 = 5
        let noise = Self.measure { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53) - 0.5
        }
        #expect(noise.harmonicity < 0.3, "\(noise)")
    }

    /// One pure partial in the bell band is pure and bright; the same partial in the voice band is not bright.
    @Test func bandsAndPurity() {
        let beep = Self.measure { t in 0.5 * sin(2 * .pi * 3_000 * t) }
        #expect(beep.purity > 0.9)
        #expect(beep.bellDb > beep.voiceDb + 40)
        let hum = Self.measure { t in 0.5 * sin(2 * .pi * 500 * t) }
        #expect(hum.voiceDb > hum.bellDb + 40)
        #expect(abs(hum.voiceDb - -9) < 1.5, "\(hum)")   // a half-scale sine: RMS −9 dBFS
    }
}
