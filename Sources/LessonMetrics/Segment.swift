/// What the class is doing during a stretch of the lesson (the contract's `kind`).
public enum SegmentKind: String, Sendable, Codable, CaseIterable {
    case transition, instruction, independent, group, unknown

    /// `instruction`, `independent` and `group` are on task.
    public var isOnTask: Bool { self == .instruction || self == .independent || self == .group }
}

/// One stretch of the lesson: `[start, end)` in seconds from the start of the presentation.
public struct Segment: Sendable, Codable, Equatable {
    public var start: Double
    public var end: Double
    public var kind: SegmentKind
    /// 0...1; nil in ground-truth files that leave it out.
    public var confidence: Double?

    public init(start: Double, end: Double, kind: SegmentKind, confidence: Double? = nil) {
        self.start = start
        self.end = end
        self.kind = kind
        self.confidence = confidence
    }

    public var duration: Double { end - start }
}

/// Where the bell's time came from.
public enum BellSource: String, Sendable, Codable {
    case detected, given, schedule
}

/// The bell that starts the class.
/// A sound that may be the bell (the contract's `bellCandidates` items): when, how sure, and what it
/// sounded like (`electric`: a ring of dense partials high in the spectrum, as a clapper on a gong; `tone`: a
/// ring of a few fixed partials, as a chime, a buzzer or an electronic tone).
public struct BellCandidateReport: Sendable, Codable, Equatable {
    public var timeSeconds: Double
    public var confidence: Double
    public var kind: String?

    public init(timeSeconds: Double, confidence: Double, kind: String? = nil) {
        self.timeSeconds = timeSeconds
        self.confidence = confidence
        self.kind = kind
    }
}

public struct Bell: Sendable, Codable, Equatable {
    public var timeSeconds: Double
    /// nil in ground-truth files, which may carry the time alone.
    public var source: BellSource?
    public var confidence: Double?

    public init(timeSeconds: Double, source: BellSource? = nil, confidence: Double? = nil) {
        self.timeSeconds = timeSeconds
        self.source = source
        self.confidence = confidence
    }
}
