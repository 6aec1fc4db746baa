import Testing
@testable import MediaIO

/// The decode pass's small decisions, each on its own.
@Suite struct DecodeClocksTests {
    @Test func audioClockPlacesSamplesDropsPrerollAndOwesGaps() {
        var clock = AudioClock(rate: 16_000)
        #expect(clock.frame(at: nil) == nil)                  // no time and no clock yet: the frame is dropped
        #expect(clock.frame(at: -0.05) == 0)                  // the first frame starts the clock, before 0
        let first = clock.emit(1_600)                          // 0.1 s: the first 0.05 s is pre-roll
        #expect(first?.skip == 800 && first?.count == 800 && first?.time == 0)
        #expect(clock.now == 0.05)
        #expect(clock.frame(at: 0.1) == 0)                    // 50 ms late: jitter, not a gap
        #expect(clock.frame(at: nil) == 0)                    // unstamped: continues the clock
        #expect(clock.frame(at: 1.05) == 16_000)              // a second missing: owed as silence
        #expect(clock.silence(16_000) == 0.05)
        #expect(clock.now == 1.05)
        #expect(clock.emit(0) == nil)
    }

    @Test func frameSkipFallsBackWhenKeyAndPFramesAreTooSparse() {
        var options = DecodeOptions()
        options.skipBidirectionalFrames = true
        options.skipNonReferenceFrames = true
        var sparse = FrameSkipPolicy(options: options)
        #expect(sparse.current == .bidirectional && !sparse.decided)
        for i in 0...8 { #expect(sparse.decoded(at: Double(i) * 0.5) == (i == 8)) }   // 2 frames a second
        #expect(sparse.decided && sparse.settled == .nonReference)
        #expect(sparse.packet(isKey: false) == nil)            // the switch waits for a key frame
        #expect(sparse.packet(isKey: true) == .nonReference)
        #expect(sparse.current == .nonReference && sparse.packet(isKey: true) == nil)

        var dense = FrameSkipPolicy(options: options)
        var completed = false
        for i in 0...100 { completed = dense.decoded(at: Double(i) / 20) || completed }  // 20 frames a second
        #expect(completed && dense.settled == .bidirectional && dense.packet(isKey: true) == nil)

        options.skipBidirectionalFrames = false
        let plain = FrameSkipPolicy(options: options)
        #expect(plain.decided && plain.current == .nonReference)
    }

    /// A decoder that keeps every frame while the analysis leaves the skippable ones out follows the same
    /// rule: B-frames left out, then (too few I- and P-frames) frames nothing refers to from the same key frame.
    @Test func fullDecodeLeavesOutWhatSkippingWouldDrop() {
        var options = DecodeOptions()
        options.analyseSkippableFrames = false
        var sparse = FrameSkipPolicy(options: options)
        #expect(sparse.current == .none && sparse.leavesOut == .bidirectional && !sparse.decided)
        for i in 0...8 { _ = sparse.decoded(at: Double(i) * 0.5) }
        #expect(sparse.decided && sparse.settled == .none && sparse.settledLeavesOut == .nonReference)
        #expect(sparse.packet(isKey: false) == nil && sparse.leavesOut == .bidirectional)
        #expect(sparse.packet(isKey: true) == nil)             // the decoder keeps decoding everything ...
        #expect(sparse.current == .none && sparse.leavesOut == .nonReference)   // ... the analysis switches

        var left = LeftOutFrames()
        left.packet(stamp: 100, leavesOut: .bidirectional) { Issue.record("asked only under .nonReference"); return false }
        left.packet(stamp: 200, leavesOut: .nonReference) { true }
        left.packet(stamp: 300, leavesOut: .nonReference) { false }
        // A frame goes by its packet's rule, not the rule now.
        #expect(left.leaves(stamp: 100, bidirectional: true, leavesOut: .nonReference))
        #expect(!left.leaves(stamp: 100, bidirectional: false, leavesOut: .nonReference))
        #expect(left.leaves(stamp: 200, bidirectional: true, leavesOut: .none))
        #expect(!left.leaves(stamp: 300, bidirectional: true, leavesOut: .bidirectional))
        #expect(left.leaves(stamp: Int64.min, bidirectional: true, leavesOut: .bidirectional))   // no packet: the rule now
        #expect(!LeftOutFrames().leaves(stamp: 5, bidirectional: true, leavesOut: .none))

        options.analyseSkippableFrames = true
        let plain = FrameSkipPolicy(options: options)
        #expect(plain.decided && plain.leavesOut == .none)
    }

    @Test func pictureLaneTakesInOrderPicturesOnItsGrid() {
        var lane = PictureLane(from: 10, rate: 5, nominalFrameRate: 30)
        #expect(!lane.inOrder(9.9))                            // before its start (a stretch's open GOP)
        #expect(lane.inOrder(10))
        var taken: [Double] = []
        for i in 300..<330 {                                  // 1 s of 30 fps from 10 s
            let t = Double(i) / 30
            if lane.inOrder(t), lane.take(t) { taken.append(t) }
        }
        #expect(taken.count == 5)
        #expect(!lane.inOrder(taken.last!))                   // never twice, never backwards
    }

    @Test func progressIsToldOnceASecond() {
        var clock = ProgressClock()
        let told = [0.2, 0.9, 1.0, 1.4, 2.5, 2.6, 7.1].filter { clock.due($0) }
        #expect(told == [1.0, 2.5, 7.1])
    }
}

@Suite struct TimelineGuardTests {
    @Test func aFarJumpIsADiscontinuityANearGapIsNot() {
        var timeline = TimelineGuard()
        #expect(timeline.place(0, expected: nil) == 0)
        #expect(timeline.place(0.1, expected: 0.1) == 0.1)
        #expect(timeline.place(30, expected: 0.2) == 30)              // half a minute missing: kept as a gap
        #expect(timeline.place(1e8, expected: 30.1) == 30.1)          // days ahead: goes on from where it was
        #expect(timeline.jumps == 1)
        #expect(abs(timeline.place(1e8 + 0.1, expected: 30.2) - 30.2) < 1e-6)   // and stays continuous after
        #expect(timeline.place(0.3, expected: 30.3) == 30.3)          // one far frame, then back: continuous again
        #expect(timeline.jumps == 2)
        var first = TimelineGuard()
        #expect(first.place(7e8, expected: 0) == 0)                   // a first frame days in starts at 0
        var late = TimelineGuard()
        #expect(late.place(3000, expected: 2000) == 3000)             // a gap shorter than what was decoded: kept
    }

    @Test func stampsThatKeepDoublingStopAtADay() {
        // Each frame a little under twice as far as the last: never a jump by the first rule, so without a
        // ceiling the time (and the series padded up to it) would grow without bound.
        var timeline = TimelineGuard()
        var last = timeline.place(60, expected: 59.9)
        for _ in 0..<40 {
            let t = timeline.place(last * 1.9, expected: last + 0.1)
            #expect(t <= TimelineGuard.longestSeconds)
            last = t
        }
        #expect(timeline.jumps > 0)
    }
}
