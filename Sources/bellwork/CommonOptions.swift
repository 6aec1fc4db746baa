import ArgumentParser
import Bellwork
import Foundation
import Logging
import MediaIO

/// Options every subcommand shares.
struct CommonOptions: ParsableArguments {
    @Flag(name: .long, help: "Show FFmpeg's warnings and Bellwork's log on standard error.")
    var verbose = false

    enum LogFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(help: "How the log is written on standard error: text (a line each, with its level) or json (one object a line: time, level, label, message, metadata).")
    var logFormat: LogFormat = .text

    /// `atLeast`: what is logged even without --verbose (a worker logs its events at info).
    func setUpLogging(atLeast minimum: Logger.Level = .critical) {
        let level: Logger.Level = verbose ? min(.info, minimum) : minimum
        let format = logFormat
        LoggingSystem.bootstrap { label in
            switch format {
            case .text:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            case .json:
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
        }
        FFmpegLog.install(verbose: verbose)
    }
}

/// A failure that ends the command with one line on standard error and the contract's exit status.
struct CLIFailure: Error, CustomStringConvertible {
    let message: String
    let status: Int32

    init(message: String, status: Int32) {
        self.message = message
        self.status = status
    }

    init(_ error: Error) {
        if let media = error as? MediaError {
            message = media.description
            status = ExitStatus.of(media)
        } else if let failure = error as? CLIFailure {
            self = failure
            return
        } else {
            message = "\(error)"
            status = ExitStatus.software
        }
    }

    var description: String { message }
}

extension CLIFailure {
    /// Prints the one line on standard error and gives the exit status to throw. Whatever the message quotes
    /// (a name with a newline, a library's text) stays on that line: control characters and raw name bytes
    /// are shown escaped (`FileName.display`).
    func report() -> ExitCode {
        FileHandle.standardError.write(Data(("bellwork: " + FileName.display(message) + "\n").utf8))
        return ExitCode(status)
    }
}

/// Runs a command body, turning any failure into one line on standard error and the contract's status.
func reportingFailures<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let code as ExitCode {
        throw code
    } catch {
        throw CLIFailure(error).report()
    }
}
