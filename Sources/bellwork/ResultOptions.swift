import ArgumentParser
import Bellwork
import BellworkOutputs
import Foundation
import LessonMetrics
import MediaIO

/// How the class's bell is chosen: `analyze` and `segment` share these.
struct BellOptions: ParsableArguments {
    @Option(help: "When the bell rang, if you know it: m:ss, h:mm:ss or seconds.")
    var bell: String?

    @Flag(help: "There is no bell: measure the whole recording.")
    var noBell = false

    @Option(help: "A file of the school's bell times (HH:MM a line), used with the recording's creation time when the audio holds no bell.")
    var schedule: String?

    func validate() throws {
        if [bell != nil, noBell, schedule != nil].filter({ $0 }).count > 1 {
            throw ValidationError("--bell, --no-bell and --schedule exclude each other.")
        }
        if let bell, TimeText.parseClock(bell) == nil {
            throw ValidationError("--bell takes m:ss, h:mm:ss or seconds, not '\(bell)'.")
        }
    }

    /// The choice; a schedule that cannot be read ends the command (exit 64).
    func choice() throws -> BellChoice {
        if let bell, let t = TimeText.parseClock(bell) { return .given(t) }
        if noBell { return .none }
        if let schedule {
            do { return .schedule(try BellSchedule.load(schedule)) } catch {
                throw CLIFailure(message: "\(error)", status: ExitStatus.usage)
            }
        }
        return .detect
    }
}

/// A coach's `--bell` after the end of the recording leaves no class window: refused (64) with one line,
/// and no result written (the recording's length is known only once it is decoded).
func refuseBellOutside(_ analysis: LessonAnalysis, choice: BellChoice) throws {
    guard case .given(let t) = choice, t > analysis.result.durationSeconds else { return }
    throw CLIFailure(message: "--bell \(TimeText.clock(t)) is after the end of the recording (\(TimeText.clock(analysis.result.durationSeconds))): give a time inside it",
                     status: ExitStatus.usage)
}

/// Where and how a result is written: `analyze` and `segment` share these.
struct ResultOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "How to write the result.")
    var format: OutputFormat = .table

    @Option(name: .shortAndLong, help: "Write the result to this file (atomically) instead of standard output; - is standard output.")
    var output: String?

    /// For the batch's children: a symbolic link at --output is replaced, never written through.
    @Flag(help: .hidden)
    var noFollowOutput = false

    @Flag(help: "Include the per-step motion and audio-level signals in the JSON result.")
    var signals = false

    @Option(help: "Write every per-step feature (motion, spread, sound level, …) and the transition score as CSV to this file, to see why a segment was called what it was.")
    var features: String?

    @Option(name: .customLong("bell-candidates"), help: "Write every bell-like sound heard (start, end, measurements, how sure it is a bell, and which one was taken for the bell) as CSV to this file.")
    var bellCandidates: String?

    @Option(help: "Write per-stage timings and decode counts as JSON to this file (for benchmarks).")
    var timings: String?

    @Flag(name: .shortAndLong, help: "No progress and no warnings on standard error.")
    var quiet = false

    /// Writes a file atomically; a failure is an I/O error (exit 74).
    static func write(_ data: Data, to path: String, followLinks: Bool = true) throws {
        do { try AtomicFile.write(data, to: path, followLinks: followLinks) } catch {
            throw CLIFailure(message: "\(error)", status: ExitStatus.ioError)
        }
    }

    /// Writes the result and every table asked for; the warnings go to standard error (named by `name`).
    func write(_ analysis: LessonAnalysis, name: String) throws {
        let text = try format.render(analysis)
        if let output, output != "-" {
            try Self.write(Data(text.utf8), to: output, followLinks: !noFollowOutput)
        } else {
            print(text, terminator: "")
        }
        if let features {
            try Self.write(Data(FeatureTable.csv(analysis.features, trace: analysis.segmentation.trace).utf8), to: features)
        }
        if let bellCandidates {
            let table = BellCandidateTable.csv(analysis.features, decision: analysis.segmentation.bellDecision)
            try Self.write(Data(table.utf8), to: bellCandidates)
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
            try Self.write(try JSONOutput.data(stats), to: timings)
        }
        if !quiet && (format != .table || output != nil) {
            for w in analysis.warnings { FileHandle.standardError.write(Data("bellwork: \(name): warning: \(w.message)\n".utf8)) }
        }
    }
}
