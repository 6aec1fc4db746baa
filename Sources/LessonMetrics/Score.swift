/// How closely one result matches its ground truth, by the contract's accuracy measures.
///
/// Encodes `latencyErrorSeconds` as `null` when it is undefined.
public struct Score: Sendable, Equatable, Codable {
    /// Share (0...1) of the truth's class window where the result's label (transition or not)
    /// equals the truth's, sampled every 0.1 s. 1 for a window of no length.
    public var labelAgreement: Double
    /// How the result's transitions match the truth's.
    public var transitions: TransitionMatch
    /// The bell's error, or a miss.
    public var bell: BellOutcome
    /// `|bellToWorkSeconds − true bellToWorkSeconds|`; nil when either is null.
    public var latencyErrorSeconds: Double?
    /// `|timeOnTaskPercent − true timeOnTaskPercent|`, in percentage points.
    public var timeOnTaskErrorPoints: Double
    /// Share (0...1) of the truth's class window where the result's kind (all five) equals the truth's,
    /// sampled every 0.1 s; a point no segment covers has no kind. 1 for a window of no length.
    public var kindAgreement: Double

    public init(
        labelAgreement: Double, transitions: TransitionMatch, bell: BellOutcome,
        latencyErrorSeconds: Double?, timeOnTaskErrorPoints: Double, kindAgreement: Double = 1
    ) {
        self.kindAgreement = kindAgreement
        self.labelAgreement = labelAgreement
        self.transitions = transitions
        self.bell = bell
        self.latencyErrorSeconds = latencyErrorSeconds
        self.timeOnTaskErrorPoints = timeOnTaskErrorPoints
    }

    /// The transition F1, `transitions.f1`.
    public var transitionF1: Double { transitions.f1 }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(labelAgreement, forKey: .labelAgreement)
        try container.encode(transitions, forKey: .transitions)
        try container.encode(bell, forKey: .bell)
        try container.encode(latencyErrorSeconds, forKey: .latencyErrorSeconds)  // null when undefined
        try container.encode(timeOnTaskErrorPoints, forKey: .timeOnTaskErrorPoints)
        try container.encode(kindAgreement, forKey: .kindAgreement)
    }
}

/// The matching of result transitions to true ones (intersection over union at least 0.5, each
/// transition used once), and the F1 it gives.
public struct TransitionMatch: Sendable, Equatable, Codable {
    /// Transitions in the result, within the truth's class window.
    public var resultCount: Int
    /// Transitions in the truth, within its class window.
    public var truthCount: Int
    /// Pairs matched.
    public var matchedCount: Int
    /// `matchedCount / resultCount`; 1 when the result has no transitions.
    public var precision: Double
    /// `matchedCount / truthCount`; 1 when the truth has no transitions.
    public var recall: Double
    /// `2 × matchedCount / (resultCount + truthCount)`, the harmonic mean of precision and recall;
    /// 1 when neither has a transition.
    public var f1: Double

    /// The figures for the given counts.
    public init(resultCount: Int, truthCount: Int, matchedCount: Int) {
        precondition(matchedCount <= min(resultCount, truthCount), "more matches than transitions")
        self.resultCount = resultCount
        self.truthCount = truthCount
        self.matchedCount = matchedCount
        precision = resultCount == 0 ? 1 : Double(matchedCount) / Double(resultCount)
        recall = truthCount == 0 ? 1 : Double(matchedCount) / Double(truthCount)
        let total = resultCount + truthCount
        f1 = total == 0 ? 1 : 2 * Double(matchedCount) / Double(total)
    }
}

/// How the result's bell compares with the true bell.
///
/// Encodes as `{ "outcome": "noBell" | "found" | "missed" | "extra", "errorSeconds": x or null }`.
public enum BellOutcome: Sendable, Equatable, Codable {
    /// Neither the result nor the truth has a bell: correct, with no error to measure.
    case noBell
    /// Both have a bell, this far apart in seconds.
    case found(errorSeconds: Double)
    /// The truth has a bell and the result none: a miss.
    case missed
    /// The result has a bell and the truth none: a miss.
    case extra

    /// Whether this counts as a bell miss.
    public var isMiss: Bool { self == .missed || self == .extra }

    /// `|bell − true bell|` when both have one.
    public var errorSeconds: Double? {
        if case .found(let error) = self { return error }
        return nil
    }

    private enum CodingKeys: String, CodingKey { case outcome, errorSeconds }
    private enum Outcome: String, Codable { case noBell, found, missed, extra }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(Outcome.self, forKey: .outcome) {
        case .noBell: self = .noBell
        case .found: self = .found(errorSeconds: try container.decode(Double.self, forKey: .errorSeconds))
        case .missed: self = .missed
        case .extra: self = .extra
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        let outcome: Outcome = switch self {
        case .noBell: .noBell
        case .found: .found
        case .missed: .missed
        case .extra: .extra
        }
        try container.encode(outcome, forKey: .outcome)
        try container.encode(errorSeconds, forKey: .errorSeconds)  // null unless found
    }
}

/// The accuracy measures over many lessons.
///
/// A mean or maximum is nil (JSON `null`) when no lesson has the measure, such as latency error
/// when no lesson has bells in both result and truth.
public struct AggregateScore: Sendable, Equatable, Codable {
    public var lessonCount: Int
    /// Mean of the lessons' label agreement.
    public var meanLabelAgreement: Double?
    /// Mean of the lessons' kind agreement.
    public var meanKindAgreement: Double?
    /// Mean of the lessons' transition F1 (each lesson weighs the same).
    public var meanTransitionF1: Double?
    /// F1 of all lessons' matches pooled (each transition weighs the same); 1 when no lesson has any
    /// transition.
    public var pooledTransitionF1: Double?
    /// Lessons whose bell was missed or extra.
    public var bellMisses: Int
    /// Over the lessons where both result and truth have a bell.
    public var meanBellErrorSeconds: Double?
    public var maxBellErrorSeconds: Double?
    /// Over the lessons whose latency error is defined.
    public var meanLatencyErrorSeconds: Double?
    public var maxLatencyErrorSeconds: Double?
    public var meanTimeOnTaskErrorPoints: Double?
    public var maxTimeOnTaskErrorPoints: Double?

    /// Aggregates per-lesson scores. Means of seconds and points are rounded to 0.01.
    public init(_ scores: [Score]) {
        lessonCount = scores.count
        meanLabelAgreement = mean(scores.map(\.labelAgreement))
        meanKindAgreement = mean(scores.map(\.kindAgreement))
        meanTransitionF1 = mean(scores.map(\.transitionF1))
        if scores.isEmpty {
            pooledTransitionF1 = nil
        } else {
            pooledTransitionF1 = TransitionMatch(
                resultCount: scores.map(\.transitions.resultCount).reduce(0, +),
                truthCount: scores.map(\.transitions.truthCount).reduce(0, +),
                matchedCount: scores.map(\.transitions.matchedCount).reduce(0, +)
            ).f1
        }
        bellMisses = scores.filter(\.bell.isMiss).count
        let bellErrors = scores.compactMap(\.bell.errorSeconds)
        meanBellErrorSeconds = mean(bellErrors).map(roundedTime)
        maxBellErrorSeconds = bellErrors.max()
        let latencyErrors = scores.compactMap(\.latencyErrorSeconds)
        meanLatencyErrorSeconds = mean(latencyErrors).map(roundedTime)
        maxLatencyErrorSeconds = latencyErrors.max()
        let totErrors = scores.map(\.timeOnTaskErrorPoints)
        meanTimeOnTaskErrorPoints = mean(totErrors).map(roundedTime)
        maxTimeOnTaskErrorPoints = totErrors.max()
    }

    public func encode(to encoder: any Encoder) throws {
        // `encode`, not `encodeIfPresent`, so that every key is present, null when undefined.
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(lessonCount, forKey: .lessonCount)
        try container.encode(meanLabelAgreement, forKey: .meanLabelAgreement)
        try container.encode(meanKindAgreement, forKey: .meanKindAgreement)
        try container.encode(meanTransitionF1, forKey: .meanTransitionF1)
        try container.encode(pooledTransitionF1, forKey: .pooledTransitionF1)
        try container.encode(bellMisses, forKey: .bellMisses)
        try container.encode(meanBellErrorSeconds, forKey: .meanBellErrorSeconds)
        try container.encode(maxBellErrorSeconds, forKey: .maxBellErrorSeconds)
        try container.encode(meanLatencyErrorSeconds, forKey: .meanLatencyErrorSeconds)
        try container.encode(maxLatencyErrorSeconds, forKey: .maxLatencyErrorSeconds)
        try container.encode(meanTimeOnTaskErrorPoints, forKey: .meanTimeOnTaskErrorPoints)
        try container.encode(maxTimeOnTaskErrorPoints, forKey: .maxTimeOnTaskErrorPoints)
    }
}

private func mean(_ values: [Double]) -> Double? {
    values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
}
