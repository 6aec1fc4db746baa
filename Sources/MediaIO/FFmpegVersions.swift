internal import CFFmpeg

/// The FFmpeg libraries Bellwork runs on, as loaded (not as compiled against): what `--version` prints
/// and every result's `tool` carries, so a figure can be traced to the decoder that made it.
public enum FFmpegVersions {
    /// The FFmpeg release (`av_version_info`, e.g. `5.1.6-0+deb12u1`).
    public static var release: String { String(cString: av_version_info()) }

    /// Each library's version, `major.minor.micro`, in a fixed order.
    public static var libraries: [(name: String, version: String)] {
        func text(_ v: UInt32) -> String { "\(v >> 16).\((v >> 8) & 0xff).\(v & 0xff)" }
        return [("libavformat", text(avformat_version())), ("libavcodec", text(avcodec_version())),
                ("libavutil", text(avutil_version())), ("libswscale", text(swscale_version())),
                ("libswresample", text(swresample_version()))]
    }

    /// One line: `FFmpeg 5.1.6 (libavformat 59.27.100, …)`.
    public static var line: String {
        "FFmpeg \(release) (" + libraries.map { "\($0.name) \($0.version)" }.joined(separator: ", ") + ")"
    }
}
