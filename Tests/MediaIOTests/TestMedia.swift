import Foundation
import MediaIO
import Testing

/// Paths to the repository's fixtures, and small recordings made on the spot with the `ffmpeg` tool
/// (a test oracle and fixture maker only; the product never runs it).
enum TestMedia {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func fixture(_ name: String) -> String { repoRoot.appendingPathComponent("Fixtures/media/\(name)").path }

    /// A fresh temporary folder for one test.
    static func tempDir() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bellwork-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Runs the ffmpeg tool quietly; fails the test if it fails.
    @discardableResult
    static func ffmpeg(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ffmpeg", "-nostdin", "-v", "error", "-y"] + arguments
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let data = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw TestFailure("ffmpeg \(arguments.joined(separator: " ")) failed: \(text)")
        }
        return text
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Keeps what a decode pass hands over, for assertions.
struct CollectingSink: MediaSink {
    var frameTimes: [Double] = []
    var frameSizes: [(Int, Int)] = []
    var frameMeans: [Double] = []
    var audioStartTimes: [Double] = []
    var samples: [Float] = []
    var firstAudioTime: Double? = nil
    var keepAudio = true

    mutating func consume(video frame: borrowing LumaFrame) {
        frameTimes.append(frame.time)
        frameSizes.append((frame.width, frame.height))
        let mean = frame.withPixels { p in Double(p.reduce(0) { $0 + Int($1) }) / Double(p.count) }
        frameMeans.append(mean)
    }

    mutating func consume(audio chunk: borrowing AudioChunk) {
        if firstAudioTime == nil { firstAudioTime = chunk.time }
        audioStartTimes.append(chunk.time)
        if keepAudio { chunk.withSamples { samples.append(contentsOf: $0) } }
    }
}
