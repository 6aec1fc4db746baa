import LessonMetrics

/// Decides which bright runs are bells, how sure it is, and which one starts the class.
///
/// A class bell rings for a second or more, high in the spectrum, well above the room: an electric
/// bell's dense partials, a timer's rattle. Short sounds (dings, ticks, beeps), pure single partials
/// (alarm beeps), notes that fade at once (a struck ding) and sound low in the spectrum (phones, voices,
/// laughter) are not bells. A ring in the bell band must also show positive evidence of a bell: fixed
/// partials, or a bell band standing out from the voices without being a voice's comb of harmonics (bursts of
/// chatter and laughter pass the other rules now and then).
/// No candidate that qualifies means no bell, never a guess.
public struct BellDetector: Sendable {
    public let config: BellDetectorSettings

    public init(config: BellDetectorSettings = BellDetectorSettings()) {
        self.config = config
    }

    /// How sure (0...1) that `candidate` is a bell; 0 when it fails a hard rule.
    public func confidence(_ candidate: BellCandidate) -> Double {
        let d = candidate.duration
        if candidate.meanPartials > 0 { return tonalConfidence(candidate) }
        guard d >= config.bellMinSeconds, d <= config.bellMaxSeconds else { return 0 }
        guard candidate.slopeDbPerSecond >= -config.bellMaxDecayDbPerSecond else { return 0 }
        guard candidate.meanPurity <= config.bellMaxPurity else { return 0 }
        guard candidate.brightShare >= config.bellMinBrightShare else { return 0 }
        guard candidate.sustainShare >= config.bellMinSustainShare else { return 0 }
        guard candidate.meanTiltDb >= config.bellMinMeanTiltDb else { return 0 }
        guard candidate.levelSwingDb <= config.bellMaxSwingDb else { return 0 }
        // Positive evidence: a bell's fixed partials, or a bell band standing out from the voices and not
        // itself a voice's comb of harmonics (laughter).
        guard candidate.stableShare >= config.bellMinStableShare
                || (candidate.standOutDb >= config.bellMinStandOutDb
                    && candidate.harmonicity <= config.bellMaxHarmonicity) else { return 0 }
        let duration = min(1, d / 2)
        let rise = min(1, max(0, (candidate.meanRiseDb - config.bellRiseDb) / 15))
        let fill = min(1, max(0, (candidate.sustainShare - config.bellMinSustainShare) / 0.3))
        return min(1, 0.45 + 0.2 * duration + 0.2 * rise + 0.15 * fill)
    }

    /// How sure (0...1) that a ring of fixed partials (a chime, a buzzer) is a bell; 0 when it fails a hard
    /// rule: too short (a ding), too long, too few partials at once or over its length, or no louder than the
    /// room before it.
    func tonalConfidence(_ candidate: BellCandidate) -> Double {
        let d = candidate.duration
        guard d >= config.tonalMinSeconds, d <= config.bellMaxSeconds else { return 0 }
        guard candidate.meanPartials >= config.tonalMinPartials,
              candidate.meanPartials * d >= config.tonalMinPartialSeconds else { return 0 }
        guard candidate.meanRiseDb >= config.tonalMinOnsetRiseDb else { return 0 }
        let duration = min(1, d / 3)
        let rise = min(1, max(0, (candidate.meanRiseDb - config.tonalMinOnsetRiseDb) / 15))
        let partials = min(1, max(0, (candidate.meanPartials - config.tonalMinPartials) / 2))
        return min(1, 0.45 + 0.2 * duration + 0.2 * rise + 0.15 * partials)
    }

    /// The bell that starts the class (time and confidence unrounded): of the candidates confident enough
    /// in the leading `bellSearchFraction` of a recording `duration` seconds long (overlapping ones counted
    /// once, as the most confident of them), the earliest whose confidence is within `bellPreferenceMargin`
    /// of the most confident one's; nil when there is none.
    public func startingBell(_ candidates: [BellCandidate], duration: Double) -> Bell? {
        decide(candidates, duration: duration).bell
    }

    /// Every candidate's confidence, and the one taken for the starting bell.
    public func decide(_ candidates: [BellCandidate], duration: Double) -> BellDecision {
        let confidences = candidates.map(confidence)
        let chosen = startingCandidate(candidates, duration: duration, confidences: confidences)
        let bell = chosen.map { Bell(timeSeconds: candidates[$0.index].start, source: .detected, confidence: $0.confidence) }
        return BellDecision(confidences: confidences, chosen: chosen?.index, bell: bell)
    }

    /// The index in `candidates` of the one `startingBell` takes, with its confidence.
    func startingCandidate(_ candidates: [BellCandidate], duration: Double,
                           confidences: [Double]) -> (index: Int, confidence: Double)? {
        let limit = duration * config.bellSearchFraction
        let confident = candidates.indices.filter { candidates[$0].start <= limit }
            .sorted { candidates[$0].start < candidates[$1].start }
            .map { ($0, confidences[$0]) }.filter { $0.1 >= config.bellMinConfidence }
        // One sound heard by both trackers (a bell's partials and its bell band), or a ring that chatter before
        // it drew out earlier, is one event: a candidate that a more confident one overlaps gives way to it,
        // so the event is dated by its most confident view.
        let scored = confident.filter { i, score in
            let c = candidates[i]
            return !confident.contains { j, other in
                other > score && candidates[j].start < c.end && c.start < candidates[j].end
            }
        }
        guard let best = scored.map({ $0.1 }).max() else { return nil }
        return scored.first { $0.1 >= best - config.bellPreferenceMargin }
    }
}

/// What the bell detector decided: how sure it is of each candidate, and which one starts the class.
public struct BellDecision: Sendable, Equatable {
    /// Per candidate, in the candidates' order: how sure (0...1) that it is a bell.
    public var confidences: [Double]
    /// The index of the candidate taken for the bell that starts the class.
    public var chosen: Int?
    /// That bell (time and confidence unrounded), or nil.
    public var bell: Bell?

    public init(confidences: [Double], chosen: Int?, bell: Bell?) {
        self.confidences = confidences
        self.chosen = chosen
        self.bell = bell
    }
}
