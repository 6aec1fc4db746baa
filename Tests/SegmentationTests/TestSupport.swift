import Foundation
import Segmentation

/// Paths and helpers shared by the Segmentation tests.
enum TestSupport {
    /// The repository root, found from this file's path.
    static let repoRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    /// Deterministic room tone: low-passed noise at about `db` dBFS RMS.
    static func roomNoise(seconds: Double, db: Double, seed: UInt64 = 7) -> [Float] {
        var state = seed &* 6364136223846793005 &+ 1442695040888963407
        let n = Int(seconds * 16_000)
        var out = [Float](repeating: 0, count: n)
        var y = 0.0
        let gain = pow(10, db / 20) * 2.2
        for i in 0..<n {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let u = Double(state >> 11) / Double(1 << 53) * 2 - 1
            y = 0.85 * y + 0.15 * u * 3.0
            out[i] = Float(y * gain)
        }
        return out
    }

    /// Adds `source × gain` into `mix` starting at `seconds`.
    static func mixIn(_ source: [Float], into mix: inout [Float], at seconds: Double, gain: Float) {
        let start = Int(seconds * 16_000)
        for (i, s) in source.enumerated() where start + i < mix.count && start + i >= 0 {
            mix[start + i] += s * gain
        }
    }

    /// Runs the feature extractor over audio alone (in chunks of 1024 samples, like a decoder).
    static func features(audio: [Float], config: SegmentationConfig = SegmentationConfig()) -> FeatureSeries {
        var extractor = FeatureExtractor(config: config, transform: ReferenceFFT(size: config.features.fftSize))
        audio.withUnsafeBufferPointer { all in
            var i = 0
            while i < all.count {
                let n = min(1024, all.count - i)
                extractor.consume(samples: UnsafeBufferPointer(rebasing: all[i..<(i + n)]), time: Double(i) / 16_000)
                i += n
            }
        }
        return extractor.finish()
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

    static var hasFFmpeg: Bool { (try? run(["ffmpeg", "-version"])) != nil }

    /// A fresh temporary directory.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("seg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
