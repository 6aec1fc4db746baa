import LessonMetrics
import Testing
@testable import Segmentation

/// What is not class time: a camera carried about, a picture with no class in it.
@Suite struct NoClassTests {
    /// A seated class (a little motion in a few cells, a teacher's voice) for `n` steps of 0.5 s.
    static func seatedClass(_ n: Int) -> (motion: [Double], spread: [Double], reach: [Double], camera: [Double],
                                          db: [Double?], variation: [Double?]) {
        var motion = [Double](repeating: 0.6, count: n), spread = [Double](repeating: 0.08, count: n)
        for i in 0..<n where i % 5 == 0 { motion[i] += 0.2; spread[i] += 0.04 }
        return (motion, spread, [Double](repeating: 0.2, count: n), [Double](repeating: 0, count: n),
                [Double?](repeating: -30, count: n), [Double?](repeating: 8, count: n))
    }

    @Test func aCameraCarriedAboutIsUnknownNotClassTime() {
        let n = 240
        var c = Self.seatedClass(n)
        for i in 80..<160 { c.camera[i] = i % 9 == 0 ? 0.05 : 0.2; c.spread[i] = 0.5; c.motion[i] = 6 }
        let series = FeatureSeries(stepSeconds: 0.5, motion: c.motion, motionSpread: c.spread, motionReach: c.reach,
                                   cameraSpeed: c.camera, audioDb: c.db, audioVariation: c.variation)
        let (segments, trace) = Segmenter().run(series, duration: 120)
        let unknown = segments.filter { $0.kind == .unknown }
        #expect(unknown.count == 1)
        if let u = unknown.first { #expect(abs(u.start - 40) <= 1 && abs(u.end - 80) <= 1, "\(segments)") }
        #expect(!segments.contains { $0.kind == .transition }, "\(segments)")
        #expect(trace.cameraMoving[100] && !trace.cameraMoving[20])
    }

    @Test func aSlowPanIsTheClassNotTheCamera() {
        let n = 240
        var c = Self.seatedClass(n)
        for i in 0..<n { c.camera[i] = 0.04 }
        let series = FeatureSeries(stepSeconds: 0.5, motion: c.motion, motionSpread: c.spread, motionReach: c.reach,
                                   cameraSpeed: c.camera, audioDb: c.db, audioVariation: c.variation)
        let segments = Segmenter().segments(series, duration: 120)
        #expect(segments.allSatisfy { $0.kind.isOnTask }, "\(segments)")
    }

    @Test func anEmptyRoomIsUnknown() {
        let n = 240
        var c = Self.seatedClass(n)
        // 60 s of nothing moving and room tone (its level varies by 2 dB), then the class comes in.
        for i in 0..<120 { c.spread[i] = 0; c.reach[i] = 0; c.motion[i] = 0.3; c.variation[i] = 2; c.db[i] = -55 }
        let series = FeatureSeries(stepSeconds: 0.5, motion: c.motion, motionSpread: c.spread, motionReach: c.reach,
                                   cameraSpeed: c.camera, audioDb: c.db, audioVariation: c.variation)
        let (segments, trace) = Segmenter().run(series, duration: 120)
        #expect(segments.first?.kind == .unknown && abs((segments.first?.end ?? 0) - 60) <= 1, "\(segments)")
        #expect(trace.noClass[10] && !trace.noClass[200])
        // The same still picture with a teacher talking is not empty: someone is there, off camera or still.
        for i in 0..<120 { c.variation[i] = 9; c.db[i] = -30 }
        let talking = FeatureSeries(stepSeconds: 0.5, motion: c.motion, motionSpread: c.spread, motionReach: c.reach,
                                    cameraSpeed: c.camera, audioDb: c.db, audioVariation: c.variation)
        #expect(!Segmenter().segments(talking, duration: 120).contains { $0.kind == .unknown })
    }

    /// An empty room whose encoder repeats its frames (no motion at all, anywhere in the recording) and whose
    /// room tone dips below silence now and then: still no class in view, not a lesson heard without a picture.
    /// A recording that is all black and silent is its own gap, not an empty room.
    @Test func aStillEmptyRoomWithSilentMomentsIsUnknown() {
        let n = 240
        let silence = SegmentationConfig().features.silenceDb
        var db = [Double?](repeating: silence + 8, count: n)
        for i in 0..<n where i % 7 < 3 { db[i] = silence - 2 }
        let still = FeatureSeries(stepSeconds: 0.5, motion: [Double](repeating: 0, count: n),
                                  luma: [Double?](repeating: 120, count: n), audioDb: db,
                                  audioVariation: [Double?](repeating: 2.5, count: n))
        let (segments, trace) = Segmenter().run(still, duration: 120)
        #expect(segments.count == 1 && segments.first?.kind == .unknown, "\(segments)")
        #expect(trace.noClass.allSatisfy { $0 })
        let black = FeatureSeries(stepSeconds: 0.5, motion: [Double](repeating: 0, count: n),
                                  luma: [Double?](repeating: 5, count: n), audioDb: [Double?](repeating: nil, count: n))
        #expect(!Segmenter().run(black, duration: 120).trace.noClass.contains(true))
    }
    /// An empty room in which something sounds for a few seconds (a door, a voice in the hallway): still no class in
    /// view, not four seconds of class time between two stretches of unknown.
    @Test func aMomentOfSoundInAnEmptyRoomIsNotClassTime() {
        let n = 360
        var c = Self.seatedClass(n)
        for i in 0..<n { c.spread[i] = 0; c.reach[i] = 0; c.motion[i] = 0.3; c.variation[i] = 2; c.db[i] = -55 }
        for i in 200..<208 { c.variation[i] = 9; c.db[i] = -30 }          // 4 s of a voice at 100 s
        let series = FeatureSeries(stepSeconds: 0.5, motion: c.motion, motionSpread: c.spread, motionReach: c.reach,
                                   cameraSpeed: c.camera, audioDb: c.db, audioVariation: c.variation)
        let segments = Segmenter().segments(series, duration: 180)
        #expect(segments.count == 1 && segments.first?.kind == .unknown, "\(segments)")
        // Without the rule the moment is judged as class time.
        var config = SegmentationConfig()
        config.segmenter.minJudgedAmidUnknownSeconds = 0
        #expect(Segmenter(config: config).segments(series, duration: 180).contains { $0.kind != .unknown })
    }

    @Test func shortJudgedRunsAmidUnknownBecomeUnknown() {
        let u = true, k = false
        // Between two unknown runs: 2 steps taken, 4 kept.
        #expect(Segmenter.absorbShortJudged([u, u, k, k, u, u, k, k, k, k, u], minimum: 3)
                == [u, u, u, u, u, u, k, k, k, k, u])
        // At an end beside a long unknown run: taken; beside a short one: kept (the class may go on beyond it).
        #expect(Segmenter.absorbShortJudged([u, u, u, u, k, k], minimum: 3) == [u, u, u, u, u, u])
        #expect(Segmenter.absorbShortJudged([k, k, u, u, u], minimum: 3) == [u, u, u, u, u])
        #expect(Segmenter.absorbShortJudged([k, k, u, k, k, k, k], minimum: 3) == [k, k, u, k, k, k, k])
        // The end's neighbour is measured with the runs taken beside it: u u k u | k k.
        #expect(Segmenter.absorbShortJudged([u, u, k, u, k, k], minimum: 3) == [u, u, u, u, u, u])
        // No unknown step, or no minimum: unchanged, however short.
        #expect(Segmenter.absorbShortJudged([k, k], minimum: 3) == [k, k])
        #expect(Segmenter.absorbShortJudged([u, k, u], minimum: 0) == [u, k, u])
    }
    /// Without sound: a class moving about, then `still` steps of a class sitting still filmed at a low bitrate
    /// (pictures identical but for a small change every third step, hardly any of the picture moving), then `after`
    /// steps of the class moving again (none: the recording ends in the stillness).
    static func unheard(still: Int, after: Int, frozen: Bool = false) -> FeatureSeries {
        let before = 60, n = before + still + after
        var motion = [Double](repeating: 1.2, count: n), reach = [Double](repeating: 0.6, count: n)
        var spread = [Double](repeating: 0.15, count: n)
        for i in before..<(before + still) {
            motion[i] = frozen || i % 3 != 0 ? 0 : 0.03
            reach[i] = 0.02
            spread[i] = 0
        }
        return FeatureSeries(stepSeconds: 0.5, motion: motion, motionSpread: spread, motionReach: reach,
                             cameraSpeed: [Double](repeating: 0, count: n), luma: [Double?](repeating: 100, count: n),
                             audioDb: [Double?](repeating: nil, count: n))
    }

    /// A still class filmed without sound is neither a stalled recording nor an empty room while the class is seen
    /// on both sides of it; a picture repeated exactly is a stalled one, and a room still to the end of the
    /// recording (the class has gone) is empty.
    @Test func aStillClassWithoutSoundIsTheClass() {
        let segmenter = Segmenter()
        let still = Self.unheard(still: 100, after: 80)                  // 50 s still between 30 s and 40 s of moving
        #expect(!segmenter.deadSteps(still).contains(true))
        #expect(!segmenter.noClassSteps(still, dead: segmenter.deadSteps(still)).contains(true))
        #expect(!segmenter.segments(still, duration: 120).contains { $0.kind == .unknown })
        let stalled = Self.unheard(still: 100, after: 80, frozen: true)
        #expect(segmenter.deadSteps(stalled)[100])
        // The stretch itself: the class seen for 60 and 80 steps around it; asked for 100 each side, it stays empty.
        let stretch = (0..<240).map { $0 >= 60 && $0 < 160 }, none = [Bool](repeating: false, count: 240)
        #expect(Segmenter.heardOrAtAnEnd(stretch, series: still, dead: none, cameraMoving: none, least: 20) == none)
        #expect(Segmenter.heardOrAtAnEnd(stretch, series: still, dead: none, cameraMoving: none, least: 100) == stretch)
        let gone = Self.unheard(still: 100, after: 0)
        #expect(segmenter.noClassSteps(gone, dead: segmenter.deadSteps(gone))[140])
        // The rules before: a frozen picture below frozenDifference, any still stretch an empty room.
        var config = SegmentationConfig()
        config.segmenter.frozenDifferenceWithoutSound = 255
        #expect(Segmenter(config: config).deadSteps(still)[100])
    }
}
