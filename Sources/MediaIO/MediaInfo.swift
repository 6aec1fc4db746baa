/// What a recording is: its container and streams, as the probe found them.
public struct MediaInfo: Sendable, Codable, Equatable {
    /// The path as given.
    public var path: String
    public var sizeBytes: Int64
    /// FFmpeg's name for the container format (e.g. `mov,mp4,m4a,3gp,3g2,mj2`, `matroska,webm`, `wav`).
    public var container: String
    /// The recording's length in seconds as its header states it, or nil when it does not say.
    public var durationSeconds: Double?
    /// The container's creation time as ISO 8601, or nil.
    public var creationTime: String?
    /// Every stream in the file, in file order.
    public var streams: [StreamInfo]
    /// The stream FFmpeg's best-stream logic picked for video (never a cover picture), or nil.
    public var videoStreamIndex: Int?
    /// The stream FFmpeg's best-stream logic picked for audio, or nil.
    public var audioStreamIndex: Int?

    /// The chosen video stream.
    public var video: StreamInfo? { videoStreamIndex.map { streams[$0] } }
    /// The chosen audio stream.
    public var audio: StreamInfo? { audioStreamIndex.map { streams[$0] } }
}

/// One stream of a recording.
public struct StreamInfo: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable { case video, audio, subtitle, data, attachment, unknown }

    public var index: Int
    public var kind: Kind
    /// FFmpeg's codec name (`h264`, `hevc`, `aac`, `pcm_s16le`, …), or `none` when FFmpeg has no decoder id.
    public var codec: String
    /// Stored picture size, before rotation.
    public var width: Int?
    public var height: Int?
    /// Frames per second over the whole stream (FFmpeg's `avg_frame_rate`).
    public var averageFrameRate: Double?
    /// The lowest rate that represents every timestamp exactly (FFmpeg's `r_frame_rate`).
    public var realFrameRate: Double?
    /// Whether the frame rate varies (average and real rates disagree), as in phone recordings.
    public var variableFrameRate: Bool?
    /// Clockwise degrees a player turns the stored picture to show it upright: 0, 90, 180 or 270.
    public var rotationDegrees: Int?
    public var sampleRate: Int?
    public var channels: Int?
    /// The stream's own duration in seconds, if the container states it.
    public var durationSeconds: Double?
    /// When the stream starts, in seconds on the container's clock.
    public var startSeconds: Double?
    /// A still picture (cover art) rather than video.
    public var isAttachedPicture: Bool

    /// Width and height as a player shows them (swapped for 90 and 270 degrees).
    public var displaySize: (width: Int, height: Int)? {
        guard let width, let height else { return nil }
        return (rotationDegrees ?? 0) % 180 == 0 ? (width, height) : (height, width)
    }
}

extension MediaInfo {
    /// The fewest frames a second a video stream may have and be analysed: motion between pictures more than
    /// 5 s apart says nothing about the class. A damaged MP4 whose video `mdhd` timescale was unreadable (taken
    /// as 1) stamps its frames 1024 s apart: decoded, a 150 s file became a day-long lesson.
    public static let leastFramesPerSecond = 0.2

    /// Whether the chosen video stream's frames come often enough to analyse (`leastFramesPerSecond`, by its
    /// stated rates; a stream that states none is decoded). The decoder leaves a stream that does not out, with
    /// a `refused-stream` warning, and the lesson is analysed from its sound.
    public var videoIsUsable: Bool {
        let rates = [video?.averageFrameRate, video?.realFrameRate].compactMap { $0 }
        return rates.isEmpty || rates.contains { $0 >= Self.leastFramesPerSecond }
    }
}
