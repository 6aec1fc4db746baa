import LessonMetrics
import Testing

/// Label agreement samples at `start + 0.05 + k × 0.1`; every expected figure is worked out by hand.
@Suite struct AccuracyTests {
    /// 100 s, no bell: transitions [0, 10) and [50, 60), 80 s on task (80 %).
    static let plain = TruthFile(
        durationSeconds: 100, bell: nil,
        segments: [seg(0, 10, .transition), seg(10, 50, .instruction), seg(50, 60, .transition), seg(60, 100, .group)])

    @Test func perfectMatch() {
        let truth = TruthFile(
            durationSeconds: 200, bell: Bell(timeSeconds: 30),
            segments: [seg(0, 60, .transition), seg(60, 120, .instruction), seg(120, 140, .transition),
                       seg(140, 200, .independent)])
        let score = Accuracy.score(result: truth, truth: truth)
        #expect(score.labelAgreement == 1)
        #expect(score.transitions == TransitionMatch(resultCount: 2, truthCount: 2, matchedCount: 2))
        #expect(score.transitionF1 == 1)
        #expect(score.bell == .found(errorSeconds: 0))
        #expect(score.latencyErrorSeconds == 0)
        #expect(score.timeOnTaskErrorPoints == 0)
    }

    /// Kinds: all five compared. The result calls the group work [60, 100) independent work and starts its
    /// instruction 2 s late: 400 + 20 of 1000 samples differ; the two-label agreement is unaffected there.
    @Test func kindAgreementComparesAllFiveKinds() {
        let result = TruthFile(
            durationSeconds: 100, bell: nil,
            segments: [seg(0, 12, .transition), seg(12, 50, .instruction), seg(50, 60, .transition), seg(60, 100, .independent)])
        let score = Accuracy.score(result: result, truth: Self.plain)
        #expect(abs(score.kindAgreement - 0.58) < 1e-9)
        #expect(abs(score.labelAgreement - 0.98) < 1e-9)
        #expect(Accuracy.score(result: Self.plain, truth: Self.plain).kindAgreement == 1)
        #expect(Accuracy.aggregate([score, Accuracy.score(result: Self.plain, truth: Self.plain)]).meanKindAgreement == 0.79)
    }

    @Test func transitionsShiftedTwoSeconds() {
        let result = TruthFile(
            durationSeconds: 100, bell: nil,
            segments: [seg(0, 12, .transition), seg(12, 52, .instruction), seg(52, 62, .transition), seg(62, 100, .group)])
        let score = Accuracy.score(result: result, truth: Self.plain)
        // 1000 samples; labels differ on [10, 12), [50, 52) and [60, 62): 3 × 20 samples.
        #expect(score.labelAgreement == 0.94)
        // IoU 10/12 and 8/12, both at least 0.5.
        #expect(score.transitions == TransitionMatch(resultCount: 2, truthCount: 2, matchedCount: 2))
        #expect(score.transitionF1 == 1)
        #expect(score.bell == .noBell)
        #expect(score.latencyErrorSeconds == nil)
        #expect(score.timeOnTaskErrorPoints == 2)  // 78 % against 80 %
    }

    @Test func transitionShiftedTooFarDoesNotMatch() {
        // [55, 65) against [50, 60): IoU 5/15. [0, 10) still matches exactly.
        let result = TruthFile(
            durationSeconds: 100, bell: nil,
            segments: [seg(0, 10, .transition), seg(10, 55, .instruction), seg(55, 65, .transition), seg(65, 100, .group)])
        let score = Accuracy.score(result: result, truth: Self.plain)
        #expect(score.transitions.matchedCount == 1)
        #expect(score.transitions.precision == 0.5)
        #expect(score.transitions.recall == 0.5)
        #expect(score.transitionF1 == 0.5)
        #expect(score.labelAgreement == 0.9)  // [50, 55) and [60, 65) differ: 100 of 1000 samples
    }

    @Test func intersectionOverUnionOfExactlyHalfMatches() {
        // [50, 70) against [50, 60): IoU 10/20.
        let result = TruthFile(
            durationSeconds: 100, bell: nil,
            segments: [seg(0, 10, .transition), seg(10, 50, .instruction), seg(50, 70, .transition), seg(70, 100, .group)])
        #expect(Accuracy.score(result: result, truth: Self.plain).transitions.matchedCount == 2)
    }

    @Test func missedBell() {
        // Truth window [30, 100]. The result's transition [0, 40) is cut to [30, 40), as is the truth's.
        let truth = TruthFile(
            durationSeconds: 100, bell: Bell(timeSeconds: 30),
            segments: [seg(0, 30, .transition), seg(30, 40, .transition), seg(40, 100, .instruction)])
        let result = TruthFile(
            durationSeconds: 100, bell: nil, segments: [seg(0, 40, .transition), seg(40, 100, .instruction)])
        let score = Accuracy.score(result: result, truth: truth)
        #expect(score.bell == .missed)
        #expect(score.bell.isMiss)
        #expect(score.latencyErrorSeconds == nil)
        #expect(score.labelAgreement == 1)
        #expect(score.transitions == TransitionMatch(resultCount: 1, truthCount: 1, matchedCount: 1))
        // Truth: 60 of 70 s on task = 85.71 %; result: 60 of 100 s = 60 %.
        #expect(score.timeOnTaskErrorPoints == 25.71)
    }

    @Test func extraBell() {
        let truth = TruthFile(
            durationSeconds: 50, bell: nil, segments: [seg(0, 10, .transition), seg(10, 50, .independent)])
        let result = TruthFile(
            durationSeconds: 50, bell: Bell(timeSeconds: 5, source: .detected, confidence: 0.6),
            segments: [seg(0, 10, .transition), seg(10, 50, .independent)])
        let score = Accuracy.score(result: result, truth: truth)
        #expect(score.bell == .extra)
        #expect(score.bell.isMiss)
        #expect(score.latencyErrorSeconds == nil)
        #expect(score.labelAgreement == 1)  // scored on the truth's window [0, 50]
        #expect(score.transitionF1 == 1)
        // Truth: 40 of 50 s = 80 %; result: 40 of 45 s = 88.89 %.
        #expect(score.timeOnTaskErrorPoints == 8.89)
    }

    @Test func bellAndLatencyErrors() {
        // Truth: bell 30, settles at 60, so latency 30. Result: bell 32.5, settles at 70: latency 37.5.
        let truth = TruthFile(
            durationSeconds: 200, bell: Bell(timeSeconds: 30),
            segments: [seg(0, 30, .transition), seg(30, 60, .transition), seg(60, 200, .instruction)])
        let result = TruthFile(
            durationSeconds: 200, bell: Bell(timeSeconds: 32.5),
            segments: [seg(0, 70, .transition), seg(70, 200, .instruction)])
        let score = Accuracy.score(result: result, truth: truth)
        #expect(score.bell == .found(errorSeconds: 2.5))
        #expect(score.latencyErrorSeconds == 7.5)
        // Window [30, 200]: 1700 samples; [60, 70) differs: 100 samples.
        #expect(score.labelAgreement == 1600.0 / 1700.0)
        // [30, 70) against [30, 60): IoU 30/40.
        #expect(score.transitionF1 == 1)
        // Truth 140 of 170 s = 82.35 %; result 130 of 167.5 s = 77.61 %.
        #expect(score.timeOnTaskErrorPoints == 4.74)
    }

    @Test func adjacentTransitionsMergeIntoOne() {
        let truth = TruthFile(
            durationSeconds: 60, bell: nil,
            segments: [seg(0, 10, .group), seg(10, 30, .transition), seg(30, 60, .group)])
        let result = TruthFile(
            durationSeconds: 60, bell: nil,
            segments: [seg(0, 10, .group), seg(10, 20, .transition), seg(20, 30, .transition), seg(30, 60, .group)])
        let score = Accuracy.score(result: result, truth: truth)
        #expect(score.transitions == TransitionMatch(resultCount: 1, truthCount: 1, matchedCount: 1))
        #expect(score.labelAgreement == 1)
    }

    @Test func onlyTransitionVersusEverythingElseCounts() {
        // Different on-task kinds and unknown all reduce to "everything else".
        let truth = TruthFile(
            durationSeconds: 40, bell: nil, segments: [seg(0, 20, .instruction), seg(20, 40, .unknown)])
        let result = TruthFile(
            durationSeconds: 40, bell: nil, segments: [seg(0, 20, .group), seg(20, 40, .independent)])
        let score = Accuracy.score(result: result, truth: truth)
        #expect(score.labelAgreement == 1)
        #expect(score.transitions == TransitionMatch(resultCount: 0, truthCount: 0, matchedCount: 0))
        #expect(score.transitionF1 == 1)  // neither has a transition
    }

    @Test func noTransitionsFoundWhereTruthHasOne() {
        let result = TruthFile(durationSeconds: 100, bell: nil, segments: [seg(0, 100, .instruction)])
        let score = Accuracy.score(result: result, truth: Self.plain)
        #expect(score.transitions.precision == 1)
        #expect(score.transitions.recall == 0)
        #expect(score.transitionF1 == 0)
        #expect(score.labelAgreement == 0.8)  // 200 of 1000 samples differ
    }

    @Test func resultShorterThanTruthCountsAsNotTransition() {
        // The result covers 90 s of the truth's 100; the rest has no label, so "everything else".
        let truth = TruthFile(
            durationSeconds: 100, bell: nil, segments: [seg(0, 90, .group), seg(90, 100, .transition)])
        let result = TruthFile(durationSeconds: 90, bell: nil, segments: [seg(0, 90, .group)])
        #expect(Accuracy.score(result: result, truth: truth).labelAgreement == 0.9)
    }

    @Test func zeroLengthTruthWindow() {
        let truth = TruthFile(durationSeconds: 60, bell: Bell(timeSeconds: 60), segments: [seg(0, 60, .transition)])
        let score = Accuracy.score(result: truth, truth: truth)
        #expect(score.labelAgreement == 1)  // no sample points: nothing disagrees
        #expect(score.transitionF1 == 1)  // no transition inside the window
    }

    @Test func scoresAnAnalysisResult() {
        let result = AnalysisResultTests.full
        // The truth is the result itself: everything agrees.
        let score = Accuracy.score(result: result, truth: TruthFile(result))
        #expect(score.labelAgreement == 1)
        #expect(score.transitionF1 == 1)
        #expect(score.bell == .found(errorSeconds: 0))
        #expect(score.latencyErrorSeconds == 0)
    }
}
