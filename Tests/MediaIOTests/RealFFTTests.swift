import Foundation
import MediaIO
import Testing

@Suite struct RealFFTTests {
    @Test func sineLandsInItsBin() {
        let n = 512
        let fft = RealFFT(size: n)
        // A full-scale sine exactly on bin 32: power (n/2)² there, nothing elsewhere.
        let samples = (0..<n).map { Float(sin(2 * Double.pi * 32 * Double($0) / Double(n))) }
        var power = [Float](repeating: -1, count: n / 2 + 1)
        samples.withUnsafeBufferPointer { s in power.withUnsafeMutableBufferPointer { fft.powerSpectrum(s, into: $0) } }
        let peak = power.indices.max { power[$0] < power[$1] }
        #expect(peak == 32)
        #expect(abs(power[32] - Float(n * n / 4)) / Float(n * n / 4) < 1e-4)
        let leak = power.enumerated().filter { $0.offset != 32 }.map(\.element).max() ?? 0
        #expect(leak < 1e-3)
    }

    @Test func dcAndNyquist() {
        let n = 64
        let fft = RealFFT(size: n)
        let samples = (0..<n).map { Float(0.5 + ($0 % 2 == 0 ? 0.25 : -0.25)) }
        var power = [Float](repeating: 0, count: n / 2 + 1)
        samples.withUnsafeBufferPointer { s in power.withUnsafeMutableBufferPointer { fft.powerSpectrum(s, into: $0) } }
        #expect(abs(power[0] - Float(32 * 32)) < 1e-2)        // sum 0.5 × 64 = 32
        #expect(abs(power[n / 2] - Float(16 * 16)) < 1e-2)    // alternating ±0.25 × 64 = 16
        #expect(power[1..<(n / 2)].allSatisfy { $0 < 1e-6 })
    }
}
