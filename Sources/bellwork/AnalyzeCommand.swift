import ArgumentParser
import Bellwork
import Foundation
import LessonMetrics
import MediaIO

struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Analyse a lesson: find the bell, cut it into segments, report time-on-task and bell-to-work latency.",
        discussion: """
        Decodes the recording once, finds the bell that starts the class, cuts the lesson into transitions \
        and on-task work (instruction, independent work, group work), and prints the figures. Times are \
        m:ss for people and seconds in JSON and CSV.

        Formats: table (default: a summary and the segment list), json (the result contract), csv (one \
        row per segment), vtt (WebVTT chapters for a video player), eaf (an ELAN annotation document).

        Examples:
          bellwork analyze lesson.mp4
          bellwork analyze lesson.mp4 --format json --output lesson.json
          bellwork analyze lesson.mov --bell 1:05 --format vtt --output lesson.vtt
          bellwork analyze lesson.mp4 --schedule bells.txt
        """
    )

    @Argument(help: "The lesson recording (MP4, MOV, MKV/WebM, AVI, TS, FLV, OGG, WAV, MP3, AAC, FLAC, AIFF).")
    var lesson: String

    @Option(name: .shortAndLong, help: "How to write the result.")
    var format: OutputFormat = .table

    @Option(name: .shortAndLong, help: "Write the result to this file (atomically) instead of standard output.")
    var output: String?

    /// For the batch's children: a symbolic link at --output is replaced, never written through.
    @Flag(help: .hidden)
    var noFollowOutput = false

    @Flag(help: "Include the per-step motion and audio-level signals in the JSON result.")
    var signals = false

    @Option(help: "A JSON file of settings (see README: every tunable, with defaults).")
    var config: String?

    @Option(help: "Seconds the class must stay clear of transitions to count as settled (default 30).")
    var settleSeconds: Double?

    @Option(help: "When the bell rang, if you know it: m:ss, h:mm:ss or seconds.")
    var bell: String?

    @Flag(help: "There is no bell: measure the whole recording.")
    var noBell = false

    @Option(help: "A file of the school's bell times (HH:MM a line), used with the recording's creation time when the audio holds no bell.")
    var schedule: String?

    enum DecodeMode: String, ExpressibleByArgument, CaseIterable {
        case fast, nonref, full
    }

    @Option(help: "fast: the decoder skips B-frames (or, where I- and P-frames alone are too few, frames nothing refers to) and its loop filter, since the analysis samples 5 pictures a second; nonref: it skips only frames nothing refers to, and the loop filter; full: decode everything.")
    var decode: DecodeMode = .fast

    @Option(help: "Decoder threads per stream (0: as the machine serves best; with B-frames skipped, a lesson over a minute up to 720p is decoded in two halves at once). A batch running one lesson per core uses 1.")
    var threads: Int = 0

    @Option(help: "Write every per-step feature (motion, spread, sweep, sound level, …) and the transition score as CSV to this file, to see why a segment was called what it was.")
    var features: String?

    @Option(name: .customLong("bell-candidates"), help: "Write every bell-like sound heard (start, end, measurements, how sure it is a bell, and which one was taken for the bell) as CSV to this file.")
    var bellCandidates: String?

    @Option(help: "Write per-stage timings and decode counts as JSON to this file (for benchmarks).")
    var timings: String?

    @Flag(name: .shortAndLong, help: "No progress and no warnings on standard error.")
    var quiet = false

    @OptionGroup var common: CommonOptions

    func validate() throws {
        let bellOptions = [bell != nil, noBell, schedule != nil].filter { $0 }.count
        if bellOptions > 1 { throw ValidationError("--bell, --no-bell and --schedule exclude each other.") }
        if let bell, TimeText.parseClock(bell) == nil {
            throw ValidationError("--bell takes m:ss, h:mm:ss or seconds, not '\(bell)'.")
        }
        if let settleSeconds, !(settleSeconds > 0) { throw ValidationError("--settle-seconds must be greater than 0.") }
        if threads < 0 { throw ValidationError("--threads must be 0 (every core) or more.") }
    }

    func run() throws {
        common.setUpLogging()
        try reportingFailures {
            var configuration = AnalysisConfiguration()
            if let config {
                do { configuration = try AnalysisConfiguration.load(config) } catch {
                    throw CLIFailure(message: "\(config): \(error)", status: ExitStatus.usage)
                }
            }
            if let settleSeconds { configuration.settleSeconds = settleSeconds }
            switch decode {
            case .fast: break
            case .nonref: configuration.decode.skipBidirectionalFrames = false
            case .full:
                configuration.decode.skipBidirectionalFrames = false
                configuration.decode.skipNonReferenceFrames = false
                configuration.decode.skipLoopFilter = false
            }
            configuration.decode.threads = threads
            var choice = BellChoice.detect
            if let bell, let t = TimeText.parseClock(bell) { choice = .given(t) }
            if noBell { choice = .none }
            if let schedule {
                do { choice = .schedule(try BellSchedule.load(schedule)) } catch {
                    throw CLIFailure(message: "\(error)", status: ExitStatus.usage)
                }
            }
            let meter = ProgressMeter(enabled: !quiet && isatty(STDERR_FILENO) != 0)
            let analysis = try LessonAnalyzer.analyze(path: lesson, configuration: configuration, bell: choice,
                                                      includeSignals: signals, progress: meter.update)
            meter.finish()
            /// Writes a file atomically; a failure is an I/O error (exit 74).
            func write(_ data: Data, to path: String, followLinks: Bool = true) throws {
                do { try AtomicFile.write(data, to: path, followLinks: followLinks) } catch {
                    throw CLIFailure(message: "\(error)", status: ExitStatus.ioError)
                }
            }
            let text = try format.render(analysis)
            if let output {
                try write(Data(text.utf8), to: output, followLinks: !noFollowOutput)
            } else {
                print(text, terminator: "")
            }
            if let features {
                try write(Data(FeatureTable.csv(analysis.features, config: configuration.segmentation).utf8), to: features)
            }
            if let bellCandidates {
                let table = BellCandidateTable.csv(analysis.features, duration: analysis.result.durationSeconds,
                                                   config: configuration.segmentation)
                try write(Data(table.utf8), to: bellCandidates)
            }
            if let timings {
                struct Stats: Encodable {
                    let timings: LessonAnalysis.Timings
                    let decode: DecodeReport
                    let peakResidentBytes: Int
                }
                var usage = rusage()
                getrusage(RUSAGE_SELF.rawValue, &usage)
                let stats = Stats(timings: analysis.timings, decode: analysis.decodeReport, peakResidentBytes: Int(usage.ru_maxrss) * 1024)
                try write(try JSONOutput.data(stats), to: timings)
            }
            if !quiet && (format != .table || output != nil) {
                for w in analysis.warnings { FileHandle.standardError.write(Data("bellwork: \(lesson): warning: \(w)\n".utf8)) }
            }
        }
    }
}

extension OutputFormat: ExpressibleByArgument {}

/// Decoded time, speed and time left on standard error, on one line rewritten in place.
final class ProgressMeter {
    let enabled: Bool
    let started = Date()
    var shown = false

    init(enabled: Bool) { self.enabled = enabled }

    func update(_ decoded: Double, _ total: Double?) {
        guard enabled else { return }
        let elapsed = Date().timeIntervalSince(started)
        let speed = decoded / max(elapsed, 1e-6)
        var line = "decoded \(TimeText.clock(decoded))"
        if let total, total > 0 {
            line += " of \(TimeText.clock(total)) (\(Int(min(100, 100 * decoded / total))) %)"
        }
        line += String(format: ", %.1fx real time", speed)
        if let total, total > decoded, speed > 0 { line += ", \(TimeText.clock((total - decoded) / speed)) left" }
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
        shown = true
    }

    func finish() {
        if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
