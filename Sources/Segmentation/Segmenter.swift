import Foundation
import LessonMetrics

/// Cuts a lesson's per-step series into segments.
///
/// Steps: per-lesson robust normalisation (median and MAD, since rooms, microphones and cameras differ);
/// a transition score per step from the inputs of `ScoreInput` (fitted boosted trees, or a weighted sum; none
/// where the whole picture changed: a camera moving or re-exposing); a two-state model (transition or on task) decoded
/// with Viterbi; transitions grown by hysteresis and into their settling tails; minimum durations; a kind
/// for each on-task stretch from how the room sounds; and `unknown` where there is neither picture nor sound.
public struct Segmenter: Sendable {
    public let config: SegmentationConfig

    public init(config: SegmentationConfig = SegmentationConfig()) {
        self.config = config
    }

    /// Steps with no usable signal: a black, frozen or missing picture together with silence. A step whose
    /// motion was not measured (`FeatureSeries.videoMissing`: frames not decoded) is not frozen: its picture
    /// is judged as the nearest measured step's before it (after it, at the start). Without any sound, a
    /// frozen picture is dead only in stretches of at least `deadWithoutSoundMinSeconds` (a black or missing
    /// one always is), and only a picture repeated all but exactly (`frozenDifferenceWithoutSound`) is frozen.
    public func deadSteps(_ series: FeatureSeries) -> [Bool] {
        let n = series.stepCount
        var black = (0..<n).map { i in series.luma[i].map { $0 < config.segmenter.blackLuma } ?? true }
        let heard = series.audioDb.contains(where: { $0 != nil })
        let frozenBelow = heard ? config.segmenter.frozenDifference
            : min(config.segmenter.frozenDifference, config.segmenter.frozenDifferenceWithoutSound)
        var frozen = (0..<n).map { i in series.luma[i] != nil && series.motion[i] < frozenBelow }
        Self.holdOverMissing(&black, series)
        Self.holdOverMissing(&frozen, series)
        if !heard {
            let least = max(1, Int((config.segmenter.deadWithoutSoundMinSeconds / series.stepSeconds).rounded()))
            frozen = Self.removeShortRuns(frozen, value: true, minimum: least, atStart: least, atEnd: least)
        }
        return (0..<n).map { i in
            let silent = (series.audioDb[i] ?? -200) < config.features.silenceDb + 3
            return (black[i] || frozen[i]) && silent
        }
    }

    /// Each step whose video is missing takes the value of the nearest step before it that is not (of the
    /// first such step after it, when none is before).
    static func holdOverMissing<T>(_ values: inout [T], _ series: FeatureSeries) {
        guard series.videoMissing != nil else { return }
        var last: T? = nil
        var pending: [Int] = []
        for i in values.indices {
            if series.isVideoMissing(i) {
                if let last { values[i] = last } else { pending.append(i) }
            } else {
                last = values[i]
                for k in pending { values[k] = values[i] }
                pending.removeAll()
            }
        }
    }

    /// Steps in which the whole picture changed (the camera picked up, bumped or re-exposing): nearly every
    /// cell of the grid moved (`wholePictureSpread`).
    public func wholePictureSteps(_ series: FeatureSeries) -> [Bool] {
        series.motionSpread.map { $0 >= config.segmenter.wholePictureSpread }
    }

    /// The transition score per step (nil for dead steps; a step in which the whole picture changed or the
    /// camera moved gets its neighbours' through the smoothing).
    public func transitionScores(_ series: FeatureSeries, dead: [Bool]) -> [Double?] {
        scoreAndInputs(series, dead: dead).scores
    }

    /// The transition score per step and the smoothed inputs it is made from (`ScoreInput`; without a picture,
    /// the sound's alone, or none for the weighted sum's band test). Each input median-smoothed over
    /// `smoothingSeconds`: `transitionThreshold + transitionSoftness × log-odds` of the fitted trees
    /// (`segmenter.scoreByTrees`; `ScoreTrees.soundOnly` without a picture), or `Σ weight × input`; both fitted
    /// (docs/TUNING.md).
    public func scoreAndInputs(_ series: FeatureSeries, dead: [Bool]) -> (scores: [Double?], inputs: [[Double?]]) {
        let n = series.stepCount
        let half = max(0, Int((config.segmenter.smoothingSeconds / series.stepSeconds / 2).rounded()))
        if !series.hasMotion && config.segmenter.scoreByTrees {
            // No picture: the sound's inputs, judged by the trees fitted on the sound alone.
            let none = [Bool](repeating: false, count: n)
            let inputs = ScoreInput.allCases.map { input in
                input.isSound ? RobustStatistics.medianFilter(rawInput(input, series, dead: dead, unusable: none), half: half)
                    : [Double?](repeating: nil, count: n)
            }
            let s = config.segmenter
            let score: [Double?] = (0..<n).map { i in
                inputs[ScoreInput.variation.rawValue][i] == nil ? nil
                    : s.transitionThreshold + s.transitionSoftness * config.scoreTrees.soundOnlyLogOdds(inputs.map { $0[i] })
            }
            return (score, inputs)
        }
        if !series.hasMotion {
            // No picture: a transition sounds like diffuse chatter, a room of voices whose level varies
            // moderately; one teacher's voice rises and falls far more, steady group talk far less.
            // The variation is in dB, so it does not depend on the microphone's gain.
            var score = [Double?](repeating: nil, count: n)
            for i in 0..<n where !dead[i] {
                guard let v = series.audioVariation[i] else { continue }
                let outside = max(0, config.segmenter.chatterVariationLowDb - v, v - config.segmenter.chatterVariationHighDb)
                score[i] = config.segmenter.soundOnlyBias - config.segmenter.soundOnlySlope * outside
            }
            return (RobustStatistics.medianFilter(score, half: half), [])
        }
        let unusable = unusablePictureSteps(series)
        let inputs = ScoreInput.allCases.map {
            RobustStatistics.medianFilter(rawInput($0, series, dead: dead, unusable: unusable), half: half)
        }
        let weights = ScoreInput.allCases.map { $0.weight(config.segmenter) }
        let s = config.segmenter
        var score = [Double?](repeating: nil, count: n)
        for i in 0..<n {
            guard inputs[ScoreInput.spread.rawValue][i] != nil else { continue }
            let x = inputs.map { $0[i] }
            if s.scoreByTrees {
                score[i] = s.transitionThreshold + s.transitionSoftness * config.scoreTrees.logOdds(x)
            } else {
                // An input missing where others are present (no sound in a step with a picture) counts 0.
                score[i] = zip(weights, x).reduce(0) { $0 + $1.0 * ($1.1 ?? 0) }
            }
        }
        return (score, inputs)
    }

    /// One input of the score, unsmoothed: nil where the step is dead or has no usable picture (the whole
    /// picture changed, or the camera moved fast).
    func rawInput(_ input: ScoreInput, _ series: FeatureSeries, dead: [Bool], unusable: [Bool]) -> [Double?] {
        let n = series.stepCount
        func live<T>(_ a: [T?]) -> [T?] { (0..<n).map { dead[$0] ? nil : a[$0] } }
        func still(_ a: [Double]) -> [Double?] { (0..<n).map { dead[$0] || unusable[$0] ? nil : a[$0] } }
        let q = config.segmenter.baselineQuantile
        switch input {
        case .spread:
            return RobustStatistics.standardise(still(series.motionSpread), baselineQuantile: q, minimumScale: 0.05)
        case .motion:
            return RobustStatistics.standardise(still(series.localMotion), baselineQuantile: q, minimumScale: 0.1).map { $0.map { min($0, 6) } }
        case .loudness:
            return RobustStatistics.standardise(live(series.audioDb), baselineQuantile: q, minimumScale: 1.0).map { $0.map { min($0, 6) } }
        case .steadyTalk:
            let low = config.segmenter.chatterVariationLowDb
            return live(series.audioVariation).map { $0.map { -max(0, low - $0) } }
        case .spreadShare:
            return still(series.motionSpread)
        case .reach:
            return still(series.motionReach)
        case .reachGain:
            // How much further motion travels over a few seconds than it spreads at once: about 1 when the
            // same cells move again and again (seat and group work), large when people cross the picture.
            let reach = still(series.motionReach)
            return (0..<n).map { i in reach[i].map { log(($0 + 0.02) / (series.motionSpread[i] + 0.02)) } }
        case .variation:
            return live(series.audioVariation).map { $0.map { min($0, 12) } }
        case .activeShare:
            return still(series.activeShare)
        case .chatter:
            let (low, high) = (config.segmenter.chatterVariationLowDb, config.segmenter.chatterVariationHighDb)
            return live(series.audioVariation).map { $0.map { -max(0, low - $0, $0 - high) } }
        case .lessonReach:
            return Self.wholeLesson(rawInput(.reach, series, dead: dead, unusable: unusable))
        case .lessonActive:
            return Self.wholeLesson(rawInput(.activeShare, series, dead: dead, unusable: unusable))
        case .lessonChatter:
            return Self.wholeLesson(rawInput(.chatter, series, dead: dead, unusable: unusable))
        case .relativeReach:
            return Self.relative(still(series.motionReach), quantile: config.segmenter.relativeQuantile)
        case .relativeActive:
            return Self.relative(still(series.activeShare), quantile: config.segmenter.relativeQuantile)
        case .highShare:
            return Self.againstLessonMedian((0..<n).map { i in
                guard !dead[i], let level = series.audioDb[i], let high = series.bellBandDb[i] else { return nil }
                return high - level
            }, limit: 20)
        case .voiceShare:
            return Self.againstLessonMedian((0..<n).map { i in
                guard !dead[i], let level = series.audioDb[i], let voice = series.voiceDb[i] else { return nil }
                return voice - level
            }, limit: 20)
        }
    }

    /// An input over its lesson's `quantile` of it (at least 0.05), at most 2, where present: how much of where
    /// the class moves at all is moving now, whatever the class's size and distance.
    static func relative(_ values: [Double?], quantile: Double) -> [Double?] {
        let top = max(0.05, RobustStatistics.quantile(values.compactMap { $0 }, quantile) ?? 0)
        return values.map { $0.map { min(2, $0 / top) } }
    }

    /// Each value less the lesson's median of them, within ±`limit`: a ratio of two bands read against the same
    /// ratio over the lesson, so that a microphone or codec that tilts the spectrum (a phone's, a low bitrate's)
    /// shifts nothing.
    static func againstLessonMedian(_ values: [Double?], limit: Double) -> [Double?] {
        guard let median = RobustStatistics.median(values.compactMap { $0 }) else { return values }
        return values.map { $0.map { min(limit, max(-limit, $0 - median)) } }
    }

    /// The median of an input over the lesson at every step where the input is present (nil elsewhere).
    static func wholeLesson(_ values: [Double?]) -> [Double?] {
        guard let median = RobustStatistics.median(values.compactMap { $0 }) else { return values }
        return values.map { $0.map { _ in median } }
    }

    /// Steps whose picture does not show the class's own motion: the whole picture changed (a bump, the
    /// exposure), the camera moved faster than `cameraMovingSpeed`, or its motion was not measured (frames
    /// not decoded). The smoothing gives them their neighbours' values.
    public func unusablePictureSteps(_ series: FeatureSeries) -> [Bool] {
        (0..<series.stepCount).map {
            series.motionSpread[$0] >= config.segmenter.wholePictureSpread || series.cameraSpeed[$0] >= config.segmenter.cameraMovingSpeed
                || series.isVideoMissing($0)
        }
    }

    /// Steps in a stretch of at least `cameraMovingMinSeconds` whose picture does not show the class
    /// because the camera moved (pauses of up to `cameraMovingBridgeSeconds` bridged).
    public func cameraMovingSteps(_ series: FeatureSeries) -> [Bool] {
        let step = series.stepSeconds
        var moving = (0..<series.stepCount).map { series.cameraSpeed[$0] >= config.segmenter.cameraMovingSpeed }
        Self.holdOverMissing(&moving, series)
        let bridged = Self.removeShortRuns(moving, value: false, minimum: max(1, Int((config.segmenter.cameraMovingBridgeSeconds / step).rounded())),
                                          atStart: 0, atEnd: 0)
        return Self.removeShortRuns(bridged, value: true, minimum: max(1, Int((config.segmenter.cameraMovingMinSeconds / step).rounded())))
    }

    /// Steps in a stretch of at least `emptyMinSeconds` in which hardly any of the picture moved for
    /// seconds (`emptyReach`) and the sound has no voices in it (its variation under `emptyVariationDb`, or
    /// no sound): no class in view. Without a picture, none.
    public func noClassSteps(_ series: FeatureSeries, dead: [Bool], cameraMoving: [Bool]? = nil) -> [Bool] {
        let n = series.stepCount
        // A picture that never changes is still a picture: a still empty room whose encoder repeats its frames
        // has no motion at all.
        guard series.luma.contains(where: { $0 != nil }) else { return Array(repeating: false, count: n) }
        let s = config.segmenter
        // A step whose picture was not decoded has its window's reach all the same.
        let live = (0..<n).map { i in
            !dead[i] && (series.luma[i] != nil || series.isVideoMissing(i)) && series.motionReach[i] < s.emptyReach
                && (series.audioVariation[i] ?? 0) < s.emptyVariationDb
        }
        // Frozen and silent steps (dead) do not break such a stretch: nothing moves and nothing sounds there either.
        let empty = (0..<n).map { live[$0] || dead[$0] }
        var stretches = Self.removeShortRuns(empty, value: true, minimum: max(1, Int((s.emptyMinSeconds / series.stepSeconds).rounded())))
        // A stretch mostly dead is the recording's own gap (black, frozen, silent), not a room seen empty: at
        // least a third of `emptyMinSeconds` of it must be live.
        for run in Self.runs(stretches) where stretches[run.lowerBound]
            && Double(run.filter { live[$0] }.count) * series.stepSeconds < s.emptyMinSeconds / 3 {
            for k in run { stretches[k] = false }
        }
        return Self.heardOrAtAnEnd(stretches, series: series, dead: dead, cameraMoving: cameraMoving ?? cameraMovingSteps(series),
                                   least: max(1, Int((s.emptyMinSeconds / 3 / series.stepSeconds).rounded())))
    }

    /// `stretches` (no class in view) less those not heard: without sound, stillness cannot tell an empty room from
    /// a class sitting still, so a stretch with no sound that has the class seen on both sides of it (`least` steps
    /// or more each side that are neither in such a stretch, nor dead, nor a moving camera's) is the class.
    /// A room seen empty before the class comes in or after it leaves touches an end of the recording, or has a
    /// side where nobody moved, and stays.
    static func heardOrAtAnEnd(_ stretches: [Bool], series: FeatureSeries, dead: [Bool], cameraMoving: [Bool],
                               least: Int) -> [Bool] {
        func seen(_ k: Int) -> Bool { !stretches[k] && !dead[k] && !(k < cameraMoving.count && cameraMoving[k]) }
        var out = stretches
        for run in runs(stretches) where stretches[run.lowerBound] && run.allSatisfy({ series.audioDb[$0] == nil })
            && (0..<run.lowerBound).filter(seen).count >= least && (run.upperBound..<stretches.count).filter(seen).count >= least {
            for k in run { out[k] = false }
        }
        return out
    }

    /// The probability per step that it is a transition (0.5 for dead steps).
    public func transitionProbabilities(_ scores: [Double?]) -> [Double] {
        scores.map { s in
            guard let s else { return 0.5 }
            let p = 1 / (1 + exp(-(s - config.segmenter.transitionThreshold) / max(config.segmenter.transitionSoftness, 1e-6)))
            return min(0.999, max(0.001, p))
        }
    }

    /// The most likely transition/on-task labelling (true = transition) under a sticky two-state model.
    public static func viterbi(_ probabilities: [Double], switchProbability: Double) -> [Bool] {
        let n = probabilities.count
        guard n > 0 else { return [] }
        let stay = log(1 - switchProbability), move = log(switchProbability)
        var score = (onTask: log(1 - probabilities[0]) + log(0.5), transition: log(probabilities[0]) + log(0.5))
        var fromTransition = [[Bool]](repeating: [false, false], count: n)  // [state] = previous was transition
        for i in 1..<n {
            let p = probabilities[i]
            let onFromOn = score.onTask + stay, onFromTr = score.transition + move
            let trFromTr = score.transition + stay, trFromOn = score.onTask + move
            fromTransition[i][0] = onFromTr > onFromOn
            fromTransition[i][1] = trFromTr >= trFromOn
            score = (onTask: max(onFromOn, onFromTr) + log(1 - p), transition: max(trFromTr, trFromOn) + log(p))
        }
        var labels = [Bool](repeating: false, count: n)
        var state = score.transition > score.onTask
        labels[n - 1] = state
        for i in stride(from: n - 1, to: 0, by: -1) {
            state = fromTransition[i][state ? 1 : 0]
            labels[i - 1] = state
        }
        return labels
    }

    /// Grows each run of `true` outward over neighbouring `false` steps whose score is at least `threshold`
    /// (hysteresis: a lower threshold to continue than to start). Steps without a score stop the growth.
    public static func extendRuns(_ labels: [Bool], scores: [Double?], threshold: Double) -> [Bool] {
        var out = labels
        let n = labels.count
        for i in 0..<n where labels[i] {
            // Left from the first step of a run, right from the last.
            if i == 0 || !labels[i - 1] {
                var k = i - 1
                while k >= 0 && !out[k], let s = scores[k], s >= threshold { out[k] = true; k -= 1 }
            }
            if i == n - 1 || !labels[i + 1] {
                var k = i + 1
                while k < n && !labels[k], let s = scores[k], s >= threshold { out[k] = true; k += 1 }
            }
        }
        return out
    }

    /// Grows each run of `true` forward into settling: to the end, within `maximum` steps (and before the
    /// next run and the first step without a score), that maximises the summed excess of the scores over
    /// `margin` above the `quantile` of the scores of the next `lookahead` steps (up to the next run). A
    /// short dip does not stop a tail that goes on after it; a tail no higher than the work does not grow.
    public static func settlingTails(_ labels: [Bool], scores: [Double?], margin: Double, quantile q: Double,
                                     lookahead: Int, maximum: Int) -> [Bool] {
        var out = labels
        let n = labels.count
        guard margin > 0, maximum > 0 else { return out }
        var i = 0
        while i < n {
            guard labels[i] else { i += 1; continue }
            var end = i
            while end < n && labels[end] { end += 1 }
            var next = end
            while next < n && !labels[next] && next < end + lookahead { next += 1 }
            let work = scores[end..<next].compactMap { $0 }
            if let level = RobustStatistics.quantile(work, q) {
                var sum = 0.0, best = 0.0, bestEnd = end
                var k = end
                while k < min(next, end + maximum), let s = scores[k] {
                    sum += s - (level + margin)
                    k += 1
                    if sum > best { best = sum; bestEnd = k }
                }
                for m in end..<bestEnd { out[m] = true }
            }
            i = end
        }
        return out
    }

    /// Turns runs shorter than `minimum` steps of `value` into the other value. A run touching the start of
    /// the lesson is held to `atStart` steps instead, one touching its end to `atEnd` (nil: `minimum`), one
    /// touching both to the lesser.
    public static func removeShortRuns(_ labels: [Bool], value: Bool, minimum: Int, atStart: Int? = nil,
                                       atEnd: Int? = nil) -> [Bool] {
        var out = labels
        for run in runs(labels) where labels[run.lowerBound] == value {
            let start = run.lowerBound == 0 ? atStart ?? minimum : nil, end = run.upperBound == labels.count ? atEnd ?? minimum : nil
            let least = min(start ?? end ?? minimum, end ?? start ?? minimum)
            if run.count < least { for k in run { out[k] = !value } }
        }
        return out
    }

    /// The runs of equal labels, in order: their index ranges, which together cover `labels`.
    public static func runs(_ labels: [Bool]) -> [Range<Int>] {
        var result: [Range<Int>] = [], i = 0
        while i < labels.count {
            var j = i
            while j < labels.count && labels[j] == labels[i] { j += 1 }
            result.append(i..<j)
            i = j
        }
        return result
    }

    /// `unknown` with every run of judged steps (false) shorter than `minimum` made unknown too when it lies between
    /// two unknown runs, or at an end of the recording beside an unknown run of at least `minimum` (a carried camera
    /// set down for its last seconds); beside a shorter one it stays (the class seen there may go on beyond it). A
    /// recording with no unknown step is left alone however short it is.
    public static func absorbShortJudged(_ unknown: [Bool], minimum: Int) -> [Bool] {
        guard minimum > 0, unknown.contains(true) else { return unknown }
        // Between two unknown runs first (the ends held), so that an end's neighbour is measured with them joined.
        var out = removeShortRuns(unknown, value: false, minimum: minimum, atStart: 0, atEnd: 0)
        let joined = runs(out)
        for (r, run) in joined.enumerated() where joined.count > 1 && (r == 0 || r == joined.count - 1)
            && !out[run.lowerBound] && run.count < minimum && joined[r == 0 ? 1 : r - 1].count >= minimum {
            for k in run { out[k] = true }
        }
        return out
    }

    /// The on-task kind of a step from its kind inputs (`KindInput` order) and its score inputs (`ScoreInput`
    /// order; empty when the score has none): by the kinds' trees (`kinds.byTrees`), or the kind whose linear score
    /// over the kind inputs is highest, independent work scoring 0.
    func kind(_ x: [Double], score: [Double]) -> SegmentKind {
        if config.kinds.byTrees {
            return config.kindTrees.kind(x + (score.isEmpty ? Array(repeating: 0, count: ScoreInput.allCases.count) : score))
        }
        let k = config.kinds
        let instruction = k.instructionBias + k.instructionLevelWeight * x[0] + k.instructionVariationWeight * x[1]
            + k.instructionSpreadWeight * x[2] + k.instructionReachWeight * x[3] + k.instructionPictureWeight * x[4]
            + k.instructionSoundWeight * x[5]
        let group = k.groupBias + k.groupLevelWeight * x[0] + k.groupVariationWeight * x[1]
            + k.groupSpreadWeight * x[2] + k.groupReachWeight * x[3] + k.groupPictureWeight * x[4]
            + k.groupSoundWeight * x[5]
        if instruction <= 0 && group <= 0 { return .independent }
        return instruction >= group ? .instruction : .group
    }

    /// The inputs of the kinds per step (`KindInput` order), each smoothed like the score's: nil where dead.
    public func kindInputs(_ series: FeatureSeries, dead: [Bool]) -> [[Double?]] {
        let n = series.stepCount
        let levels = (0..<n).compactMap { dead[$0] ? nil : series.audioDb[$0] }
        let medianLevel = RobustStatistics.median(levels) ?? -40
        let top = RobustStatistics.quantile(levels, 0.9) ?? medianLevel
        let floor = RobustStatistics.quantile(levels, 0.1) ?? medianLevel
        let unusable = unusablePictureSteps(series)
        let picture = series.hasMotion
        let sound = series.audioDb.contains { $0 != nil }
        let half = max(0, Int((config.segmenter.smoothingSeconds / series.stepSeconds / 2).rounded()))
        func smoothed(_ f: (Int) -> Double?) -> [Double?] {
            RobustStatistics.medianFilter((0..<n).map { dead[$0] ? nil : f($0) }, half: half)
        }
        return [
            smoothed { i in series.audioDb[i].map { min(20, max(-20, $0 - medianLevel)) } ?? 0 },
            smoothed { i in series.audioVariation[i].map { min($0, 12) } ?? 0 },
            smoothed { i in picture && !unusable[i] ? series.motionSpread[i] : (picture ? nil : 0) },
            smoothed { i in picture && !unusable[i] ? series.motionReach[i] : (picture ? nil : 0) },
            smoothed { _ in picture ? 1 : 0 },
            smoothed { _ in sound ? 1 : 0 },
            smoothed { i in series.audioDb[i].map { min(5, max(-40, $0 - top)) } ?? 0 },
            smoothed { i in series.audioDb[i].map { min(40, max(-5, $0 - floor)) } ?? 0 },
            smoothed { i in
                guard let level = series.audioDb[i], let voice = series.voiceDb[i] else { return 0 }
                return min(5, max(-30, voice - level))
            },
            smoothed { _ in sound ? min(40, top - floor) : 0 },
        ]
    }

    /// The segments of a lesson `duration` seconds long, covering `[0, duration]` without gaps or overlaps.
    public func segments(_ series: FeatureSeries, duration: Double) -> [Segment] { run(series, duration: duration).segments }

    /// The segments (times and confidences unrounded) and what they were decided from.
    public func run(_ series: FeatureSeries, duration: Double) -> (segments: [Segment], trace: SegmenterTrace) {
        let dead = deadSteps(series)
        let (scores, inputs) = scoreAndInputs(series, dead: dead)
        let moving = cameraMovingSteps(series)
        let trace = SegmenterTrace(dead: dead, wholePicture: wholePictureSteps(series), scores: scores,
                                   probabilities: transitionProbabilities(scores), inputs: inputs,
                                   cameraMoving: moving, noClass: noClassSteps(series, dead: dead, cameraMoving: moving),
                                   kindInputs: kindInputs(series, dead: dead))
        let step = series.stepSeconds
        let n = min(series.stepCount, max(1, Int((duration / step).rounded(.up))))
        guard n > 0, duration > 0 else {
            return (duration > 0 ? [Segment(start: 0, end: duration, kind: .unknown, confidence: 0.5)] : [], trace)
        }
        let transition = transitionLabels(trace, count: n, step: step, hasPicture: series.hasMotion)
        let kinds = stepKinds(series, trace: trace, transition: transition, count: n)
        return (runs(kinds, probabilities: trace.probabilities, step: step, duration: duration), trace)
    }

    /// Transition (true) or not per step, for the first `count` steps: the two-state model, grown by
    /// hysteresis and into settling, then the minimum durations.
    func transitionLabels(_ trace: SegmenterTrace, count n: Int, step: Double, hasPicture: Bool) -> [Bool] {
        let scores = Array(trace.scores.prefix(n)), dead = Array(trace.dead.prefix(n))
        let s = config.segmenter
        func steps(_ seconds: Double) -> Int { Int((seconds / step).rounded()) }
        var transition = Self.viterbi(Array(trace.probabilities.prefix(n)), switchProbability: s.switchProbability)
        if s.transitionExtendThreshold < s.transitionThreshold {
            transition = Self.extendRuns(transition, scores: scores, threshold: s.transitionExtendThreshold)
        }
        // Settling is seen in the picture; the sound-only score is a coarse band test with no middle level.
        transition = Self.settlingTails(transition, scores: scores, margin: hasPicture ? s.settleMarginScore : 0,
                                        quantile: s.baselineQuantile, lookahead: steps(s.settleLookaheadSeconds),
                                        maximum: steps(s.settleMaxSeconds))
        transition = Self.removeShortRuns(transition, value: true, minimum: max(1, steps(config.minTransitionSeconds)))
        // Work touching an end of the recording is kept however short, but a few seconds before the first
        // transition are the class coming in as the recording started (seen in the picture; not when some
        // of them have neither picture nor sound).
        let firstTransition = transition.firstIndex(of: true) ?? n
        let leading = hasPicture && !dead[0..<firstTransition].contains(true) ? steps(s.minLeadingOnTaskSeconds) : 0
        return Self.removeShortRuns(transition, value: false, minimum: max(1, steps(s.minOnTaskSeconds)),
                                    atStart: leading, atEnd: steps(s.minTrailingOnTaskSeconds))
    }

    /// The kind of each of the first `count` steps: unknown where there is no signal, transition, or the
    /// on-task kind the room sounds like, smoothed within each on-task stretch.
    func stepKinds(_ series: FeatureSeries, trace: SegmenterTrace, transition: [Bool], count n: Int) -> [SegmentKind] {
        let step = series.stepSeconds
        let dead = Array(trace.dead.prefix(n))
        var unknown = Self.removeShortRuns(dead, value: true,
                                           minimum: max(1, Int((config.segmenter.minUnknownSeconds / step).rounded())))
        if unknown.count < n { unknown += Array(repeating: false, count: n - unknown.count) }
        // No class to judge: the camera carried about, or a picture with nothing moving and a room with no voices.
        if let last = trace.cameraMoving.indices.last {
            for i in 0..<n where trace.cameraMoving[min(i, last)] || trace.noClass[min(i, last)] { unknown[i] = true }
        }
        unknown = Self.absorbShortJudged(unknown, minimum: Int((config.segmenter.minJudgedAmidUnknownSeconds / step).rounded()))
        var kinds = [SegmentKind](repeating: .independent, count: n)
        let inputs = trace.kindInputs
        for i in 0..<n {
            if unknown[i] { kinds[i] = .unknown }
            else if transition[i] { kinds[i] = .transition }
            else if i < series.stepCount { kinds[i] = kind(inputs.map { $0[i] ?? 0 }, score: trace.inputs.map { $0[i] ?? 0 }) }
            else if i > 0 { kinds[i] = kinds[i - 1] }
        }
        return smoothOnTaskKinds(kinds, window: max(1, Int((config.kinds.smoothingSeconds / step).rounded())))
    }

    /// Runs of one kind into segments, each with its mean confidence; the last ends at `duration`.
    func runs(_ kinds: [SegmentKind], probabilities p: [Double], step: Double, duration: Double) -> [Segment] {
        let n = kinds.count
        var result: [Segment] = []
        var i = 0
        while i < n {
            var j = i
            while j < n && kinds[j] == kinds[i] { j += 1 }
            var confidence = 0.0
            for k in i..<j {
                switch kinds[i] {
                case .transition: confidence += p[k]
                case .unknown: confidence += 0.9
                default: confidence += 1 - p[k]
                }
            }
            let end = j == n ? duration : Double(j) * step
            result.append(Segment(start: Double(i) * step, end: end, kind: kinds[i],
                                  confidence: min(1, max(0, confidence / Double(j - i)))))
            i = j
        }
        if let last = result.last, last.end < duration { result[result.count - 1].end = duration }
        // The recording's last hundredth of a second after the last whole step is not a segment of its own.
        if result.count >= 2, let last = result.last, last.end - last.start < 0.05 {
            result.removeLast()
            result[result.count - 1].end = duration
        }
        return result.filter { $0.end > $0.start }
    }

    /// Within each on-task stretch, the majority kind over a sliding window, then runs shorter than the
    /// window folded into the kind before them (a stretch's short first run into the kind after it), so no
    /// on-task segment is shorter than the window unless its whole stretch is.
    func smoothOnTaskKinds(_ kinds: [SegmentKind], window: Int) -> [SegmentKind] {
        var out = kinds
        let onTask: [SegmentKind] = [.instruction, .independent, .group]
        var i = 0
        while i < kinds.count {
            guard kinds[i].isOnTask else { i += 1; continue }
            var j = i
            while j < kinds.count && kinds[j].isOnTask { j += 1 }
            for k in i..<j {
                var counts = [0, 0, 0]
                for m in max(i, k - window / 2)..<min(j, k + window / 2 + 1) {
                    counts[onTask.firstIndex(of: kinds[m])!] += 1
                }
                out[k] = onTask[counts.firstIndex(of: counts.max()!)!]
            }
            // Fold short runs into the kind before them, then a short first run into the kind after it.
            var a = i
            while a < j {
                var b = a
                while b < j && out[b] == out[a] { b += 1 }
                if b - a < window && a > i { for m in a..<b { out[m] = out[a - 1] } }
                a = b
            }
            var b = i
            while b < j && out[b] == out[i] { b += 1 }
            if b - i < window && b < j { for m in i..<b { out[m] = out[b] } }
            i = j
        }
        return out
    }
}
