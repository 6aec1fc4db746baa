import Foundation
import LessonMetrics

/// Decides which bright runs are bells, how sure, and which one starts the class.
///
/// Each candidate is judged by a fitted classifier, not by a cascade of vetoes: boosted trees over measures
/// that mean the same in any room (`BellModel`): how long it rang, how far it stood over the room's
/// floor and over the voices, whether its partials held their place, whether its level held or swung like
/// syllables, whether it was a voice's comb of harmonics, what followed it. Its confidence is the model's
/// probability calibrated on trials it never saw (`BellCalibration`), so of bells reported at 0.8 about 80 % are
/// right (README: the reliability table). Only a length
/// outside `bellMinSeconds...bellMaxSeconds` rules a candidate out. No candidate confident enough means no
/// bell, never a guess.
public struct BellDetector: Sendable {
    public let config: BellDetectorSettings
    /// The classifier of each model: the fitted ones (`BellTrees.swift`) unless others are given.
    public let bandTrees: BoostedTrees, tonalTrees: BoostedTrees, fineTrees: BoostedTrees

    /// What the trees' probability means for the sounding taken for the bell, or the surest one when none is
    /// (`BellCalibration.fitted` unless another is given; none with `calibrated` off).
    public let calibration: BellCalibration
    /// What it means for every other sounding, listed beside the bell (`BellCalibration.fittedOthers` unless
    /// another is given; none with `calibrated` off): a sounding the detector passed over is a bell less often
    /// than the surest one at the same probability.
    public let otherCalibration: BellCalibration

    public init(config: BellDetectorSettings = BellDetectorSettings(), bandTrees: BoostedTrees = BellModel.band.trees,
                tonalTrees: BoostedTrees = BellModel.tonal.trees, fineTrees: BoostedTrees = BellModel.fine.trees,
                calibration: BellCalibration = .fitted, otherCalibration: BellCalibration = .fittedOthers) {
        self.config = config
        self.bandTrees = bandTrees
        self.tonalTrees = tonalTrees
        self.fineTrees = fineTrees
        self.calibration = config.calibrated ? calibration : .identity
        self.otherCalibration = config.calibrated ? otherCalibration : .identity
    }

    /// How sure (0...1) that `candidate` is a bell, given what surrounds it: the trees' probability, calibrated.
    public func confidence(_ candidate: BellCandidate, _ around: BellSurroundings = BellSurroundings()) -> Double {
        calibration(probability(candidate, around))
    }

    /// The trees' probability (0...1) that `candidate` is a bell, given what surrounds it.
    public func probability(_ candidate: BellCandidate, _ around: BellSurroundings = BellSurroundings()) -> Double {
        let d = candidate.duration
        guard d >= config.bellMinSeconds, d <= config.bellMaxSeconds else { return 0 }
        let trees = switch BellModel.of(candidate) {
        case .band: bandTrees
        case .tonal: tonalTrees
        case .fine: fineTrees
        }
        return trees.probability(BellModel.inputs(candidate, around))
    }

    /// The bell that starts the class (time and confidence unrounded): of the events (`events`) confident
    /// enough in the leading `bellSearchFraction` of a recording `duration` seconds long, the earliest whose
    /// confidence is within `bellPreferenceMargin` of the most confident one's; nil when there is none.
    public func startingBell(_ candidates: [BellCandidate], duration: Double, context: BellContext = .none) -> Bell? {
        decide(candidates, duration: duration, context: context).bell
    }

    /// Every candidate's confidence, every sounding's, and the one taken for the starting bell.
    public func decide(_ candidates: [BellCandidate], duration: Double, context: BellContext = .none) -> BellDecision {
        let probabilities = candidates.indices.map { probability(candidates[$0], context.surroundings(of: $0, in: candidates)) }
        let confidences = probabilities.map(calibration.callAsFunction)
        let all = events(candidates, probabilities: probabilities)
        let taken = startingEvent(candidates, duration: duration, among: all)
        // The sounding judged by the bells' calibration: the one taken, else the surest in the search window (what
        // that calibration was fitted on); every other one by the others'.
        let lead = taken ?? surestEvent(candidates, duration: duration, among: all)
        let soundings = all.map { e in
            BellSounding(first: e.first, surest: e.surest,
                         confidence: e.first == lead?.first ? calibration(e.probability) : otherCalibration(e.probability))
        }
        guard let event = taken else {
            return BellDecision(confidences: confidences, chosen: nil, bell: nil, soundings: soundings)
        }
        let bell = Bell(timeSeconds: candidates[event.first].start, source: .detected, confidence: calibration(event.probability))
        return BellDecision(confidences: confidences, chosen: event.surest, bell: bell, soundings: soundings)
    }

    /// One sounding: candidates at least `bellEventConfidence` sure that overlap or follow one another within
    /// `bellEventGapSeconds` (a chime's notes found one by one, a bell heard by both trackers, a ring split at
    /// an onset). It is as sure as its surest part and dated at its first: a bell is dated where it began,
    /// even when a later part of it is the clearest. A part found in the finer spectrum gives way to a part of the
    /// other trackers that starts within `fineDatingSeconds` after it: their frames are a quarter as long, and date
    /// an onset more sharply. The parts are joined, and the event judged, by the trees'
    /// probabilities; its confidence is its surest part's, calibrated.
    struct Event {
        var first: Int
        var surest: Int
        var end: Double
        var probability: Double
    }

    /// How long after a sounding's first part, found in the finer spectrum, a part of the other trackers dates it instead.
    static let fineDatingSeconds = 1.0

    /// The events among `candidates`, in time order.
    func events(_ candidates: [BellCandidate], probabilities: [Double]) -> [Event] {
        let parts = candidates.indices.filter { probabilities[$0] >= config.bellEventConfidence }
            .sorted { (candidates[$0].start, $0) < (candidates[$1].start, $1) }
        var events: [Event] = []
        for i in parts {
            let c = candidates[i]
            if var last = events.last, c.start <= last.end + config.bellEventGapSeconds {
                let dated = candidates[last.first]
                if dated.fineLines == true, c.fineLines != true, c.start <= dated.start + Self.fineDatingSeconds { last.first = i }
                last.end = max(last.end, c.end)
                if probabilities[i] > last.probability { last.probability = probabilities[i]; last.surest = i }
                events[events.count - 1] = last
            } else {
                events.append(Event(first: i, surest: i, end: c.end, probability: probabilities[i]))
            }
        }
        return events
    }

    /// The events that begin in the leading `bellSearchFraction` of a recording `duration` seconds long.
    func searched(_ candidates: [BellCandidate], duration: Double, among events: [Event]) -> [Event] {
        let limit = duration * config.bellSearchFraction
        return events.filter { candidates[$0.first].start <= limit }
    }

    /// The event that starts the class (see `startingBell`): judged by its calibrated confidence.
    func startingEvent(_ candidates: [BellCandidate], duration: Double, among events: [Event]) -> Event? {
        let confident = searched(candidates, duration: duration, among: events)
            .map { ($0, calibration($0.probability)) }.filter { $0.1 >= config.bellMinConfidence }
        guard let best = confident.map(\.1).max() else { return nil }
        return confident.first { $0.1 >= best - config.bellPreferenceMargin }?.0
    }

    /// The surest event in the search window (the earliest of equals), however unsure.
    func surestEvent(_ candidates: [BellCandidate], duration: Double, among events: [Event]) -> Event? {
        let inWindow = searched(candidates, duration: duration, among: events)
        guard let best = inWindow.map(\.probability).max() else { return nil }
        return inWindow.first { $0.probability >= best }
    }
}

/// What the bell detector decided: how sure it is of each candidate, and which one starts the class.
public struct BellDecision: Sendable, Equatable {
    /// Per candidate, in the candidates' order: how sure (0...1) that it is a bell.
    public var confidences: [Double]
    /// The index of the surest candidate of the event taken for the bell that starts the class (the bell is
    /// dated at the event's first candidate).
    public var chosen: Int?
    /// That bell (time and confidence unrounded), or nil.
    public var bell: Bell?
    /// Every sounding heard (`BellDetector.events`), in time order, with how sure the detector is that it is
    /// the bell: the one taken (or the surest, when none is) by the bells' calibration, the others by theirs.
    public var soundings: [BellSounding]

    public init(confidences: [Double], chosen: Int?, bell: Bell?, soundings: [BellSounding] = []) {
        self.confidences = confidences
        self.chosen = chosen
        self.bell = bell
        self.soundings = soundings
    }
}

/// One sounding the bell detector heard: its candidates joined (see `BellDetector.events`).
public struct BellSounding: Sendable, Equatable {
    /// The index of its first candidate (where it is dated) and of its surest one.
    public var first: Int, surest: Int
    /// How sure (0...1) that it is the bell that starts the class.
    public var confidence: Double

    public init(first: Int, surest: Int, confidence: Double) {
        self.first = first
        self.surest = surest
        self.confidence = confidence
    }
}

/// What the trees' probability means: a monotone map (piecewise linear between knots, flat beyond them) from the
/// probability to the share of bells right at it, fitted by `scripts/fit_bells.py fit --calibrate` on trials the
/// trees were not fitted on (an isotonic regression), so that of bells reported at 0.8 about 80 % are right.
public struct BellCalibration: Sendable, Equatable {
    /// Knots: the trees' probabilities, ascending, and the confidence at each, never descending.
    public let raw: [Double], calibrated: [Double]

    public init(raw: [Double], calibrated: [Double]) {
        precondition(!raw.isEmpty && raw.count == calibrated.count, "a calibration needs as many confidences as probabilities")
        precondition(zip(raw, raw.dropFirst()).allSatisfy { $0 <= $1 } && zip(calibrated, calibrated.dropFirst()).allSatisfy { $0 <= $1 },
                     "a calibration's knots rise")
        self.raw = raw
        self.calibrated = calibrated
    }

    /// The fitted one (`BellTrees.swift`, written by `scripts/fit_bells.py fit --calibrate --swift`), for the
    /// sounding taken for the bell (or the surest).
    public static var fitted: BellCalibration { BellTrees.calibration }

    /// The fitted one for every other sounding (`BellTrees.otherCalibration`).
    public static var fittedOthers: BellCalibration { BellTrees.otherCalibration }

    /// The probability as it is.
    public static let identity = BellCalibration(raw: [0, 1], calibrated: [0, 1])

    public func callAsFunction(_ p: Double) -> Double {
        guard p.isFinite else { return 0 }
        guard p > raw[0] else { return calibrated[0] }
        for k in 1..<raw.count where p <= raw[k] {
            let span = raw[k] - raw[k - 1]
            let t = span > 0 ? (p - raw[k - 1]) / span : 1
            return calibrated[k - 1] + t * (calibrated[k] - calibrated[k - 1])
        }
        return calibrated[raw.count - 1]
    }
}
