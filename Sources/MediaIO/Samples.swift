@_exported import MediaSamples

/// A sink whose pictures may be split in time, so two stretches of the video decode at once, each on its
/// own thread (a chain of P-frames does not spread over threads inside one decoder).
///
/// The reader gives this sink every picture before a time `b`, and a part made by `makeVideoPart()`
/// every picture from a key frame at least `MediaReader.videoPartLeadSeconds` before `b` to the end; then
/// it calls `merge(videoPart:from: b)`.
public protocol SplittableMediaSink: MediaSink {
    associatedtype VideoPart: PictureSink & Sendable
    func makeVideoPart() -> VideoPart
    mutating func merge(videoPart: consuming VideoPart, from time: Double)
}

/// How to decode for analysis.
public struct DecodeOptions: Sendable, Codable, Equatable {
    /// Width of the analysis pictures in pixels (a multiple of 16; aspect kept).
    public var analysisWidth: Int = 192
    /// Analysis pictures per second, chosen by timestamp; nil hands over every decoded frame.
    public var videoSamplesPerSecond: Double? = 5
    /// Sample rate of the mono analysis audio.
    public var audioSampleRate: Int = 16_000
    /// Let the video decoder drop frames no other frame refers to (B-frames, mostly).
    public var skipNonReferenceFrames: Bool = false
    /// Let the video decoder drop every B-frame, referenced or not, so only I- and P-frames are decoded
    /// (bit-exact: nothing they refer to is dropped). When the file has too few of them for the analysis
    /// rate, the decoder goes back to dropping non-reference frames only (see `DecodeReport.frameSkipping`).
    public var skipBidirectionalFrames: Bool = false
    /// Without B-frames, the I- and P-frames of the first seconds must come at least this many times
    /// `videoSamplesPerSecond` a second, or the decoder keeps B-frames again (so samples stay evenly spaced).
    public var minimumPictureRateFactor: Double = 1.2
    /// Let the video decoder skip its loop filter (deblocking).
    public var skipLoopFilter: Bool = false
    /// Shrink with a fast bilinear filter rather than area averaging.
    public var fastScaler: Bool = false
    /// Decoder threads per stream; 0 lets FFmpeg use every core (but a video decoder that skips B-frames
    /// gets one: a chain of P-frames gains nothing from frame threads, and each thread holds pictures).
    public var threads: Int = 0
    /// Stretches of the video decoded at once, each on one thread, when the sink allows it (0: one per core
    /// when `threads` is 0, B-frames are skipped and the lesson is long enough; 1: one pass).
    public var videoParts: Int = 0
    /// The largest picture (width × height) whose video is split into parts: each part has its own decoder,
    /// whose memory grows with the picture (measured: about 12 MB for 720p H.264, 45 MB for 1080p HEVC), and
    /// the whole analysis is to stay under 100 MB.
    public var videoPartsMaxPixels: Int = 1280 * 720
    /// Decode the video stream (when there is one).
    public var decodeVideo: Bool = true
    /// Decode the audio stream (when there is one).
    public var decodeAudio: Bool = true

    public init() {}
}

/// What a decode pass met: counts, where it ended, and what should be told to a person.
public struct DecodeReport: Sendable, Codable, Equatable {
    public var packetsRead = 0
    /// Packets the demuxer or a decoder rejected as corrupt; they were skipped.
    public var corruptPackets = 0
    public var videoFramesDecoded = 0
    public var videoFramesEmitted = 0
    public var audioSamplesEmitted = 0
    /// Seconds from the start of the presentation to the end of the last decoded picture or sample.
    public var decodedSeconds = 0.0
    /// The container time that became 0.
    public var originSeconds = 0.0
    /// The file ended well before its header said it would.
    public var truncated = false
    /// Stretches of the video decoded at once (see `DecodeOptions.videoParts`).
    public var videoParts = 1
    /// Which frames the video decoder skipped in the end: "none", "non-reference" or "bidirectional".
    public var frameSkipping = "none"
    /// Things a person should know, in plain words.
    public var warnings: [String] = []
    /// Seconds spent per stage (wall clock of the thread doing it; with two video parts, of both threads summed).
    public var demuxSeconds = 0.0
    public var videoDecodeSeconds = 0.0
    public var audioDecodeSeconds = 0.0
    public var scaleSeconds = 0.0
    public var resampleSeconds = 0.0
    public var sinkSeconds = 0.0
}

extension DecodeReport {
    /// Adds what the thread decoding a later stretch of the video did (counts and stage times summed, the
    /// furthest time reached, its warnings once).
    mutating func add(videoPart later: DecodeReport) {
        videoFramesDecoded += later.videoFramesDecoded
        videoFramesEmitted += later.videoFramesEmitted
        corruptPackets += later.corruptPackets
        packetsRead += later.packetsRead
        demuxSeconds += later.demuxSeconds
        videoDecodeSeconds += later.videoDecodeSeconds
        scaleSeconds += later.scaleSeconds
        sinkSeconds += later.sinkSeconds
        decodedSeconds = max(decodedSeconds, later.decodedSeconds)
        for warning in later.warnings { warnings.appendOnce(warning) }
    }
}

/// The part of a sink that cannot be split (it takes no pictures).
public struct NoPart: PictureSink, Sendable {
    public mutating func consume(video frame: borrowing LumaFrame) {}
}
