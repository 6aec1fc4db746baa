import LessonMetrics
import Testing

/// Every expected figure is worked out by hand in the comments beside it.
@Suite struct MetricsTests {
    @Test func transitionSpanningTheBell() {
        // Window [60, 600]: 540 s. The unknown stretch before the bell is outside it.
        let metrics = Metrics.compute(
            segments: [
                seg(0, 30, .unknown), seg(30, 90, .transition), seg(90, 300, .instruction),
                seg(300, 320, .transition), seg(320, 600, .independent),
            ],
            bell: 60, duration: 600)
        #expect(metrics.classStartSeconds == 60)
        #expect(metrics.classEndSeconds == 600)
        #expect(metrics.classSeconds == 540)
        #expect(metrics.onTaskSeconds == 490)  // 210 instruction + 280 independent
        #expect(metrics.timeOnTaskPercent == 90.74)  // 100 × 490 / 540 = 90.7407…
        #expect(metrics.transitionCount == 2)
        #expect(metrics.transitionSeconds == 50)  // [60, 90) is 30, plus 20
        #expect(metrics.meanTransitionSeconds == 25)
        #expect(metrics.longestTransitionSeconds == 30)  // only the part after the bell
        // t = 60 is blocked by [60, 90); t = 90: [90, 120) is clear.
        #expect(metrics.bellToWorkSeconds == 30)
    }

    @Test func noBell() {
        let metrics = Metrics.compute(
            segments: [seg(0, 20, .transition), seg(20, 100, .group)], bell: nil, duration: 100)
        #expect(metrics.classStartSeconds == 0)
        #expect(metrics.classEndSeconds == 100)
        #expect(metrics.classSeconds == 100)
        #expect(metrics.onTaskSeconds == 80)
        #expect(metrics.timeOnTaskPercent == 80)
        #expect(metrics.transitionCount == 1)
        #expect(metrics.transitionSeconds == 20)
        #expect(metrics.meanTransitionSeconds == 20)
        #expect(metrics.longestTransitionSeconds == 20)
        #expect(metrics.bellToWorkSeconds == nil)
    }

    @Test func lessonThatNeverSettles() {
        // Window [10, 100]: 90 s. Candidates 10 (blocked by [10, 40)), 40 ([40, 70) meets [60, 100)),
        // 100 (all of [100, 130) is past the end, so clear): 100 − 10 = 90 = classEnd − bell.
        let metrics = Metrics.compute(
            segments: [
                seg(0, 10, .instruction), seg(10, 40, .transition), seg(40, 60, .instruction),
                seg(60, 100, .transition),
            ],
            bell: 10, duration: 100)
        #expect(metrics.bellToWorkSeconds == 90)
        #expect(metrics.classSeconds == 90)
        #expect(metrics.onTaskSeconds == 20)
        #expect(metrics.timeOnTaskPercent == 22.22)  // 100 × 20 / 90 = 22.222…
        #expect(metrics.transitionCount == 2)
        #expect(metrics.transitionSeconds == 70)
        #expect(metrics.meanTransitionSeconds == 35)
        #expect(metrics.longestTransitionSeconds == 40)
    }

    @Test func segmentsPartlyOutsideTheWindow() {
        // Window [100, 400]: 300 s. The instruction spans the bell, the last transition runs past the
        // end of the recording.
        let metrics = Metrics.compute(
            segments: [
                seg(0, 150, .instruction), seg(150, 200, .transition), seg(200, 370, .group),
                seg(370, 420, .transition),
            ],
            bell: 100, duration: 400)
        #expect(metrics.classSeconds == 300)
        #expect(metrics.onTaskSeconds == 220)  // [100, 150) is 50, [200, 370) is 170
        #expect(metrics.timeOnTaskPercent == 73.33)  // 100 × 220 / 300 = 73.333…
        #expect(metrics.transitionCount == 2)
        #expect(metrics.transitionSeconds == 80)  // 50 + [370, 400) 30
        #expect(metrics.meanTransitionSeconds == 40)
        #expect(metrics.longestTransitionSeconds == 50)
        // [100, 130) holds no transition: the class is settled at the bell.
        #expect(metrics.bellToWorkSeconds == 0)
    }

    @Test func unknownSegmentInsideTheSettleWindow() {
        // Window [20, 200]: 180 s. t = 20: [20, 50) holds the unknown [40, 45); t = 45: [45, 75) clear.
        // The transition [0, 20) ends at the bell, so it neither blocks nor counts.
        let metrics = Metrics.compute(
            segments: [
                seg(0, 20, .transition), seg(20, 40, .instruction), seg(40, 45, .unknown),
                seg(45, 200, .instruction),
            ],
            bell: 20, duration: 200)
        #expect(metrics.bellToWorkSeconds == 25)
        #expect(metrics.onTaskSeconds == 175)  // 20 + 155; unknown is not on task
        #expect(metrics.timeOnTaskPercent == 97.22)  // 100 × 175 / 180 = 97.222…
        #expect(metrics.transitionCount == 0)
        #expect(metrics.transitionSeconds == 0)
        #expect(metrics.meanTransitionSeconds == 0)
        #expect(metrics.longestTransitionSeconds == 0)
    }

    @Test func shortGapBetweenTransitionsDoesNotSettle() {
        // Window [30, 300]: 270 s. The 20 s of instruction between transitions is shorter than 30 s.
        // t = 30 blocked by [30, 50); t = 50: [50, 80) meets [70, 85); t = 85: [85, 115) clear.
        let metrics = Metrics.compute(
            segments: [
                seg(0, 30, .transition), seg(30, 50, .transition), seg(50, 70, .instruction),
                seg(70, 85, .transition), seg(85, 300, .independent),
            ],
            bell: 30, duration: 300)
        #expect(metrics.bellToWorkSeconds == 55)  // 85 − 30
        #expect(metrics.onTaskSeconds == 235)  // 20 + 215
        #expect(metrics.timeOnTaskPercent == 87.04)  // 100 × 235 / 270 = 87.037…
        // [0, 30) only touches the window at the bell: it does not overlap it.
        #expect(metrics.transitionCount == 2)
        #expect(metrics.transitionSeconds == 35)
        #expect(metrics.meanTransitionSeconds == 17.5)
        #expect(metrics.longestTransitionSeconds == 20)
    }

    @Test func shorterSettleAcceptsTheShortGap() {
        // With 10 s to settle, t = 50 works: [50, 60) is clear.
        let metrics = Metrics.compute(
            segments: [
                seg(0, 30, .transition), seg(30, 50, .transition), seg(50, 70, .instruction),
                seg(70, 85, .transition), seg(85, 300, .independent),
            ],
            bell: 30, duration: 300, settleSeconds: 10)
        #expect(metrics.bellToWorkSeconds == 20)
    }

    @Test func clearStretchExactlySettleLongSettles() {
        // [50, 80) is exactly 30 s and the next transition starts at 80: the interval is half-open.
        let metrics = Metrics.compute(
            segments: [
                seg(0, 50, .transition), seg(50, 80, .instruction), seg(80, 90, .transition),
                seg(90, 200, .group),
            ],
            bell: 10, duration: 200)
        #expect(metrics.bellToWorkSeconds == 40)  // 50 − 10
    }

    @Test func zeroLengthClassWithBellAtTheEnd() {
        let metrics = Metrics.compute(
            segments: [seg(0, 100, .transition), seg(100, 300, .instruction)], bell: 300, duration: 300)
        #expect(metrics.classStartSeconds == 300)
        #expect(metrics.classEndSeconds == 300)
        #expect(metrics.classSeconds == 0)
        #expect(metrics.onTaskSeconds == 0)
        #expect(metrics.timeOnTaskPercent == 0)  // defined as 0 for a window of no length
        #expect(metrics.transitionCount == 0)
        #expect(metrics.transitionSeconds == 0)
        #expect(metrics.meanTransitionSeconds == 0)
        #expect(metrics.longestTransitionSeconds == 0)
        #expect(metrics.bellToWorkSeconds == 0)  // all of [300, 330) is past the end
    }

    @Test func bellPastTheEndIsClampedToTheEnd() {
        let metrics = Metrics.compute(segments: [seg(0, 300, .instruction)], bell: 350, duration: 300)
        #expect(metrics.classStartSeconds == 300)
        #expect(metrics.classSeconds == 0)
        #expect(metrics.bellToWorkSeconds == 0)
    }

    @Test func segmentOrderDoesNotMatter() {
        // The transition spanning the bell lesson, segments reversed: the same figures.
        let metrics = Metrics.compute(
            segments: [
                seg(320, 600, .independent), seg(300, 320, .transition), seg(90, 300, .instruction),
                seg(30, 90, .transition), seg(0, 30, .unknown),
            ],
            bell: 60, duration: 600)
        #expect(metrics.bellToWorkSeconds == 30)
        #expect(metrics.transitionCount == 2)
        #expect(metrics.timeOnTaskPercent == 90.74)
    }

    @Test func figuresAreRoundedToHundredths() {
        // Transition [0, 1/3): 0.333… s; on task 3 − 1/3 = 2.666… s; 100 × (8/3) / 3 = 88.888…
        let third = 1.0 / 3.0
        let metrics = Metrics.compute(
            segments: [seg(0, third, .transition), seg(third, 3, .instruction)], bell: nil, duration: 3)
        #expect(metrics.transitionSeconds == 0.33)
        #expect(metrics.meanTransitionSeconds == 0.33)
        #expect(metrics.longestTransitionSeconds == 0.33)
        #expect(metrics.onTaskSeconds == 2.67)
        #expect(metrics.timeOnTaskPercent == 88.89)
    }

    @Test func encodesBellToWorkAsExplicitNull() throws {
        let metrics = Metrics.compute(segments: [seg(0, 10, .group)], bell: nil, duration: 10)
        let members = try jsonMembers(ResultJSON.encode(metrics))
        #expect(members["bellToWorkSeconds"] == .null)
        #expect(members.count == 10)  // every field of the contract
    }

    @Test func roundTripsThroughJSON() throws {
        let metrics = Metrics(
            classStartSeconds: 12.5, classEndSeconds: 600, classSeconds: 587.5, onTaskSeconds: 500,
            timeOnTaskPercent: 85.11, transitionCount: 3, transitionSeconds: 87.5,
            meanTransitionSeconds: 29.17, longestTransitionSeconds: 40, bellToWorkSeconds: 41.25)
        let decoded = try ResultJSON.decode(Metrics.self, from: ResultJSON.encode(metrics))
        #expect(decoded == metrics)
    }
}
