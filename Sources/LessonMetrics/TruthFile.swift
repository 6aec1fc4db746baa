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
