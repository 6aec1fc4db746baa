import Foundation
import LessonMetrics
import MediaIO
import Testing

/// Every committed truth file follows the contract: the schema's parts (checked by the generator's own
/// Python checker), segments covering the lesson, the media's real duration, and metrics that Bellwork's
/// own `Metrics.compute` — written independently of the generator's Python — recomputes to the hundredth.
@Suite struct FixtureTruthTests {
    static var truthFiles: [String] {
        let lessons = CLI.repoRoot.appendingPathComponent("Fixtures/lessons")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: lessons.path)) ?? []
        return names.filter { $0.hasSuffix(".truth.json") }.sorted().map { lessons.appendingPathComponent($0).path }
            + [CLI.repoRoot.appendingPathComponent("Fixtures/sample-lesson.truth.json").path]
    }

    @Test func generatorCheckerPasses() throws {
        let out = try CLI.run(["python3", CLI.repoRoot.appendingPathComponent("Fixtures/generator/check_truth.py").path, "--media"],
                              executable: "/usr/bin/env")
        #expect(out.status == 0, "\(out.stdout)\(out.stderr)")
        #expect(out.stdout.contains(" passed, 0 failed"), "\(out.stdout)")
    }

    @Test func metricsRecomputeAndDurationsMatchTheMedia() throws {
        #expect(Self.truthFiles.count >= 18)
        for path in Self.truthFiles {
            let truth = try ResultJSON.decode(TruthFile.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
            let again = Metrics.compute(segments: truth.segments, bell: truth.bell?.timeSeconds,
                                        duration: truth.durationSeconds, settleSeconds: 30)
            #expect(again == truth.metrics, "\(path)")
            #expect(truth.segments.first?.start == 0, "\(path)")
            #expect(truth.segments.last?.end == truth.durationSeconds, "\(path)")
            for (a, b) in zip(truth.segments, truth.segments.dropFirst()) { #expect(a.end == b.start, "\(path)") }
            let stem = String(path.dropLast(".truth.json".count))
            let dir = URL(fileURLWithPath: stem).deletingLastPathComponent().path
            let base = URL(fileURLWithPath: stem).lastPathComponent
            let media = try #require(try FileManager.default.contentsOfDirectory(atPath: dir)
                .first { $0.hasPrefix(base + ".") && !$0.hasSuffix(".json") }, "\(path) has its media")
            var sink = Measure()
            let report = try MediaReader(path: dir + "/" + media).decode(into: &sink)
            #expect(abs(report.decodedSeconds - truth.durationSeconds) < 0.1, "\(media): decoded \(report.decodedSeconds) s, truth \(truth.durationSeconds) s")
        }
    }

    struct Measure: MediaSink {
        mutating func consume(video frame: borrowing LumaFrame) {}
        mutating func consume(audio chunk: borrowing AudioChunk) {}
    }
}
