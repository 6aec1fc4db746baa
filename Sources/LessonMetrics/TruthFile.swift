/// What a lesson holds, as a ground-truth file (`*.truth.json`) records it.
///
/// A result decodes as a truth file too (its extra fields are ignored), so the scorer reads either.
/// Bells may carry `timeSeconds` alone and segments may leave out `confidence`. Decoding accepts only
/// `schemaVersion` 1. Encodes `bell` as `null` when there is none and leaves out `notes` when nil.
public struct TruthFile: Sendable, Equatable, Codable {
    /// Always ``AnalysisResult/currentSchemaVersion``.
    public var schemaVersion: Int { AnalysisResult.currentSchemaVersion }
    public var durationSeconds: Double
    /// The bell that starts the class, or nil when there is none.
    public var bell: Bell?
    public var segments: [Segment]
    /// For ground truth, computed from `bell` and `segments` with `settleSeconds` 30.
    public var metrics: Metrics
    /// What the lesson shows, in words.
    public var notes: String?

    public init(durationSeconds: Double, bell: Bell?, segments: [Segment], metrics: Metrics, notes: String? = nil) {
        self.durationSeconds = durationSeconds
        self.bell = bell
        self.segments = segments
        self.metrics = metrics
        self.notes = notes
    }

    /// A truth file whose metrics are computed from its bell and segments, as the contract requires
    /// (with `settleSeconds` 30).
    public init(durationSeconds: Double, bell: Bell?, segments: [Segment], notes: String? = nil) {
        let metrics = Metrics.compute(segments: segments, bell: bell?.timeSeconds, duration: durationSeconds)
        self.init(durationSeconds: durationSeconds, bell: bell, segments: segments, metrics: metrics, notes: notes)
    }

    /// The parts of a result that a truth file holds.
    public init(_ result: AnalysisResult) {
        self.init(
            durationSeconds: result.durationSeconds, bell: result.bell, segments: result.segments,
            metrics: result.metrics)
    }

    private enum CodingKeys: String, CodingKey {
        case schemaVersion, durationSeconds, bell, segments, metrics, notes
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try checkSchemaVersion(in: container, key: .schemaVersion)
        durationSeconds = try container.decode(Double.self, forKey: .durationSeconds)
        bell = try container.decodeIfPresent(Bell.self, forKey: .bell)
        segments = try container.decode([Segment].self, forKey: .segments)
        metrics = try container.decode(Metrics.self, forKey: .metrics)
        notes = try container.decodeIfPresent(String.self, forKey: .notes)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(schemaVersion, forKey: .schemaVersion)
        try container.encode(roundedTime(durationSeconds), forKey: .durationSeconds)
        try container.encode(bell?.withRoundedTime, forKey: .bell)  // null when there is no bell
        try container.encode(segments.map(\.withRoundedTimes), forKey: .segments)
        try container.encode(metrics, forKey: .metrics)
        try container.encodeIfPresent(notes, forKey: .notes)
    }
}

extension TruthFile {
    /// The longest lesson a truth or result may describe: a day. Scoring samples the window every 0.1 s,
    /// so a duration of 1e308 (or an ELAN time of 2^63 − 1 ms) would never finish.
    public static let longestLessonSeconds = 86_400.0

    /// Why this file cannot be scored, or nil when it can: every time must be a number from 0 to a day
    /// (a segment's end not before its start, the duration above 0), `timeOnTaskPercent` from 0 to 100,
    /// `bellToWorkSeconds` from 0 to a day.
    public var problem: String? {
        if let problem = Self.timesProblem(durationSeconds: durationSeconds, bell: bell, segments: segments) { return problem }
        guard metrics.timeOnTaskPercent.isFinite, (0...100).contains(metrics.timeOnTaskPercent) else {
            return "timeOnTaskPercent \(metrics.timeOnTaskPercent) is not a percentage from 0 to 100"
        }
        if let latency = metrics.bellToWorkSeconds, !(latency.isFinite && latency >= 0 && latency <= Self.longestLessonSeconds) {
            return "bellToWorkSeconds \(latency) is not a time from 0 to a day"
        }
        return nil
    }

    /// The times' part of `problem`, to check before metrics are computed from them.
    public static func timesProblem(durationSeconds: Double, bell: Bell?, segments: [Segment]) -> String? {
        let day = longestLessonSeconds
        func isTime(_ t: Double) -> Bool { t.isFinite && t >= 0 && t <= day }
        guard isTime(durationSeconds), durationSeconds > 0 else {
            return "durationSeconds \(durationSeconds) is not a lesson's length (more than 0 s, at most a day)"
        }
        if let bell, !isTime(bell.timeSeconds) {
            return "the bell's time \(bell.timeSeconds) is not a time from 0 to a day"
        }
        if let bad = segments.first(where: { !isTime($0.start) || !isTime($0.end) || $0.end < $0.start }) {
            return "a segment from \(bad.start) to \(bad.end) is not within 0 to a day, start before end"
        }
        return nil
    }
}

extension AnalysisResult {
    /// What makes a saved result unusable for `render` (times that are not a lesson's, figures that are not
    /// numbers), or nil: a result edited or damaged by hand gets one line, never a trap.
    public var problem: String? {
        let day = TruthFile.longestLessonSeconds
        if let problem = TruthFile.timesProblem(durationSeconds: durationSeconds, bell: bell, segments: segments) { return problem }
        let m = metrics
        let times = [m.classStartSeconds, m.classEndSeconds, m.classSeconds, m.onTaskSeconds, m.transitionSeconds,
                     m.meanTransitionSeconds, m.longestTransitionSeconds] + (m.bellToWorkSeconds.map { [$0] } ?? [])
            + bellCandidates.map(\.timeSeconds) + warnings.compactMap(\.atSeconds)
        if let bad = times.first(where: { !($0.isFinite && $0 >= 0 && $0 <= day) }) { return "a time of \(bad) s is not within a day" }
        guard m.timeOnTaskPercent.isFinite, (0...100).contains(m.timeOnTaskPercent), m.transitionCount >= 0 else {
            return "its figures are not a lesson's"
        }
        // Analysis steps are tenths of seconds to seconds (features.stepSeconds); a step far outside that is not one.
        if let s = signals, !(s.stepSeconds.isFinite && s.stepSeconds >= 0.01 && s.stepSeconds <= 60) {
            return "its signals' step \(s.stepSeconds) is not a time"
        }
        return nil
    }
}
