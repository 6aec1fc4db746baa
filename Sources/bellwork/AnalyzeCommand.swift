import ArgumentParser
import Bellwork
import BellworkOutputs
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
          bellwork analyze lesson.mp4 --save-features lesson.features.json
        """
    )

    @Argument(help: "The lesson recording (MP4, MOV, MKV/WebM, AVI, TS, FLV, OGG, WAV, MP3, AAC, FLAC, AIFF).")
    var lesson: String

    @OptionGroup var settings: SettingsOptions

    @OptionGroup var bellOptions: BellOptions

    enum DecodeMode: String, ExpressibleByArgument, CaseIterable {
        case fast, bursts, nonref, full
    }

    @Option(help: "fast: the decoder skips B-frames (or, where I- and P-frames alone are too few, frames nothing refers to), since the analysis samples 5 pictures a second and takes its pictures from the other frames in every mode, and in video without B-frames and with a key frame each second (an iPad's) decodes only each key frame and the picture just after it, the pair motion is measured from (key-frame bursts: about 2.5 times faster there, the same figures); bursts: as fast, with key-frame bursts even where a configuration file turned them off; nonref: it skips only frames nothing refers to (no bursts); full: decode everything (the same pictures are analysed: fast and full give the same figures where the file allows the skipping).")
    var decode: DecodeMode = .fast

    @Option(help: "Decoder threads per stream (0: as the machine serves best; with B-frames skipped, a lesson over a minute up to 720p is decoded in two halves at once). A batch running one lesson per core uses 1.")
    var threads: Int = 0

    @Option(help: "Also save the lesson's features to this file, so `bellwork segment` can segment it again (other settings) without decoding.")
    var saveFeatures: String?

    @OptionGroup var result: ResultOptions
    @OptionGroup var limits: ResourceLimits

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if let settleSeconds = settings.settleSeconds, !(settleSeconds > 0) {
            throw ValidationError("--settle-seconds must be greater than 0.")
        }
        if !(0...64).contains(threads) { throw ValidationError("--threads must be 0 (every core) to 64.") }
    }

    func run() throws {
        limits.apply()
        common.setUpLogging()
        try reportingFailures {
            let configuration = try settings.configuration { configuration in
                switch decode {
                case .fast: break
                case .bursts: configuration.decode.keyframeBursts = true
                case .nonref:
                    configuration.decode.skipBidirectionalFrames = false
                    configuration.decode.keyframeBursts = false
                case .full:
                    configuration.decode.skipBidirectionalFrames = false
                    configuration.decode.keyframeBursts = false
                    configuration.decode.skipNonReferenceFrames = false
                    configuration.decode.skipLoopFilter = false
                }
                configuration.decode.threads = threads
            }
            let choice = try bellOptions.choice()
            let meter = ProgressMeter(enabled: !result.quiet && isatty(STDERR_FILENO) != 0)
            let lesson = try LessonAnalyzer.extract(path: self.lesson, configuration: configuration, progress: meter.update)
            meter.finish()
            let analysis = LessonAnalyzer.finish(lesson, configuration: configuration, bell: choice,
                                                 includeSignals: result.signals)
            if let saveFeatures {
                let file = FeaturesFile(configuration: configuration, lesson: lesson)
                try ResultOptions.write(try file.data(), to: saveFeatures)
            }
            try refuseBellOutside(analysis, choice: choice)
            try result.write(analysis, name: self.lesson)
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
