import ArgumentParser
import Bellwork
import Foundation
import MediaIO

/// Decodes a recording as an analysis would and reports what the media layer did, without analysing.
/// For measuring decode speed and checking for leaks; not needed for everyday use.
struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode a recording into analysis streams and report counts and speed (no analysis).",
        discussion: """
        Runs only the media layer: one demux pass, video shrunk to small grayscale pictures and audio \
        resampled to mono, then prints what was decoded and how fast. Used by `make leakcheck` and the \
        benchmarks.

        Example:
          bellwork decode lesson.mp4 --skip-nonref
        """
    )

    @Argument(help: "The recording to decode.")
    var file: String

    @Option(help: "Analysis pictures per second (0: every frame).")
    var rate: Double = 5

    @Option(help: "Width of the analysis pictures in pixels.")
    var width: Int = 192

    @Flag(help: "Let the decoder skip frames nothing refers to.")
    var skipNonref = false

    @Flag(help: "Let the decoder skip every B-frame (as `analyze` does; with too few frames left, it keeps B-frames others refer to).")
    var skipBframes = false

    @Flag(help: "Let the decoder skip its loop filter (deblocking; `analyze` keeps it, so that skipping frames changes no picture it takes).")
    var skipLoopFilter = false

    @Option(help: "Decoder threads (0: all cores).")
    var threads: Int = 0

    @Option(help: "Output format: text or json.")
    var format: ProbeCommand.Format = .text

    @OptionGroup var common: CommonOptions

    /// Counts what arrives; the decode itself is what is measured.
    struct Counter: MediaSink {
        var pictures = 0
        var samples = 0
        mutating func consume(video frame: borrowing LumaFrame) { pictures += 1 }
        mutating func consume(audio chunk: borrowing AudioChunk) { samples += chunk.count }
    }

    func run() throws {
        common.setUpLogging()
        try reportingFailures {
            var options = DecodeOptions()
            options.videoSamplesPerSecond = rate > 0 ? rate : nil
            options.analysisWidth = width
            options.skipNonReferenceFrames = skipNonref || skipBframes
            options.skipBidirectionalFrames = skipBframes
            options.skipLoopFilter = skipLoopFilter
            options.threads = threads
            do { try options.validate(prefix: "decode.") } catch {
                throw CLIFailure(message: "\(error)", status: ExitStatus.usage)
            }
            let started = Date()
            let reader = try MediaReader(path: file)
            var counter = Counter()
            let report = try reader.decode(into: &counter, options: options)
            let wall = Date().timeIntervalSince(started)
            switch format {
            case .json:
                print(try JSONOutput.string(report))
            case .text:
                print(String(format: "decoded %.2f s of media in %.2f s (%.1fx real time)", report.decodedSeconds, wall,
                             report.decodedSeconds / max(wall, 1e-9)))
                print("video: \(report.videoFramesDecoded) frames decoded (\(report.frameSkipping) frames skipped), \(counter.pictures) analysis pictures")
                print("audio: \(counter.samples) samples at \(options.audioSampleRate) Hz")
                print(String(format: "stages: demux %.2f s, video decode %.2f s, audio decode %.2f s, shrink %.2f s, resample %.2f s",
                             report.demuxSeconds, report.videoDecodeSeconds, report.audioDecodeSeconds,
                             report.scaleSeconds, report.resampleSeconds))
                for warning in report.warnings { print("warning: \(warning)") }
            }
        }
    }
}
