internal import CFFmpeg
import MediaSamples

/// A forward real-to-complex FFT of a fixed power-of-two size, by FFmpeg's `av_tx` (AV_TX_FLOAT_RDFT).
/// Reuse one per size; not `Sendable` (its buffers are scratch space).
public final class RealFFT: PowerSpectrumTransform {
    /// Samples per transform.
    public let size: Int
    private let context: OpaquePointer
    private let transform: av_tx_fn
    private let input: UnsafeMutablePointer<Float>
    private let output: UnsafeMutablePointer<Float>  // size/2 + 1 complex values, interleaved re, im

    /// `size` must be a power of two of at least 16.
    public init(size: Int) {
        precondition(size >= 16 && size & (size - 1) == 0, "RealFFT size must be a power of two >= 16")
        self.size = size
        var ctx: OpaquePointer? = nil
        var fn: av_tx_fn? = nil
        var scale: Float = 1
        let status = av_tx_init(&ctx, &fn, AV_TX_FLOAT_RDFT, 0, Int32(size), &scale, 0)
        guard status >= 0, let ctx, let fn else { fatalError("av_tx_init(RDFT, \(size)) failed: \(status)") }
        context = ctx
        transform = fn
        input = av_malloc(size * MemoryLayout<Float>.size)!.bindMemory(to: Float.self, capacity: size)
        output = av_malloc((size + 2) * MemoryLayout<Float>.size)!.bindMemory(to: Float.self, capacity: size + 2)
    }

    deinit {
        var ctx: OpaquePointer? = context
        av_tx_uninit(&ctx)
        av_free(input)
        av_free(output)
    }

    /// Power spectrum |X[k]|² for k in 0...size/2 of `samples` (exactly `size` of them) into `power`
    /// (at least size/2 + 1 values). Unnormalised: a full-scale sine at bin k gives about (size/2)².
    public func powerSpectrum(_ samples: UnsafeBufferPointer<Float>, into power: UnsafeMutableBufferPointer<Float>) {
        precondition(samples.count == size && power.count >= size / 2 + 1)
        input.update(from: samples.baseAddress!, count: size)
        transform(context, output, input, MemoryLayout<Float>.stride)
        for k in 0..<(size / 2) {
            let re = output[2 * k], im = output[2 * k + 1]
            power[k] = re * re + im * im
        }
        // FFmpeg 5.1's RDFT does not always write the Nyquist value (seen as left-over memory: 7e19, inf),
        // so it is computed here: X[n/2] = Σ x[i]·(−1)^i, real.
        var nyquist: Float = 0
        var i = 0
        while i < size {
            nyquist += samples[i] - samples[i + 1]
            i += 2
        }
        power[size / 2] = nyquist * nyquist
    }
}
