/// The contract's accuracy measures: how closely a result matches a lesson's ground truth.
///
/// Everything is measured on the truth's class window (its bell, or 0, to its `durationSeconds`), with
/// segments reduced to two labels: transition, and everything else. In that reduction, transition
/// segments that touch or overlap merge into one transition, and any stretch no segment covers is
/// "everything else".
public enum Accuracy {
    /// Label agreement samples the window at the middle of each 0.1 s step: `start + 0.05 + k × 0.1`
    /// for k = 0, 1, … while the point is before the window's end.
    public static let sampleStepSeconds = 0.1

    /// A result transition matches a true one when their intersection over union is at least this.
    public static let matchingIoU = 0.5

    /// Scores a result, or any lesson in truth-file shape, against the ground truth.
    ///
    /// Transitions are clipped to the truth's window before matching. Matching is greedy: pairs with
    /// an intersection over union of at least 0.5 are taken best first (ties by earlier result, then
    /// earlier truth), each transition used once. Bell, latency and time-on-task errors compare the
    /// two files' own bells and metrics, and are rounded to 0.01.
    public static func score(result: TruthFile, truth: TruthFile) -> Score {
        let window = ClassWindow(bell: truth.bell?.timeSeconds, duration: truth.durationSeconds)
        let found = transitionRuns(result.segments, in: window)
        let expected = transitionRuns(truth.segments, in: window)

        let bell: BellOutcome = switch (result.bell, truth.bell) {
        case (nil, nil): .noBell
        case (nil, .some): .missed
        case (.some, nil): .extra
        case (.some(let got), .some(let want)):
            .found(errorSeconds: roundedTime(abs(got.timeSeconds - want.timeSeconds)))
        }
        var latencyError: Double?
        if let got = result.metrics.bellToWorkSeconds, let want = truth.metrics.bellToWorkSeconds {
            latencyError = roundedTime(abs(got - want))
        }

        return Score(
            labelAgreement: labelAgreement(found, expected, in: window),
            transitions: TransitionMatch(
                resultCount: found.count, truthCount: expected.count,
                matchedCount: matchCount(found, expected)),
            bell: bell,
            latencyErrorSeconds: latencyError,
            timeOnTaskErrorPoints: roundedTime(
                abs(result.metrics.timeOnTaskPercent - truth.metrics.timeOnTaskPercent)),
            kindAgreement: kindAgreement(result.segments, truth.segments, in: window)
        )
    }

    /// Scores an analysis result against the ground truth.
    public static func score(result: AnalysisResult, truth: TruthFile) -> Score {
        score(result: TruthFile(result), truth: truth)
    }

    /// The measures over many lessons.
    public static func aggregate(_ scores: [Score]) -> AggregateScore {
        AggregateScore(scores)
    }

    /// A stretch labelled transition: `[start, end)`.
    struct Run: Equatable {
        var start: Double
        var end: Double
        var length: Double { end - start }
    }

    /// The transition stretches inside the window, sorted, with touching or overlapping ones merged.
    static func transitionRuns(_ segments: [Segment], in window: ClassWindow) -> [Run] {
        let clipped = segments
            .filter { $0.kind == .transition }
            .map { Run(start: max($0.start, window.start), end: min($0.end, window.end)) }
            .filter { $0.start < $0.end }
            .sorted { $0.start < $1.start }
        var runs: [Run] = []
        for run in clipped {
            if let last = runs.last, run.start <= last.end {
                runs[runs.count - 1].end = max(last.end, run.end)
            } else {
                runs.append(run)
            }
        }
        return runs
    }

    /// Share of sample points where both label sets agree; 1 when the window holds no sample point.
    static func labelAgreement(_ found: [Run], _ expected: [Run], in window: ClassWindow) -> Double {
        var foundCursor = RunCursor(found)
        var expectedCursor = RunCursor(expected)
        var agreeing = 0
        let samples = forEachSample(in: window) { t in
            if foundCursor.contains(t) == expectedCursor.contains(t) { agreeing += 1 }
        }
        return samples == 0 ? 1 : Double(agreeing) / Double(samples)
    }

    /// Calls `body` at each sample point of the window, in order (the middle of every `sampleStepSeconds`);
    /// returns how many there were.
    static func forEachSample(in window: ClassWindow, _ body: (Double) -> Void) -> Int {
        var samples = 0
        while true {
            // Multiplied, not accumulated, so that rounding error does not drift along a long lesson.
            let t = window.start + (Double(samples) + 0.5) * sampleStepSeconds
            guard t < window.end else { break }
            samples += 1
            body(t)
        }
        return samples
    }

    /// Share of sample points where the two lessons' kinds (all five) agree; 1 when the window holds none.
    static func kindAgreement(_ found: [Segment], _ expected: [Segment], in window: ClassWindow) -> Double {
        var foundCursor = KindCursor(found), expectedCursor = KindCursor(expected)
        var agreeing = 0
        let samples = forEachSample(in: window) { t in
            if foundCursor.kind(at: t) == expectedCursor.kind(at: t) { agreeing += 1 }
        }
        return samples == 0 ? 1 : Double(agreeing) / Double(samples)
    }

    /// Answers "which kind is at t?" for increasing t (nil where no segment is).
    struct KindCursor {
        let segments: [Segment]
        var index = 0

        init(_ segments: [Segment]) { self.segments = segments.sorted { $0.start < $1.start } }

        mutating func kind(at t: Double) -> SegmentKind? {
            while index < segments.count, segments[index].end <= t { index += 1 }
            return index < segments.count && segments[index].start <= t ? segments[index].kind : nil
        }
    }

    /// Answers "is t inside a run?" for increasing t, walking sorted, disjoint runs once.
    private struct RunCursor {
        let runs: [Run]
        var index = 0

        init(_ runs: [Run]) { self.runs = runs }

        mutating func contains(_ t: Double) -> Bool {
            while index < runs.count, runs[index].end <= t { index += 1 }
            return index < runs.count && runs[index].start <= t
        }
    }

    /// How many result runs match a true run, greedily by best intersection over union.
    static func matchCount(_ found: [Run], _ expected: [Run]) -> Int {
        var pairs: [(iou: Double, found: Int, expected: Int)] = []
        for (i, a) in found.enumerated() {
            for (j, b) in expected.enumerated() {
                let iou = intersectionOverUnion(a, b)
                if iou >= matchingIoU { pairs.append((iou, i, j)) }
            }
        }
        pairs.sort { ($0.iou, $1.found, $1.expected) > ($1.iou, $0.found, $0.expected) }
        var usedFound = Set<Int>()
        var usedExpected = Set<Int>()
        for pair in pairs where !usedFound.contains(pair.found) && !usedExpected.contains(pair.expected) {
            usedFound.insert(pair.found)
            usedExpected.insert(pair.expected)
        }
        return usedFound.count
    }

    static func intersectionOverUnion(_ a: Run, _ b: Run) -> Double {
        let intersection = max(0, min(a.end, b.end) - max(a.start, b.start))
        let union = a.length + b.length - intersection
        return union > 0 ? intersection / union : 0
    }
}

/// How two codings of a lesson's kinds agree, sample by sample (every `Accuracy.sampleStepSeconds` of the
/// truth's class window, as kind agreement samples it): the confusion matrix, truth's kind by the result's
/// ("none" where no segment is), and Cohen's kappa, the agreement beyond what the two codings' own shares of
/// each kind would give by chance. Matrices of several lessons add up (pooled).
public struct KindConfusion: Sendable, Equatable {
    /// The labels of the rows and columns: the five kinds, then "none".
    public static let labels = SegmentKind.allCases.map(\.rawValue) + ["none"]
    /// `samples[truth][result]`: how many sample points had that pair.
    public private(set) var samples: [[Int]]

    public init() {
        samples = Array(repeating: Array(repeating: 0, count: Self.labels.count), count: Self.labels.count)
    }

    /// The matrix of `result` against `truth`.
    public init(result: TruthFile, truth: TruthFile) {
        self.init()
        let window = ClassWindow(bell: truth.bell?.timeSeconds, duration: truth.durationSeconds)
        var found = Accuracy.KindCursor(result.segments), expected = Accuracy.KindCursor(truth.segments)
        func index(_ kind: SegmentKind?) -> Int { kind.flatMap { SegmentKind.allCases.firstIndex(of: $0) } ?? Self.labels.count - 1 }
        _ = Accuracy.forEachSample(in: window) { t in
            samples[index(expected.kind(at: t))][index(found.kind(at: t))] += 1
        }
    }

    /// The sum of two matrices.
    public static func + (a: KindConfusion, b: KindConfusion) -> KindConfusion {
        var sum = a
        for r in 0..<labels.count { for c in 0..<labels.count { sum.samples[r][c] += b.samples[r][c] } }
        return sum
    }

    /// The matrix in seconds.
    public var seconds: [[Double]] { samples.map { $0.map { Double($0) * Accuracy.sampleStepSeconds } } }

    /// Cohen's kappa, (observed − chance) / (1 − chance); nil when chance agreement is 1 (one label only) or
    /// there are no samples.
    public var kappa: Double? {
        let total = Double(samples.joined().reduce(0, +))
        guard total > 0 else { return nil }
        let n = Self.labels.count
        let observed = Double((0..<n).map { samples[$0][$0] }.reduce(0, +)) / total
        var chance = 0.0
        for k in 0..<n {
            let row = Double(samples[k].reduce(0, +)), column = Double((0..<n).map { samples[$0][k] }.reduce(0, +))
            chance += (row / total) * (column / total)
        }
        guard chance < 1 else { return nil }
        return (observed - chance) / (1 - chance)
    }
}
