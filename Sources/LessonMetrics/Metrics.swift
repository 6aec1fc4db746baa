/// The contract's figures for one lesson, measured over its class window.
///
/// The window runs from the bell (0 without one) to the end of the recording, and only the parts of
/// segments inside it count. Encodes every field, `bellToWorkSeconds` as `null` when there is no bell.
public struct Metrics: Sendable, Equatable, Codable {
    /// The start of the class window: the bell's time, or 0 without a bell.
    public var classStartSeconds: Double
    /// The end of the class window: the end of the recording.
    public var classEndSeconds: Double
    /// The window's length.
    public var classSeconds: Double
    /// Seconds of the window in on-task segments (`instruction`, `independent`, `group`).
    public var onTaskSeconds: Double
    /// `100 × onTaskSeconds / classSeconds`; 0 when the window has no length.
    public var timeOnTaskPercent: Double
    /// Transition segments that overlap the window by more than an instant.
    public var transitionCount: Int
    /// Seconds of the window in transition segments.
    public var transitionSeconds: Double
    /// Mean length of the transitions' parts inside the window; 0 when there are none.
    public var meanTransitionSeconds: Double
    /// Longest of the transitions' parts inside the window; 0 when there are none.
    public var longestTransitionSeconds: Double
    /// Seconds from the bell until the class settles to work; nil without a bell.
    public var bellToWorkSeconds: Double?

    /// The settle interval the contract uses by default, and always for ground truth.
    public static let defaultSettleSeconds: Double = 30

    public init(
        classStartSeconds: Double, classEndSeconds: Double, classSeconds: Double,
        onTaskSeconds: Double, timeOnTaskPercent: Double,
        transitionCount: Int, transitionSeconds: Double,
        meanTransitionSeconds: Double, longestTransitionSeconds: Double,
        bellToWorkSeconds: Double?
    ) {
        self.classStartSeconds = classStartSeconds
        self.classEndSeconds = classEndSeconds
        self.classSeconds = classSeconds
        self.onTaskSeconds = onTaskSeconds
        self.timeOnTaskPercent = timeOnTaskPercent
        self.transitionCount = transitionCount
        self.transitionSeconds = transitionSeconds
        self.meanTransitionSeconds = meanTransitionSeconds
        self.longestTransitionSeconds = longestTransitionSeconds
        self.bellToWorkSeconds = bellToWorkSeconds
    }

    /// Measures a lesson exactly as the contract defines its metrics.
    ///
    /// - Parameters:
    ///   - segments: the lesson's segments, in any order; they should not overlap one another.
    ///   - bell: the bell's time in seconds, or nil when there is none. A bell outside
    ///     `[0, duration]` is clamped into it.
    ///   - duration: the length of the recording; the window ends here.
    ///   - settleSeconds: how long the class must stay free of `transition` and `unknown` segments
    ///     to count as settled. Must be positive.
    /// - Returns: every figure computed from the unrounded inputs, then rounded to 0.01.
    ///   Without a bell, `bellToWorkSeconds` is nil. When the class never settles before the end of
    ///   the recording, `bellToWorkSeconds` is `classEndSeconds − bell`.
    public static func compute(
        segments: [Segment], bell: Double?, duration: Double,
        settleSeconds: Double = Metrics.defaultSettleSeconds
    ) -> Metrics {
        precondition(settleSeconds > 0, "settleSeconds must be positive")
        let window = ClassWindow(bell: bell, duration: duration)

        var onTask = 0.0
        var transitionParts: [Double] = []
        for segment in segments {
            let inside = window.overlap(segment.start, segment.end)
            guard inside > 0 else { continue }
            if segment.kind.isOnTask { onTask += inside }
            if segment.kind == .transition { transitionParts.append(inside) }
        }
        let transitionTotal = transitionParts.reduce(0, +)
        let percent = window.length > 0 ? 100 * onTask / window.length : 0

        return Metrics(
            classStartSeconds: roundedTime(window.start),
            classEndSeconds: roundedTime(window.end),
            classSeconds: roundedTime(window.length),
            onTaskSeconds: roundedTime(onTask),
            timeOnTaskPercent: roundedTime(percent),
            transitionCount: transitionParts.count,
            transitionSeconds: roundedTime(transitionTotal),
            meanTransitionSeconds: transitionParts.isEmpty
                ? 0 : roundedTime(transitionTotal / Double(transitionParts.count)),
            longestTransitionSeconds: roundedTime(transitionParts.max() ?? 0),
            bellToWorkSeconds: bell == nil
                ? nil : roundedTime(settleTime(segments, window: window, settleSeconds: settleSeconds))
        )
    }

    /// Seconds from the window's start (the bell) to the earliest `t` at or after it such that
    /// `[t, t + settleSeconds)` holds no `transition` or `unknown` segment.
    ///
    /// The earliest such `t` is the bell itself or the end of a blocking segment, so only those are
    /// tried. Blocking segments are cut to the window: past the end of the recording counts as clear.
    private static func settleTime(
        _ segments: [Segment], window: ClassWindow, settleSeconds: Double
    ) -> Double {
        let blocking: [(start: Double, end: Double)] = segments.compactMap { segment in
            guard segment.kind == .transition || segment.kind == .unknown else { return nil }
            let start = max(segment.start, window.start)
            let end = min(segment.end, window.end)
            return start < end ? (start, end) : nil
        }
        let candidates = [window.start] + blocking.map(\.end).sorted()
        for t in candidates {
            let clear = blocking.allSatisfy { $0.end <= t || $0.start >= t + settleSeconds }
            if clear { return t - window.start }
        }
        // Unreachable while the last blocking end is a candidate; kept as the contract's fallback.
        return window.length
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(roundedTime(classStartSeconds), forKey: .classStartSeconds)
        try container.encode(roundedTime(classEndSeconds), forKey: .classEndSeconds)
        try container.encode(roundedTime(classSeconds), forKey: .classSeconds)
        try container.encode(roundedTime(onTaskSeconds), forKey: .onTaskSeconds)
        try container.encode(roundedTime(timeOnTaskPercent), forKey: .timeOnTaskPercent)
        try container.encode(transitionCount, forKey: .transitionCount)
        try container.encode(roundedTime(transitionSeconds), forKey: .transitionSeconds)
        try container.encode(roundedTime(meanTransitionSeconds), forKey: .meanTransitionSeconds)
        try container.encode(roundedTime(longestTransitionSeconds), forKey: .longestTransitionSeconds)
        // `encode`, not `encodeIfPresent`: the contract requires the key, with null when there is no bell.
        try container.encode(bellToWorkSeconds.map(roundedTime), forKey: .bellToWorkSeconds)
    }
}
