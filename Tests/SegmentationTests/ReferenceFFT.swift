import Foundation
import MediaSamples

/// A plain radix-2 FFT in Double, so the Segmentation tests run without FFmpeg (the product uses
/// MediaIO's `RealFFT`, FFmpeg's `av_tx`; `RealFFTTests` checks that one against a direct DFT).
final class ReferenceFFT: PowerSpectrumTransform {
    let size: Int
    private var re: [Double], im: [Double]

    init(size: Int) {
        precondition(size >= 2 && size & (size - 1) == 0)
        self.size = size
        re = [Double](repeating: 0, count: size)
        im = re
    }

    func powerSpectrum(_ samples: UnsafeBufferPointer<Float>, into power: UnsafeMutableBufferPointer<Float>) {
        precondition(samples.count == size && power.count >= size / 2 + 1)
        let n = size
        var bits = 0
        while 1 << bits < n { bits += 1 }
        for i in 0..<n {
            var r = 0, x = i
            for _ in 0..<bits { r = (r << 1) | (x & 1); x >>= 1 }
            re[r] = Double(samples[i])
            im[r] = 0
        }
        var length = 2
        while length <= n {
            let angle = -2 * Double.pi / Double(length)
            for start in stride(from: 0, to: n, by: length) {
                for k in 0..<(length / 2) {
                    let wr = cos(angle * Double(k)), wi = sin(angle * Double(k))
                    let a = start + k, b = a + length / 2
                    let tr = re[b] * wr - im[b] * wi, ti = re[b] * wi + im[b] * wr
                    re[b] = re[a] - tr; im[b] = im[a] - ti
                    re[a] += tr; im[a] += ti
                }
            }
            length *= 2
        }
        for k in 0...(n / 2) { power[k] = Float(re[k] * re[k] + im[k] * im[k]) }
    }
}
