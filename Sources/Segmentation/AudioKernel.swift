import Foundation

/// Level kernels over mono float audio.
public enum AudioKernel {
    /// Sum of squares of `samples`: in Float over runs of at most 256 samples (eight independent lanes, so
    /// the loop vectorises), each run's total added in Double, so long buffers stay exact enough.
    public static func sumOfSquares(_ samples: UnsafeBufferPointer<Float>) -> Double {
        guard let p = samples.baseAddress else { return 0 }
        let count = samples.count
        var total: Double = 0
        var start = 0
        while start < count {
            let end = min(count, start + 256)
            var lanes = SIMD8<Float>()
            var i = start
            while i + 8 <= end {
                let v = UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)
                lanes += v * v
                i += 8
            }
            var run = Double(lanes.sum())
            while i < end { let v = Double(p[i]); run += v * v; i += 1 }
            total += run
            start = end
        }
        return total
    }

    /// The RMS level in dBFS of a mean square (a full-scale square wave is 0 dBFS, a full-scale sine
    /// −3.01), as FFmpeg's `astats` reports "RMS level"; never below `floor`.
    public static func decibels(meanSquare: Double, floor: Double) -> Double {
        guard meanSquare > 0 else { return floor }
        return max(floor, 10 * log10(meanSquare))
    }
}
