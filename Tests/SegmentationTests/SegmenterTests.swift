import LessonMetrics
import Testing
@testable import Segmentation

@Suite struct SegmenterTests {
    @Test func viterbiIgnoresABlipButFollowsALongRun() {
        var p = [Double](repeating: 0.1, count: 100)
        p[10] = 0.95                                   // one step: noise
        for i in 40..<70 { p[i] = 0.9 }                // thirty steps: a transition
        let labels = Segmenter.viterbi(p, switchProbability: 0.01)
        #expect(!labels[10])
        #expect(labels[45] && labels[65])
        #expect(!labels[75] && !labels[30])
    }

    @Test func shortRunsAreAbsorbed() {
        let l = [false, false, true, true, false, false, false, true, true, true, true]
        #expect(Segmenter.removeShortRuns(l, value: true, minimum: 3)
                == [false, false, false, false, false, false, false, true, true, true, true])
        // Runs at the ends held to their own minimum: the first (2 steps) kept, the last (4) removed.
        let ends = [false, false, true, true, true, false, false, false, false]
        #expect(Segmenter.removeShortRuns(ends, value: false, minimum: 3, atStart: 0, atEnd: 5)
                == [false, false, true, true, true, true, true, true, true])
        #expect(Segmenter.removeShortRuns(ends, value: false, minimum: 3, atStart: 3, atEnd: 0)
                == [true, true, true, true, true, false, false, false, false])
    }

    /// The relative inputs measure a step against the most its own lesson reaches: a class of eight on its feet
    /// and a class of thirty read alike, where the shares of the picture do not.
    @Test func relativeInputsReadSmallAndLargeClassesAlike() {
        func lesson(_ scale: Double) -> FeatureSeries {
            let n = 200
            var reach = [Double](repeating: 0.1 * scale, count: n), active = [Double](repeating: 0.02 * scale, count: n)
            for i in 80..<120 { reach[i] = 0.8 * scale; active[i] = 0.4 * scale }     // 20 s on their feet
            return FeatureSeries(stepSeconds: 0.5, motion: [Double](repeating: 1, count: n), motionSpread: active,
                                 motionReach: reach, activeShare: active, audioDb: [Double?](repeating: -40, count: n))
        }
        let segmenter = Segmenter()
        for input in [ScoreInput.relativeReach, .relativeActive] {
            let small = lesson(0.3), large = lesson(1)
            let dead = [Bool](repeating: false, count: small.stepCount), unusable = dead
            let a = segmenter.rawInput(input, small, dead: dead, unusable: unusable)
            let b = segmenter.rawInput(input, large, dead: dead, unusable: unusable)
            #expect(a[100]! > 0.99 && a[100]! <= 1.0, "\(input.name): \(a[100]!)")   // the lesson's top
            for i in [10, 100, 190] { #expect(abs(a[i]! - b[i]!) < 1e-9, "\(input.name) at \(i)") }
            #expect(segmenter.rawInput(.reach, small, dead: dead, unusable: unusable)[100]! < 0.3)
        }
        // Where nothing moves at all the top is held at 0.05 (no division by a tiny quantile), at most 2.
        let low = Segmenter.relative([0, 0.01, nil, 0.02, 0.2], quantile: 0.5).map { $0.map { ($0 * 1e9).rounded() / 1e9 } }
        #expect(low == [0, 0.2, nil, 0.4, 2])
    }

    /// A synthetic lesson: calm, then 40 s of widespread motion and chatter, then calm; a dead tail.
    @Test func findsATransitionAndCoversTheLesson() {
        let n = 400  // 200 s
        var motion = [Double](repeating: 0.5, count: n), spread = [Double](repeating: 0.02, count: n)
        var db = [Double?](repeating: -35, count: n), variation = [Double?](repeating: 8, count: n)
        var luma = [Double?](repeating: 120, count: n)
        for i in 100..<180 { motion[i] = 3; spread[i] = 0.6; db[i] = -25; variation[i] = 3 }
        for i in 380..<400 { motion[i] = 0; spread[i] = 0; db[i] = -90; luma[i] = 5 }
        for i in 0..<n where i % 7 == 0 { motion[i] += 0.2 }  // a little texture
        let series = FeatureSeries(stepSeconds: 0.5, motion: motion, localMotion: motion, motionSpread: spread,
                                   luma: luma, audioDb: db, audioVariation: variation)
        let segments = Segmenter().segments(series, duration: 200)
        #expect(segments.first?.start == 0)
        #expect(segments.last?.end == 200)
        for (a, b) in zip(segments, segments.dropFirst()) { #expect(a.end == b.start) }
        let transitions = segments.filter { $0.kind == .transition }
        #expect(transitions.count == 1)
        if let t = transitions.first {
            #expect(abs(t.start - 50) <= 3 && abs(t.end - 90) <= 3, "\(segments)")
        }
        #expect(segments.last?.kind == .unknown)
        #expect(segments.allSatisfy { ($0.confidence ?? 0) >= 0 && ($0.confidence ?? 0) <= 1 })
    }

    /// No picture: the transition comes from sound alone, chatter whose level varies moderately, between a
    /// teacher's voice (large swings) and steady group talk (small ones).
    @Test func findsATransitionFromSoundAloneWithoutAPicture() {
        let n = 360  // 180 s
        var variation = [Double?](repeating: 8, count: n)          // one voice rising and falling
        for i in 100..<160 { variation[i] = 3.5 }                  // 30 s of diffuse chatter
        for i in 240..<n { variation[i] = 1.8 }                    // loud, steady group talk
        var db = [Double?](repeating: -35, count: n)
        for i in 240..<n { db[i] = -24 }
        let series = FeatureSeries(stepSeconds: 0.5, motion: [Double](repeating: 0, count: n),
                                   luma: [Double?](repeating: nil, count: n), audioDb: db, audioVariation: variation)
        #expect(!series.hasMotion)
        let segments = Segmenter().segments(series, duration: 180)
        let transitions = segments.filter { $0.kind == .transition }
        #expect(transitions.count == 1, "\(segments)")
        if let t = transitions.first {
            #expect(abs(t.start - 50) <= 3 && abs(t.end - 80) <= 3, "\(segments)")
        }
        #expect(segments.last?.kind.isOnTask == true, "\(segments)")
    }

    /// Hysteresis: a run grows over neighbours scoring at least the lower threshold, and stops at the first
    /// that does not, or at a step without a score.
    /// On-task kinds settle over a window: a short run of another kind is folded into the kind before it, and
    /// a stretch's short first run (after a transition) into the kind after it; a transition is left alone.
    @Test func shortOnTaskKindRunsAreFolded() {
        let segmenter = Segmenter()
        let kinds: [SegmentKind] = Array(repeating: .transition, count: 10) + Array(repeating: .independent, count: 5)
            + Array(repeating: .group, count: 8) + Array(repeating: .instruction, count: 100)
            + Array(repeating: .group, count: 6) + Array(repeating: .instruction, count: 40)
        let out = segmenter.smoothOnTaskKinds(kinds, window: 60)
        #expect(Array(out.prefix(10)) == Array(repeating: .transition, count: 10))
        #expect(out.dropFirst(10).allSatisfy { $0 == .instruction }, "\(out)")
        // A stretch shorter than the window keeps its majority kind throughout.
        let short: [SegmentKind] = [.transition] + Array(repeating: .group, count: 20) + Array(repeating: .independent, count: 8)
        #expect(segmenter.smoothOnTaskKinds(short, window: 60).dropFirst().allSatisfy { $0 == .group })
    }

    @Test func extendRunsGrowsOverHighEnoughNeighbours() {
        let labels = [false, false, false, true, true, false, false, false]
        let scores: [Double?] = [2, 0.5, 1.6, 3, 3, 1.5, nil, 2]
        let grown = Segmenter.extendRuns(labels, scores: scores, threshold: 1.5)
        #expect(grown == [false, false, true, true, true, true, false, false])
        // Nothing scores high enough: unchanged.
        #expect(Segmenter.extendRuns(labels, scores: scores, threshold: 5) == labels)
    }

    @Test func settlingTailGrowsOverADipToTheEndOfTheTail() {
        // A transition (4 steps), a settling tail at ~1.8 with a one-step dip, then work at ~0.3.
        let labels = [Bool](repeating: true, count: 4) + [Bool](repeating: false, count: 16)
        let scores: [Double?] = [4, 4, 4, 4, 1.8, 1.9, 1.2, 1.8, 1.9, 1.7,
                                 0.3, 0.2, 0.4, 0.3, 0.3, 0.2, 0.4, 0.3, 0.3, 0.2]
        let grown = Segmenter.settlingTails(labels, scores: scores, margin: 1.25, quantile: 0.25, lookahead: 16, maximum: 10)
        #expect(grown == [Bool](repeating: true, count: 10) + [Bool](repeating: false, count: 10))
        // Within `maximum` steps, to the best end there: the dip (third step) would lower the sum.
        let capped = Segmenter.settlingTails(labels, scores: scores, margin: 1.25, quantile: 0.25, lookahead: 16, maximum: 3)
        #expect(capped == [Bool](repeating: true, count: 6) + [Bool](repeating: false, count: 14))
        // Work as lively as the tail (busy group work): nothing grows.
        let busy: [Double?] = [4, 4, 4, 4] + [Double?](repeating: 1.8, count: 16)
        #expect(Segmenter.settlingTails(labels, scores: busy, margin: 1.25, quantile: 0.25, lookahead: 16, maximum: 10) == labels)
        // A margin of 0 turns it off; a step without a score stops it.
        #expect(Segmenter.settlingTails(labels, scores: scores, margin: 0, quantile: 0.25, lookahead: 16, maximum: 10) == labels)
        var gap = scores
        gap[5] = nil
        #expect(Segmenter.settlingTails(labels, scores: gap, margin: 1.25, quantile: 0.25, lookahead: 16, maximum: 10)
                == [Bool](repeating: true, count: 5) + [Bool](repeating: false, count: 15))
    }

    @Test func settlingTailStopsAtTheNextTransition() {
        let labels = [true, true, false, false, true, true, false, false, false, false]
        let scores: [Double?] = [4, 4, 2, 2, 4, 4, 0, 0, 0, 0]
        let grown = Segmenter.settlingTails(labels, scores: scores, margin: 1, quantile: 0.25, lookahead: 8, maximum: 8)
        // The first run's work is only the two steps before the next run (level 2): no tail over it, and
        // never into the next run. The second run's work scores 0 throughout: nothing to grow over.
        #expect(grown == labels)
    }

    /// A calm class whose camera is picked up and set down (12 s in which every cell moves): without the
    /// camera rule that is a transition; with it the lesson is on task throughout, while a real transition
    /// (widespread motion in part of the picture, and chatter) is still found.
    @Test func aMovingCameraIsNotATransition() {
        let n = 400  // 200 s
        var motion = [Double](repeating: 0.5, count: n), spread = [Double](repeating: 0.02, count: n)
        var db = [Double?](repeating: -35, count: n), variation = [Double?](repeating: 8, count: n)
        for i in 0..<n where i % 7 == 0 { motion[i] += 0.2; spread[i] = 0.04 }
        for i in 40..<64 { motion[i] = 15; spread[i] = 1; db[i] = -28 }           // the camera, 20-32 s
        for i in 240..<300 { motion[i] = 3; spread[i] = 0.4; db[i] = -25; variation[i] = 3 }  // a transition
        let series = FeatureSeries(stepSeconds: 0.5, motion: motion, localMotion: motion, motionSpread: spread,
                                   luma: [Double?](repeating: 120, count: n), audioDb: db, audioVariation: variation)
        let transitions = Segmenter().segments(series, duration: 200).filter { $0.kind == .transition }
        #expect(transitions.count == 1, "\(transitions)")
        #expect(transitions.allSatisfy { $0.start >= 110 }, "\(transitions)")
        var off = SegmentationConfig()
        off.segmenter.wholePictureSpread = 1.1
        #expect(Segmenter(config: off).segments(series, duration: 200).contains { $0.kind == .transition && $0.end <= 45 })
    }

    /// A recording started as students came in: a few calm seconds, then the arrival. The first seconds join
    /// the arrival; a longer calm start (a class already working) is kept.
    @Test func aShortCalmStartJoinsTheTransitionAfterIt() {
        func lesson(calmSeconds: Int) -> FeatureSeries {
            let n = 400  // 200 s
            let calm = calmSeconds * 2
            var motion = [Double](repeating: 0.5, count: n), spread = [Double](repeating: 0.02, count: n)
            var db = [Double?](repeating: -35, count: n), variation = [Double?](repeating: 8, count: n)
            for i in calm..<(calm + 80) { motion[i] = 3; spread[i] = 0.6; db[i] = -25; variation[i] = 3 }
            for i in 0..<n where i % 7 == 0 { motion[i] += 0.2 }
            return FeatureSeries(stepSeconds: 0.5, motion: motion, localMotion: motion, motionSpread: spread,
                                 luma: [Double?](repeating: 120, count: n), audioDb: db, audioVariation: variation)
        }
        let early = Segmenter().segments(lesson(calmSeconds: 6), duration: 200)
        #expect(early.first?.kind == .transition && early.first?.start == 0, "\(early)")
        let late = Segmenter().segments(lesson(calmSeconds: 30), duration: 200)
        #expect(late.first?.kind.isOnTask == true && (late.first?.end ?? 0) >= 25, "\(late)")
        var off = SegmentationConfig()
        off.segmenter.minLeadingOnTaskSeconds = 0
        let kept = Segmenter(config: off).segments(lesson(calmSeconds: 6), duration: 200)
        #expect(kept.first?.kind.isOnTask == true, "\(kept)")
    }
}

/// The kinds' trees: each step takes the kind whose trees say most, reading the kind inputs and then the score's.
@Suite struct KindTreesTests {
    /// The kind inputs anchored in the lesson's own loud and quiet levels read a quiet room and a loud one alike: the
    /// same lesson (a teacher talking, then seat work 15 dB under her) heard through a microphone 25 dB hotter.
    @Test func levelInputsAnchoredInTheLessonReadAQuietAndALoudRoomAlike() {
        let n = 200
        let level: [Double] = (0..<n).map { $0 < 120 ? -30 : -45 }
        let voice: [Double] = (0..<n).map { $0 < 120 ? -32 : -53 }
        func inputs(gain: Double) -> [[Double?]] {
            let series = FeatureSeries(stepSeconds: 0.5, motion: Array(repeating: 0.5, count: n),
                                       audioDb: level.map { $0 + gain }, voiceDb: voice.map { $0 + gain })
            return Segmenter().kindInputs(series, dead: Array(repeating: false, count: n))
        }
        let quiet = inputs(gain: -15), loud = inputs(gain: 10)
        for k in [KindInput.belowTop, .aboveFloor, .voiceShare, .lessonRange] {
            #expect(quiet[k.rawValue] == loud[k.rawValue], "\(k.name)")
        }
        #expect(quiet[KindInput.belowTop.rawValue][20] == 0 && quiet[KindInput.belowTop.rawValue][180] == -15)
        #expect(quiet[KindInput.aboveFloor.rawValue][20] == 15 && quiet[KindInput.aboveFloor.rawValue][180] == 0)
        #expect(quiet[KindInput.voiceShare.rawValue][20] == -2 && quiet[KindInput.voiceShare.rawValue][180] == -8)
        #expect(quiet[KindInput.lessonRange.rawValue][20] == 15)
        // Without sound they say nothing: 0, as the level does.
        let silent = Segmenter().kindInputs(FeatureSeries(stepSeconds: 0.5, motion: Array(repeating: 0.5, count: n),
                                                           audioDb: []), dead: Array(repeating: false, count: n))
        #expect(silent[KindInput.belowTop.rawValue].allSatisfy { $0 == 0 } && silent[KindInput.lessonRange.rawValue].allSatisfy { $0 == 0 })
    }

    @Test func aStepTakesTheKindWhoseTreesSayMost() {
        let chatter = KindInput.allCases.count + ScoreInput.chatter.rawValue
        let level = KindInput.level.rawValue
        let trees = KindTrees(independent: ScoreTreesTests.stump(.spread, at: 100, low: 0.5, high: 0),
                              instruction: BoostedTrees(base: 0, roots: [0], feature: [level, -1, -1], threshold: [3, 0, 0],
                                                        left: [1, -1, -1], right: [2, -1, -1], value: [0, -2, 2]),
                              group: BoostedTrees(base: 0, roots: [0], feature: [chatter, -1, -1], threshold: [-1, 0, 0],
                                                  left: [1, -1, -1], right: [2, -1, -1], value: [0, -3, 3]))
        var x = [Double](repeating: 0, count: KindTrees.inputCount)
        x[chatter] = -2
        #expect(trees.kind(x) == .independent)
        x[level] = 6
        #expect(trees.kind(x) == .instruction)
        x[chatter] = 0     // a room of voices, read from the score's inputs after the kind inputs
        #expect(trees.kind(x) == .group)
    }

    @Test func theSegmenterUsesTheKindTreesOrTheLinearScores() {
        // 60 s of a calm class: trees that always say group give group work; with kinds.byTrees off, the linear
        // scores decide as before (a loud, varying single voice: instruction).
        var config = SegmentationConfig()
        let always = BoostedTrees(base: 5, roots: [0], feature: [-1], threshold: [0], left: [-1], right: [-1], value: [0])
        let never = BoostedTrees(base: -5, roots: [0], feature: [-1], threshold: [0], left: [-1], right: [-1], value: [0])
        config.kindTrees = KindTrees(independent: never, instruction: never, group: always)
        let n = 120
        let series = FeatureSeries(stepSeconds: 0.5, motion: Array(repeating: 0.5, count: n), localMotion: Array(repeating: 0.5, count: n),
                                   motionSpread: Array(repeating: 0.02, count: n), luma: Array(repeating: 120, count: n),
                                   audioDb: (0..<n).map { $0 % 8 < 4 ? -20 : -34 }, audioVariation: Array(repeating: 9, count: n))
        let byTrees = Segmenter(config: config).segments(series, duration: 60)
        #expect(byTrees.allSatisfy { $0.kind == .group || $0.kind == .transition } && byTrees.contains { $0.kind == .group }, "\(byTrees)")
        config.kinds.byTrees = false
        let linear = Segmenter(config: config).segments(series, duration: 60)
        #expect(!linear.contains { $0.kind == .group }, "\(linear)")
    }
}

/// The transition score's trees: a step without sound is judged by the picture's trees alone, blind to the sound.
@Suite struct ScoreTreesTests {
    /// One split on `input` at `threshold`: `low` at or below it, `high` above.
    static func stump(_ input: ScoreInput, at threshold: Double, low: Double, high: Double) -> BoostedTrees {
        BoostedTrees(base: 0, roots: [0], feature: [input.rawValue, -1, -1], threshold: [threshold, 0, 0],
                     left: [1, -1, -1], right: [2, -1, -1], value: [0, low, high])
    }

    @Test func aStepWithoutSoundIsJudgedByThePictureAlone() {
        let trees = ScoreTrees(withSound: Self.stump(.chatter, at: -1, low: -3, high: 3),
                               pictureOnly: Self.stump(.loudness, at: -1, low: -5, high: 5),
                               soundOnly: Self.stump(.spread, at: -1, low: -7, high: 7))
        var x = [Double?](repeating: 0.5, count: ScoreInput.allCases.count)
        x[ScoreInput.chatter.rawValue] = -2
        x[ScoreInput.loudness.rawValue] = -2
        #expect(trees.logOdds(x) == -3)
        // No sound in the step: the picture's trees, which see the sound's inputs as 0 (never as the room's sound).
        for input in ScoreInput.allCases where input.isSound { x[input.rawValue] = nil }
        #expect(trees.logOdds(x) == 5)
        x[ScoreInput.loudness.rawValue] = -2
        x[ScoreInput.variation.rawValue] = nil
        #expect(trees.logOdds(x) == 5, "a step without the sound's variation has no sound")
    }

    @Test func aRecordingWithoutAPictureIsJudgedByTheSoundsTreesBlindToThePicture() {
        let trees = ScoreTrees(withSound: Self.stump(.chatter, at: -1, low: -3, high: 3),
                               pictureOnly: Self.stump(.loudness, at: -1, low: -5, high: 5),
                               soundOnly: Self.stump(.spread, at: -1, low: -7, high: 7))
        var x = [Double?](repeating: nil, count: ScoreInput.allCases.count)
        for input in ScoreInput.allCases where input.isSound { x[input.rawValue] = 0.5 }
        // The picture's inputs count 0 to the sound's trees, whatever a caller passes for them.
        #expect(trees.soundOnlyLogOdds(x) == 7)
        x[ScoreInput.spread.rawValue] = -2
        #expect(trees.soundOnlyLogOdds(x) == 7)
    }

    @Test func withoutAPictureTheSegmenterScoresTheSoundByItsTrees() {
        // 40 s of one voice, 40 s of a room of voices, 40 s of one voice, no picture: trees that call the chatter
        // band a transition give the middle as one, and the inputs they read are the sound's alone.
        var config = SegmentationConfig()
        config.scoreTrees = ScoreTrees(withSound: Self.stump(.chatter, at: -0.5, low: -9, high: 9),
                                       pictureOnly: Self.stump(.chatter, at: -0.5, low: -9, high: 9),
                                       soundOnly: Self.stump(.chatter, at: -0.5, low: -6, high: 6))
        let n = 240
        let variation = (0..<n).map { $0 < 80 || $0 >= 160 ? 9.0 : 3.5 }
        let series = FeatureSeries(stepSeconds: 0.5, motion: Array(repeating: 0, count: n), localMotion: Array(repeating: 0, count: n),
                                   motionSpread: Array(repeating: 0, count: n), luma: [Double?](repeating: nil, count: n),
                                   audioDb: Array(repeating: -30, count: n), audioVariation: variation,
                                   voiceDb: Array(repeating: -33, count: n), bellBandDb: Array(repeating: -42, count: n))
        #expect(!series.hasMotion)
        let segmenter = Segmenter(config: config)
        let (scores, inputs) = segmenter.scoreAndInputs(series, dead: segmenter.deadSteps(series))
        let s = config.segmenter
        #expect(abs(scores[10]! - (s.transitionThreshold - 6 * s.transitionSoftness)) < 1e-9)
        #expect(abs(scores[n / 2]! - (s.transitionThreshold + 6 * s.transitionSoftness)) < 1e-9)
        #expect(ScoreInput.allCases.allSatisfy { $0.isSound == inputs[$0.rawValue].contains { $0 != nil } })
        let segments = segmenter.segments(series, duration: 120)
        #expect(segments.count == 3 && segments[1].kind == .transition
                && [segments[0], segments[2]].allSatisfy { [.instruction, .independent, .group].contains($0.kind) }, "\(segments)")
        #expect(segments.count == 3 && abs(segments[1].start - 40) <= 5 && abs(segments[1].end - 80) <= 5, "\(segments)")
        // The weighted sum keeps its band test without a picture: no inputs.
        config.segmenter.scoreByTrees = false
        #expect(Segmenter(config: config).scoreAndInputs(series, dead: segmenter.deadSteps(series)).inputs.isEmpty)
    }

    @Test func theHighBandIsReadAgainstTheLessonsOwnSoNoMicrophoneTiltMovesIt() {
        // One voice for 60 s, then 40 s in which the high band rises 8 dB over the whole level (children on their
        // feet, chairs): `highShare` is the rise against the lesson's usual share, 0 in the calm part. The same lesson
        // through a microphone 6 dB duller in the highs and 12 dB hotter gives the same inputs.
        let n = 200
        func lesson(tilt: Double, gain: Double) -> FeatureSeries {
            FeatureSeries(stepSeconds: 0.5, motion: Array(repeating: 0, count: n), luma: [Double?](repeating: nil, count: n),
                          audioDb: (0..<n).map { _ in -30 + gain }, audioVariation: Array(repeating: 6, count: n),
                          voiceDb: (0..<n).map { $0 < 120 ? -32 + gain : -36 + gain },
                          bellBandDb: (0..<n).map { ($0 < 120 ? -50 : -42) + gain + tilt })
        }
        let segmenter = Segmenter(config: SegmentationConfig())
        let plain = lesson(tilt: 0, gain: 0), other = lesson(tilt: -6, gain: 12)
        let a = segmenter.scoreAndInputs(plain, dead: segmenter.deadSteps(plain)).inputs
        let b = segmenter.scoreAndInputs(other, dead: segmenter.deadSteps(other)).inputs
        let high = ScoreInput.highShare.rawValue, voice = ScoreInput.voiceShare.rawValue
        #expect(a[high][20] == 0 && a[high][180] == 8, "\(a[high][20] as Any) \(a[high][180] as Any)")
        #expect(a[voice][20] == 0 && a[voice][180] == -4)
        #expect(a[high] == b[high] && a[voice] == b[voice])
        #expect(ScoreInput.highShare.isSound && ScoreInput.voiceShare.isSound)
    }

    @Test func theScoreKeepsTheThresholdsMeaning() throws {
        // The score is threshold + softness × log-odds, so a step the trees call even is at the threshold.
        var config = SegmentationConfig()
        let even = BoostedTrees(base: 0, roots: [0], feature: [-1], threshold: [0], left: [-1], right: [-1], value: [0])
        config.scoreTrees = ScoreTrees(withSound: even, pictureOnly: even, soundOnly: even)
        let segmenter = Segmenter(config: config)
        let n = 120  // 60 s of a calm class, a teacher talking
        let series = FeatureSeries(stepSeconds: 0.5, motion: Array(repeating: 0.5, count: n), localMotion: Array(repeating: 0.5, count: n),
                                   motionSpread: Array(repeating: 0.05, count: n), luma: Array(repeating: 120, count: n),
                                   audioDb: Array(repeating: -35, count: n), audioVariation: Array(repeating: 8, count: n))
        let scores = segmenter.transitionScores(series, dead: segmenter.deadSteps(series)).compactMap { $0 }
        #expect(!scores.isEmpty && scores.allSatisfy { abs($0 - config.segmenter.transitionThreshold) < 1e-12 })
        #expect(segmenter.transitionProbabilities(scores).allSatisfy { abs($0 - 0.5) < 1e-12 })
    }
}
