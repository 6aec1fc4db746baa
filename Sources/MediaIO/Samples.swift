@_exported import MediaSamples
@_exported import Tunables

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

/// How to decode for analysis. Every option is a setting (`decode.` in a configuration file), checked by
/// `validate(prefix:)` before a file is opened.
public struct DecodeOptions: SettingsGroup {
    @Setting(16...1920, "Width of the analysis pictures in pixels (a multiple of 16; aspect kept).")
    public var analysisWidth = 192
    @Setting(0.1...60, "Analysis pictures per second, chosen by timestamp; null hands over every decoded frame.")
    public var videoSamplesPerSecond: Double? = 5
    @Setting(8_000...48_000, "Sample rate of the mono analysis audio: 32 kHz keeps a bell's partials up to 16 kHz (a kitchen timer rings at 8-12 kHz).")
    public var audioSampleRate = 32_000
    @Setting("Let the video decoder drop frames no other frame refers to (B-frames, mostly).")
    public var skipNonReferenceFrames = false
    @Setting("Let the video decoder drop every B-frame (bit-exact for the I- and P-frames); with too few of those for the analysis rate it keeps B-frames again (`frameSkipping`).")
    public var skipBidirectionalFrames = false
    @Setting("Take analysis pictures from every decoded frame. Off: the analysis takes them only from the frames that skipBidirectionalFrames and skipNonReferenceFrames would leave (B-frames while the I- and P-frames come often enough; after that, frames something refers to), whether the decoder skips the others or not, so a full decode measures the very pictures a fast one decodes.")
    public var analyseSkippableFrames = true
    @Setting(0...10, "Without B-frames, the I- and P-frames of the first seconds must come at least this many times videoSamplesPerSecond a second.")
    public var minimumPictureRateFactor = 1.2
    @Setting("Without B-frames and with a key frame at least every keyframeBurstMaxSeconds (seen in the first seconds), decode each key frame and the frames up to the keyframeBurstPictures-th analysis picture after it, and skip the rest of its group of pictures (with a key frame each second this is the pair the analysis measures motion from: `features.motionPairSeconds`). Falls back to decoding everything where the file stops fitting (`frameSkipping` says keyframe-bursts while it fits).")
    public var keyframeBursts = false
    @Setting(2...50, "Analysis pictures decoded after each key frame (counting its own) in key-frame bursts, for each second (rounded up) between key frames: 2 gives one pair at the usual lag a second.")
    public var keyframeBurstPictures = 2
    @Setting(0.1...10, "Key-frame bursts only while key frames come at least this often (seconds between them). The analysis measures motion from one pair of pictures a second (`features.motionPairSeconds`): with key frames further apart, a burst would not reach each second's pair.")
    public var keyframeBurstMaxSeconds = 1.1
    @Setting("Let the video decoder skip its loop filter (deblocking). Faster, but the pictures then depend on which frames were decoded, so fast and full decoding no longer measure the same.")
    public var skipLoopFilter = false
    @Setting("Shrink with a fast bilinear filter rather than area averaging.")
    public var fastScaler = false
    @Setting(0...64, "Decoder threads per stream; 0 lets FFmpeg choose (one per core).")
    public var threads = 0
    @Setting(0...16, "Stretches of the video decoded at once, each on one thread (0: one per core when the file allows; 1: one pass).")
    public var videoParts = 0
    @Setting(0...67_108_864, "The largest picture (width x height) whose video is split into parts (each part has its own decoder's memory: about 130 MB in all at 1080p).")
    public var videoPartsMaxPixels = 1920 * 1080
    @Setting("Decode the video stream (when there is one).")
    public var decodeVideo = true
    @Setting("Decode the audio stream (when there is one).")
    public var decodeAudio = true

    public init() {}

    public func validateRelations(prefix: String) throws(SettingError) {
        try require(analysisWidth % 16 == 0, prefix + "analysisWidth", "\(analysisWidth) is not a multiple of 16")
    }
}

/// What a decode pass met: counts, where it ended, and what should be told to a person.
public struct DecodeReport: Sendable, Codable, Equatable {
    /// Nothing decoded yet.
    public init() {}

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
    /// Which frames the video decoder skipped in the end: "none", "non-reference", "bidirectional", or
    /// "keyframe-bursts" (whole stretches of each group of pictures after its first pictures, to the end).
    public var frameSkipping = "none"
    /// Video packets skipped undecoded by key-frame bursts.
    public var videoPacketsSkipped = 0
    /// Things a person should know: a code and plain words, once per code.
    public var warnings: [MediaWarning] = []
    /// Seconds spent per stage (wall clock of the thread doing it; with two video parts, of both threads summed).
    public var demuxSeconds = 0.0
    public var videoDecodeSeconds = 0.0
    public var audioDecodeSeconds = 0.0
    public var scaleSeconds = 0.0
    public var resampleSeconds = 0.0
    public var sinkSeconds = 0.0
}

extension DecodeReport {
    /// Adds what a packet reader counted (packets, damaged reads, demux time).
    mutating func addReading(_ reading: DecodeReport) {
        packetsRead += reading.packetsRead
        corruptPackets += reading.corruptPackets
        demuxSeconds += reading.demuxSeconds
    }

    /// Adds what the thread decoding a later stretch of the video did (counts and stage times summed, the
    /// furthest time reached, its warnings once).
    mutating func add(videoPart later: DecodeReport) {
        videoFramesDecoded += later.videoFramesDecoded
        videoFramesEmitted += later.videoFramesEmitted
        videoPacketsSkipped += later.videoPacketsSkipped
        // Bursts are said only when both stretches kept them to the end.
        if frameSkipping == FrameSkip.keyframeBursts && later.frameSkipping != FrameSkip.keyframeBursts { frameSkipping = later.frameSkipping }
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

/// Something about the decode a person should know: a code to group by (lower-case words and dashes), plain
/// words, and where in the recording (seconds), when it is somewhere.
public struct MediaWarning: Sendable, Codable, Equatable, CustomStringConvertible {
    public var code: String
    public var message: String
    public var atSeconds: Double?

    public init(_ code: String, _ message: String, at seconds: Double? = nil) {
        self.code = code
        self.message = message
        atSeconds = seconds
    }

    public var description: String { message }
}

extension Array where Element == MediaWarning {
    /// Adds `warning` unless one with its code is there.
    mutating func appendOnce(_ warning: MediaWarning) {
        if !contains(where: { $0.code == warning.code }) { append(warning) }
    }
}
