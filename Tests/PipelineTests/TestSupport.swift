import Foundation
import Bellwork
import MediaIO
import Segmentation
import SignalTestSupport

/// Paths and helpers shared by the pipeline tests.
enum TestSupport {
    /// The repository root, found from this file's path.
    static let repoRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    /// The shared folder's recordings (`SharedFolder`: BELLWORK_SHARED, or `shared` beside the repository).
    static let sharedMedia = SharedFolder.url.appendingPathComponent("media")

    static func media(_ relative: String) -> String { sharedMedia.appendingPathComponent(relative).path }

    /// The rate of the pipeline tests' sound: the product's analysis rate.
    static let rate = DecodeOptions().audioSampleRate

    /// The mono analysis audio of a file (at `rate`), decoded by `MediaReader`.
    static func decodeAudio(_ path: String) throws -> [Float] {
        let reader = try MediaReader(path: path)
        var sink = AudioCollector()
        var options = DecodeOptions()
        options.decodeVideo = false
        _ = try reader.decode(into: &sink, options: options)
        return sink.samples
    }

    static func roomNoise(seconds: Double, db: Double, seed: UInt64 = 7) -> [Float] {
        SyntheticSound.roomNoise(seconds: seconds, db: db, seed: seed, rate: rate)
    }

    static func mixIn(_ source: [Float], into mix: inout [Float], at seconds: Double, gain: Float) {
        SyntheticSound.mixIn(source, into: &mix, at: seconds, gain: gain, rate: rate)
    }

    /// The features of `audio` (mono at `rate`), through RealFFT, with the product's settings.
    static func features(audio: [Float], config: SegmentationConfig = SegmentationConfig()) -> FeatureSeries {
        SyntheticSound.features(audio: audio, config: config, transform: RealFFT(size: config.features.fftSize), rate: rate)
    }

    /// Runs a command; returns its standard output, or throws with its standard error.
    @discardableResult
    static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw NSError(domain: "run", code: Int(process.terminationStatus),
                          userInfo: [NSLocalizedDescriptionKey: String(decoding: errData, as: UTF8.self)])
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// Keeps the analysis audio (tests only: a real sink keeps numbers, not samples).
struct AudioCollector: MediaSink {
    var samples: [Float] = []
    mutating func consume(video frame: borrowing LumaFrame) {}
    mutating func consume(audio chunk: borrowing AudioChunk) {
        chunk.withSamples { samples.append(contentsOf: $0) }
    }
}
