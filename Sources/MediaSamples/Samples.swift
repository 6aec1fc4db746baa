/// The analysis streams as the media layer hands them to whatever consumes them: small grey pictures and
/// mono audio. No FFmpeg here, so the signal code that consumes them builds and tests without it.

/// One analysis picture: the luma of a decoded frame shrunk to the analysis width, 8 bits a pixel, rows
/// packed without padding. It borrows the decoder's buffer: read it inside `withPixels`, keep only numbers.
public struct LumaFrame: ~Copyable {
    /// Seconds from the start of the presentation.
    public let time: Double
    public let width: Int
    public let height: Int
    /// Frames between the previous analysis picture and this one were not decoded (key-frame bursts): the
    /// two are not consecutive pictures and are not compared; the time between is missing, not still.
    public let afterGap: Bool
    /// The first analysis picture at or after a decoded key frame (a burst's first picture is one).
    public let afterKey: Bool
    let base: UnsafePointer<UInt8>

    /// A picture over `base`, which must hold `width × height` bytes while the frame is used.
    package init(time: Double, width: Int, height: Int, afterGap: Bool = false, afterKey: Bool = false,
                 base: UnsafePointer<UInt8>) {
        self.time = time
        self.width = width
        self.height = height
        self.afterGap = afterGap
        self.afterKey = afterKey
        self.base = base
    }

    /// `width × height` bytes, row after row, valid only inside `body`.
    public func withPixels<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: base, count: width * height))
    }

    /// A copy of the pixels, for tests and tools (not for the hot path).
    public func copyPixels() -> [UInt8] { withPixels { Array($0) } }
}

/// A run of mono Float32 audio samples at the analysis rate. It borrows the resampler's buffer.
public struct AudioChunk: ~Copyable {
    /// Seconds from the start of the presentation to the first sample.
    public let time: Double
    public let sampleRate: Int
    public let count: Int
    let base: UnsafePointer<Float>

    /// A chunk over `base`, which must hold `count` samples while the chunk is used.
    package init(time: Double, sampleRate: Int, count: Int, base: UnsafePointer<Float>) {
        self.time = time
        self.sampleRate = sampleRate
        self.count = count
        self.base = base
    }

    /// The samples, valid only inside `body`.
    public func withSamples<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: base, count: count))
    }
}

/// Receives analysis pictures in time order.
public protocol PictureSink {
    mutating func consume(video frame: borrowing LumaFrame)
}

/// Receives the analysis streams as they are decoded, in the order the file delivers them
/// (video and audio interleave; each stream's own times only increase).
public protocol MediaSink: PictureSink {
    mutating func consume(audio chunk: borrowing AudioChunk)
}

/// A forward real FFT of one fixed power-of-two size, giving a power spectrum. The media layer provides
/// one (FFmpeg's `av_tx`); the signal code asks only for this.
public protocol PowerSpectrumTransform: AnyObject {
    /// Samples per transform.
    var size: Int { get }
    /// |X[k]|² for k in 0...size/2 of `samples` (exactly `size` of them) into `power` (at least size/2 + 1
    /// values), unnormalised: a full-scale sine at bin k gives about (size/2)².
    func powerSpectrum(_ samples: UnsafeBufferPointer<Float>, into power: UnsafeMutableBufferPointer<Float>)
}
