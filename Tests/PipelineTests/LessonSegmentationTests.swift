import Bellwork
import Foundation
import LessonMetrics
import MediaIO
import Testing
@testable import Segmentation

/// End to end on the fixture lessons: decode with MediaReader (the product's decode options), extract,
/// segment, measure, and score against the truth with the contract's accuracy measures. The defaults
/// were tuned on the `tune` lessons of `Fixtures/lessons/split.json`; the `validation` lessons are only
/// measured, never tuned on.
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
        var configuration = AnalysisConfiguration()
        configuration.segmentation = config
        let analysis = try LessonAnalyzer.analyze(path: media, configuration: configuration)
        let (bell, segments, duration) = (analysis.result.bell, analysis.result.segments, analysis.result.durationSeconds)
        let truth = try JSONDecoder().decode(TruthFile.self, from: Data(contentsOf: URL(fileURLWithPath: truthPath(media))))
        let result = TruthFile(durationSeconds: duration, bell: bell, segments: segments)
        return Outcome(score: Accuracy.score(result: result, truth: truth), bell: bell, segments: segments,
                       decodeSeconds: analysis.timings.decode, sinkSeconds: analysis.timings.features,
                       segmentSeconds: analysis.timings.segmentation)
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

    /// What a validation lesson must reach: the issue's goal, or a documented floor.
    struct Bar: CustomStringConvertible {
        var agreement: Double
        var transitionF1: Double
        /// The largest bell error allowed; `.infinity` also allows a missed or extra bell.
        var bellErrorSeconds: Double
        var latencyErrorSeconds: Double
        var timeOnTaskErrorPoints: Double

        var description: String {
            "agreement ≥ \(agreement), F1 ≥ \(transitionF1), bell ≤ \(bellErrorSeconds) s, "
                + "latency ≤ \(latencyErrorSeconds) s, time on task ≤ \(timeOnTaskErrorPoints) pts"
        }

        /// Where `score` falls short of this bar, in words; empty when it reaches it.
        func shortfalls(_ s: Score) -> [String] {
            var out: [String] = []
            if s.labelAgreement < agreement { out.append("label agreement \(s.labelAgreement) < \(agreement)") }
            if s.transitionF1 < transitionF1 { out.append("transition F1 \(s.transitionF1) < \(transitionF1)") }
            if bellErrorSeconds.isFinite {
                switch s.bell {
                case .noBell: break
                case .found(let e): if e > bellErrorSeconds { out.append("bell off by \(e) s > \(bellErrorSeconds)") }
                case .missed, .extra: out.append("bell \(s.bell)")
                }
            }
            if let e = s.latencyErrorSeconds, e > latencyErrorSeconds {
                out.append("latency error \(e) s > \(latencyErrorSeconds)")
            }
            if s.timeOnTaskErrorPoints > timeOnTaskErrorPoints {
                out.append("time-on-task error \(s.timeOnTaskErrorPoints) > \(timeOnTaskErrorPoints)")
            }
            return out
        }
    }

    /// The issue's goal for every validation lesson.
    static let goal = Bar(agreement: 0.95, transitionF1: 0.9, bellErrorSeconds: 1, latencyErrorSeconds: 10,
                          timeOnTaskErrorPoints: 3)

    /// Validation lessons the engine does not yet bring to the goal: the floor it does reach (measured,
    /// with a little room for decoder threading), and why it falls short. Every other validation lesson
    /// must meet the goal. Raise a floor when the engine improves; never lower one to go green.
    static let floors: [String: (bar: Bar, why: String)] = [:]
    // hot_mic had a floor here (time on task 3.05 points off, over the goal of 3) until transitions grew into
    // their settling tails (settleMarginScore): now 2.8, and every validation lesson must meet the goal.

    @Test func validationLessonsMeetTheGoalOrTheirDocumentedFloor() throws {
        let split = try #require(Self.split(), "Fixtures/lessons/split.json is missing")
        for name in Self.floors.keys {
            #expect(split.validation.contains(name), "floor for \(name), which is not a validation lesson")
        }
        for name in split.validation {
            let media = try #require(Self.mediaPath(name), "no media for validation lesson \(name)")
            let outcome = try Self.analyse(media)
            print("VALIDATION " + Self.describe(name, outcome))
            if let (bar, why) = Self.floors[name] {
                let missed = bar.shortfalls(outcome.score)
                #expect(missed.isEmpty, "\(name) fell below its floor (\(bar)): \(missed.joined(separator: "; "))")
                let short = Self.goal.shortfalls(outcome.score)
                print("SHORT OF GOAL \(name): \(short.isEmpty ? "now meets the goal: move it out of floors" : short.joined(separator: "; ")) — \(why)")
            } else {
                let missed = Self.goal.shortfalls(outcome.score)
                #expect(missed.isEmpty, "\(name) misses the goal: \(missed.joined(separator: "; "))")
            }
        }
    }

    /// Prints the tune lessons' scores (what the defaults were tuned on); asserts only that they run.
    @Test func tuneLessonsReport() throws {
        let split = try #require(Self.split(), "Fixtures/lessons/split.json is missing")
        for name in split.tune {
            guard let media = Self.mediaPath(name),
                  FileManager.default.fileExists(atPath: Self.truthPath(media)) else { continue }
            print("TUNE " + Self.describe(name, try Self.analyse(media)))
        }
    }
}
