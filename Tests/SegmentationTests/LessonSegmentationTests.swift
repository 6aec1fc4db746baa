import Foundation
import LessonMetrics
import MediaIO
import Testing
@testable import Segmentation

/// End to end on the fixture lessons: decode with MediaReader, extract, segment, score against the truth
/// with the contract's accuracy measures. The goal is asserted on the validation lessons only; the tune
/// lessons are what the defaults were tuned on.
@Suite struct LessonSegmentationTests {
    static let lessons = TestSupport.repoRoot.appendingPathComponent("Fixtures/lessons")

    struct Split: Decodable { var tune: [String]; var validation: [String] }

    static func split() -> Split? {
        guard let data = try? Data(contentsOf: lessons.appendingPathComponent("split.json")) else { return nil }
        return try? JSONDecoder().decode(Split.self, from: data)
    }

    /// The media file of a lesson named in split.json (a name with or without its extension).
    static func mediaPath(_ name: String) -> String? {
        let direct = lessons.appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: direct.path), !name.hasSuffix(".json") { return direct.path }
        let files = (try? FileManager.default.contentsOfDirectory(atPath: lessons.path)) ?? []
        return files.first { $0.hasPrefix(name + ".") && !$0.hasSuffix(".json") }
            .map { lessons.appendingPathComponent($0).path }
    }

    static func truthPath(_ media: String) -> String {
        (media as NSString).deletingPathExtension + ".truth.json"
    }

    struct Outcome { var score: Score; var bell: Bell?; var segments: [Segment]; var decodeSeconds: Double; var sinkSeconds: Double; var segmentSeconds: Double }

    static func analyse(_ media: String, config: SegmentationConfig = SegmentationConfig()) throws -> Outcome {
        let reader = try MediaReader(path: media)
        var extractor = FeatureExtractor(config: config)
        let t0 = Date()
        let report = try reader.decode(into: &extractor)
        let t1 = Date()
        let series = extractor.finish()
        let duration = (report.decodedSeconds * 100).rounded() / 100
        let (bell, segments) = LessonSegmentation.run(series, duration: duration, config: config)
        let t2 = Date()
        let truth = try JSONDecoder().decode(TruthFile.self, from: Data(contentsOf: URL(fileURLWithPath: truthPath(media))))
        let result = TruthFile(durationSeconds: duration, bell: bell, segments: segments)
        return Outcome(score: Accuracy.score(result: result, truth: truth), bell: bell, segments: segments,
                       decodeSeconds: t1.timeIntervalSince(t0) - report.sinkSeconds, sinkSeconds: report.sinkSeconds,
                       segmentSeconds: t2.timeIntervalSince(t1))
    }

    static func describe(_ name: String, _ o: Outcome) -> String {
        let s = o.score
        return String(format: "%@: agreement %.3f F1 %.2f bell %@ latency err %@ on-task err %.2f | cost %.1f%% (features %.3fs + segment %.3fs of decode %.2fs) | %@",
                      name, s.labelAgreement, s.transitionF1, "\(s.bell)",
                      s.latencyErrorSeconds.map { String(format: "%.1f", $0) } ?? "nil", s.timeOnTaskErrorPoints,
                      100 * (o.sinkSeconds + o.segmentSeconds) / max(o.decodeSeconds, 1e-9), o.sinkSeconds, o.segmentSeconds,
                      o.decodeSeconds,
                      o.segments.map { "\($0.kind.rawValue)[\($0.start)-\($0.end)]" }.joined(separator: " "))
    }

    static func meetsGoal(_ s: Score) -> Bool {
        let bellOK: Bool = switch s.bell {
        case .noBell: true
        case .found(let e): e <= 1
        case .missed, .extra: false
        }
        return s.labelAgreement >= 0.95 && s.transitionF1 >= 0.9 && bellOK
            && (s.latencyErrorSeconds ?? 0) <= 10 && s.timeOnTaskErrorPoints <= 3
    }

    @Test func validationLessonsMeetTheGoal() throws {
        guard let split = Self.split() else { return }  // fixtures not generated yet
        for name in split.validation {
            let media = try #require(Self.mediaPath(name), "no media for validation lesson \(name)")
            let outcome = try Self.analyse(media)
            print("VALIDATION " + Self.describe(name, outcome))
            let s = outcome.score
            #expect(s.labelAgreement >= 0.95, "\(name): label agreement \(s.labelAgreement)")
            #expect(s.transitionF1 >= 0.9, "\(name): transition F1 \(s.transitionF1)")
            switch s.bell {
            case .noBell: break
            case .found(let e): #expect(e <= 1, "\(name): bell off by \(e) s")
            case .missed, .extra: Issue.record("\(name): bell \(s.bell)")
            }
            #expect((s.latencyErrorSeconds ?? 0) <= 10, "\(name): latency error \(String(describing: s.latencyErrorSeconds))")
            #expect(s.timeOnTaskErrorPoints <= 3, "\(name): time-on-task error \(s.timeOnTaskErrorPoints)")
        }
    }

    /// Prints the tune lessons' scores (what the defaults were tuned on); asserts only that they run.
    @Test func tuneLessonsReport() throws {
        guard let split = Self.split() else { return }
        for name in split.tune {
            guard let media = Self.mediaPath(name),
                  FileManager.default.fileExists(atPath: Self.truthPath(media)) else { continue }
            print("TUNE " + Self.describe(name, try Self.analyse(media)))
        }
    }
}
