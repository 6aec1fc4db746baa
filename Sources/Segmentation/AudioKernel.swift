import Foundation

/// Level kernels over mono float audio.
public enum AudioKernel {
    /// Sum of squares of `samples` (in Double, so long runs stay exact enough).
    public static func sumOfSquares(_ samples: UnsafeBufferPointer<Float>) -> Double {
        var sum: Double = 0
        for s in samples { let v = Double(s); sum += v * v }
        return sum
    }

    /// The RMS level in dBFS of a mean square (a full-scale square wave is 0 dBFS, a full-scale sine
    /// −3.01), as FFmpeg's `astats` reports "RMS level"; never below `floor`.
    public static func decibels(meanSquare: Double, floor: Double) -> Double {
        guard meanSquare > 0 else { return floor }
        return max(floor, 10 * log10(meanSquare))
    }
}
