internal import CFFmpeg
internal import CFFmpegShims

/// Why a recording could not be opened or read. One struct for every failure of the media layer, carrying
/// what FFmpeg said, so a person can act on the message and a program can act on `kind`.
public struct MediaError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What went wrong, in the terms of the contract's exit statuses.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        /// The path does not exist, is not a regular file, or cannot be read (exit 66).
        public static let cannotOpen = Kind(name: "cannotOpen")
        /// The file is not a recording FFmpeg can read (exit 65).
        public static let notMedia = Kind(name: "notMedia")
        /// The file is of a format that is never opened: a playlist, a concat script, an image sequence (exit 65).
        public static let refused = Kind(name: "refused")
        /// The recording was cut off before its index was written (exit 65).
        public static let incomplete = Kind(name: "incomplete")
        /// The file holds neither a video nor an audio stream (exit 65).
        public static let noStreams = Kind(name: "noStreams")
        /// Reading or decoding failed beyond recovery (exit 65).
        public static let unreadable = Kind(name: "unreadable")
        public var description: String { name }
    }

    public var kind: Kind
    /// The file concerned.
    public var path: String
    /// What is wrong, in plain words.
    public var reason: String
    /// FFmpeg's return code (a negative AVERROR), or 0 when the failure was found before FFmpeg was called.
    public var code: Int32
    /// The FFmpeg call that failed, e.g. `avformat_open_input`.
    public var call: String?
    /// `av_strerror`'s text for `code`.
    public var ffmpegMessage: String?
    /// The last warning or error line FFmpeg logged before the failure.
    public var ffmpegLog: String?

    public init(kind: Kind, path: String, reason: String, code: Int32 = 0, call: String? = nil,
                ffmpegMessage: String? = nil, ffmpegLog: String? = nil) {
        self.kind = kind
        self.path = path
        self.reason = reason
        self.code = code
        self.call = call
        self.ffmpegMessage = ffmpegMessage
        self.ffmpegLog = ffmpegLog
    }

    /// One line: the file (escaped, `FileName.display`), what is wrong, and what FFmpeg said.
    public var description: String {
        var line = "\(FileName.display(path)): \(FFmpegLog.oneLine(reason))"
        var details: [String] = []
        if let call { details.append(ffmpegMessage.map { "\(call): \($0)" } ?? call) }
        if let ffmpegLog, !ffmpegLog.isEmpty, ffmpegLog != ffmpegMessage { details.append("FFmpeg: \(FFmpegLog.oneLine(ffmpegLog))") }
        if !details.isEmpty { line += " (" + details.joined(separator: "; ") + ")" }
        return line
    }
}

/// FFmpeg's text for an error code.
func ffmpegErrorString(_ code: Int32) -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    av_strerror(code, &buffer, buffer.count)
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// The last warning-or-worse line FFmpeg logged (`thisThread`: on the calling thread, so that another
/// thread's file cannot answer for this one's open).
func ffmpegLastLogLine(thisThread: Bool = false) -> String? {
    var buffer = [CChar](repeating: 0, count: 1024)
    let n = thisThread ? bw_log_thread_last_line(&buffer, Int32(buffer.count)) : bw_log_last_line(&buffer, Int32(buffer.count))
    guard n > 0 else { return nil }
    let line = FFmpegLog.oneLine(String(decoding: buffer.prefix(Int(n)).map { UInt8(bitPattern: $0) }, as: UTF8.self))
    return line.isEmpty ? nil : line
}

extension MediaError {
    /// The funnel for a failed FFmpeg call: the code, the call, FFmpeg's message and its last log line.
    static func ffmpeg(_ kind: Kind, path: String, reason: String, code: Int32, call: String) -> MediaError {
        MediaError(kind: kind, path: path, reason: reason, code: code, call: call,
                   ffmpegMessage: ffmpegErrorString(code), ffmpegLog: ffmpegLastLogLine())
    }
}

/// Error codes that are states of the decode loop, not failures.
enum AVCode {
    static let eof = bw_averror_eof()
    static let again = bw_averror(EAGAIN)
    static let invalidData = bw_averror_invaliddata()
    static let io = bw_averror(EIO)
    static let noMemory = bw_averror(ENOMEM)
}
