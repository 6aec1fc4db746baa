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

    /// Forgets the last line FFmpeg logged, before an operation whose log is to be reported with its error.
    static func clearLastLine() { bw_log_clear_last_line() }
}
