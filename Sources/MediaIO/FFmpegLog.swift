internal import CFFmpeg
internal import CFFmpegShims
import Logging
import Synchronization

/// Routes FFmpeg's own log into swift-log, once per process.
public enum FFmpegLog {
    private static let installed = Mutex<Bool>(false)
    private static let logger = Logger(label: "bellwork.ffmpeg")

    /// Sends FFmpeg's warnings and errors (and, with `verbose`, its informational lines) to swift-log.
    /// Safe to call more than once; the first call's choice of `verbose` wins.
    public static func install(verbose: Bool = false) {
        installed.withLock { done in
            guard !done else { return }
            done = true
            av_log_set_level(verbose ? AV_LOG_INFO : AV_LOG_WARNING)
            bw_log_install({ level, line in
                guard let line else { return }
                let text = String(cString: line)
                let swiftLevel: Logger.Level
                switch level {
                case ...AV_LOG_ERROR: swiftLevel = .error
                case ...AV_LOG_WARNING: swiftLevel = .warning
                case ...AV_LOG_INFO: swiftLevel = .info
                default: swiftLevel = .debug
                }
                FFmpegLog.logger.log(level: swiftLevel, "\(text)")
            }, verbose ? AV_LOG_INFO : AV_LOG_WARNING)
        }
    }

    /// FFmpeg's log text as one line that groups: the `[mov,mp4 @ 0x5574…]` prefixes that name a context by
    /// its address, and any other pointer address, are taken out; the advice to raise `analyzeduration` and
    /// `probesize` (options of the ffmpeg tool, not of Bellwork) is dropped; lines are joined with "; ".
    public static func oneLine(_ text: String) -> String {
        var line = text.replacing(/\[[^\]\n]* @ 0x[0-9a-fA-F]+\]\s*/, with: "")
        line = line.replacing(/\s*Consider increasing the value for the 'analyzeduration'[^\n]*/, with: "")
        line = line.replacing(/\s*(?:at |@ )?0x[0-9a-fA-F]{6,}/, with: "")
        let parts = line.split(whereSeparator: { $0.isNewline }).map { part in
            String(part.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
        }
        return parts.filter { !$0.isEmpty }.joined(separator: "; ")
    }

    /// Forgets the last line FFmpeg logged, before an operation whose log is to be reported with its error.
    static func clearLastLine() { bw_log_clear_last_line() }
}
