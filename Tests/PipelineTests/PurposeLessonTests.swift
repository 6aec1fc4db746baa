import Bellwork
import Foundation
import LessonMetrics
import Testing

/// Lessons made for the purpose (`Fixtures/lessons`, split `purpose`; rendered by the generator, never tuned
/// on): what a coach would notice at once if it were wrong. End to end: decode, segment, measure.
@Suite struct PurposeLessonTests {
    static func analyse(_ name: String) throws -> AnalysisResult {
        let media = try #require(LessonSegmentationTests.mediaPath(name), "no media for \(name)")
        return try LessonAnalyzer.analyze(path: media, configuration: AnalysisConfiguration()).result
    }

    static func onTaskSeconds(_ result: AnalysisResult) -> Double {
        result.segments.filter { $0.kind.isOnTask }.reduce(0) { $0 + $1.end - $1.start }
    }

    @Test func anEmptyRoomFilmedByAStillCameraHasNoClassTime() throws {
        let result = try Self.analyse("empty_room_still")
        #expect(Self.onTaskSeconds(result) == 0, "\(result.segments)")
        #expect(result.warnings.contains { $0.code == "no-class-in-view" })
        #expect(result.status == "check")
    }

    @Test func anEmptyRoomWithTheCameraCarriedThroughItHasNoClassTime() throws {
        let result = try Self.analyse("empty_room_carried")
        #expect(Self.onTaskSeconds(result) == 0, "\(result.segments)")
        #expect(result.warnings.contains { $0.code == "camera-moving" || $0.code == "no-class-in-view" })
        #expect(result.status == "check")
    }

    @Test func aSeatedClassFilmedByASlowlyPanningPhoneHasNoTransition() throws {
        let result = try Self.analyse("handheld_pan_seated")
        #expect(!result.segments.contains { $0.kind == .transition }, "\(result.segments)")
    }

    @Test func aLessonThatIsAllTransitionIsAtMostATenthOnTask() throws {
        let result = try Self.analyse("all_transition")
        let percent = result.metrics.timeOnTaskPercent
        #expect(percent <= 10, "\(result.segments)")
    }

    @Test func aClassAlreadyWorkingGetsNoInventedTransition() throws {
        let result = try Self.analyse("already_working")
        let media = try #require(LessonSegmentationTests.mediaPath("already_working"))
        let truth = try JSONDecoder().decode(TruthFile.self, from: Data(contentsOf: URL(fileURLWithPath: LessonSegmentationTests.truthPath(media))))
        let real = truth.segments.filter { $0.kind == .transition }
        for t in result.segments where t.kind == .transition {
            #expect(real.contains { $0.start < t.end && t.start < $0.end }, "invented transition \(t.start)-\(t.end): \(result.segments)")
        }
    }
}
