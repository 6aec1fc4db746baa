import Foundation

/// What a bell candidate is judged by: the inputs of the bell classifier (a logistic regression fitted by
/// `scripts/fit_bells.py` on the bell library, `make fixtures-bell-library`). Each input is a measure that
/// means the same in any room: durations, shares, dB differences against the room's own floor, shapes.
/// `--bell-candidates` writes exactly these numbers, so the fit and the detector read the same inputs.
public enum BellModel: String, Sendable, CaseIterable {
    /// A ring found in the bell band (`BellTracker`): electric bells, buzzers' upper harmonics, rattles.
    case band
    /// A ring of fixed partials in the voice band (`TonalTracker`): chimes, tone generators, buzzers.
    case tonal
    /// A ring of fixed partials in the finer spectrum (`TonalTracker` over `fineFftSize` frames): the same measures,
    /// at a finer resolution in frequency and coarser in time, so judged apart; a far bell's partials under chatter.
    case fine

    public static func of(_ candidate: BellCandidate) -> BellModel {
        candidate.fineLines == true ? .fine : candidate.meanPartials > 0 ? .tonal : .band
    }

    /// The inputs' names, in order (the `input.` columns of `--bell-candidates`).
    public var inputNames: [String] {
        switch self {
        case .band: ["seconds", "rise", "tilt", "purity", "bright", "sustain", "slope", "swing", "stable", "excess",
                     "harmonicity", "onset", "after", "repeats"] + Self.shapeNames + Self.lineNames
        case .tonal, .fine: ["seconds", "rise", "partials", "partialSeconds", "hold", "slope", "after", "repeats"] + Self.shapeNames
            + Self.lineNames
        }
    }

    /// What the ring added to the room (`AddedSound`): dB over the room, then each band's share.
    static let shapeNames = ["added", "share125", "share250", "share500", "share1k", "share2k", "share3k", "share4k5", "share6k",
                             "share8k", "share11k"]

    /// What its own lines say (`LineDescriptors`).
    static let lineNames = ["lineShare", "lineRise", "lineSteady", "lineHold", "lineHz", "lineCount"]

    /// The inputs of `c` in its surroundings (`BellContext.surroundings`). Each is bounded, so no single
    /// extreme measure can outvote the rest.
    public static func inputs(_ c: BellCandidate, _ around: BellSurroundings = BellSurroundings()) -> [Double] {
        let seconds = log(max(0.1, c.duration))
        let after = clamp(around.followingRiseDb / 10, -4, 4)
        let repeats = Double(min(3, max(0, around.repeats))) / 3
        switch of(c) {
        case .band:
            return [seconds, clamp(c.meanRiseDb / 10, 0, 6), clamp(c.meanTiltDb / 10, -4, 4), clamp(c.meanPurity, 0, 1),
                    clamp(c.brightShare, 0, 1), clamp(c.sustainShare, 0, 1), clamp(c.slopeDbPerSecond / 10, -6, 6),
                    clamp(c.levelSwingDb / 10, 0, 2), clamp(c.stableShare, 0, 1), clamp(c.excessRiseDb / 10, -4, 6),
                    clamp(c.harmonicity, -1, 1), clamp(c.onsetDb / 10, -2, 6), after, repeats] + shape(c) + lines(c)
        case .tonal, .fine:
            return [seconds, clamp(c.meanRiseDb / 10, -4, 6), clamp(c.meanPartials, 0, 8),
                    log(max(0.1, c.meanPartials * c.duration)), log(max(0.1, c.holdSeconds)),
                    clamp(c.slopeDbPerSecond / 10, -6, 6), after, repeats] + shape(c) + lines(c)
        }
    }

    /// `lineNames`' inputs of `c`: shares, dB over the room and frame-to-frame moves in tens of dB, the strongest
    /// line's octave from 1 kHz (-3 when no line was measured), and the lines' count over `maxLines`.
    static func lines(_ c: BellCandidate) -> [Double] {
        let l = c.lines
        return [clamp(l.share, 0, 1, else: 0), clamp(l.riseDb / 10, -1, 6, else: -1), clamp(l.steadyDb / 10, 0, 2, else: 0),
                clamp(l.hold, 0, 1, else: 0), l.hz > 0 ? clamp(log2(l.hz / 1000), -3, 4, else: -3) : -3,
                Double(min(l.count, SpectrumRing.maxLines)) / Double(SpectrumRing.maxLines)]
    }

    /// `x` within `lo...hi`; `otherwise` (0 unless said) when it is not a number.
    static func clamp(_ x: Double, _ lo: Double, _ hi: Double, else otherwise: Double = 0) -> Double {
        x.isFinite ? min(hi, max(lo, x)) : otherwise
    }

    /// `shapeNames`' inputs of `c`: nothing added reads as -6 (-60 dB) and no shares.
    static func shape(_ c: BellCandidate) -> [Double] {
        let shares = c.addedShares.count == BandPowers.count ? c.addedShares.map { min(1, max(0, $0.isFinite ? $0 : 0)) }
            : [Double](repeating: 0, count: BandPowers.count)
        let added = c.addedDb.isFinite ? min(6, max(-6, c.addedDb / 10)) : 0
        return [added] + shares
    }
}

/// What surrounds a candidate (`BellContext.surroundings`).
public struct BellSurroundings: Sendable, Equatable {
    /// `BellContext.followingRise`, dB.
    public var followingRiseDb: Double
    /// How many other candidates like it (`BellContext.repeats`).
    public var repeats: Int

    public init(followingRiseDb: Double = 0, repeats: Int = 0) {
        self.followingRiseDb = followingRiseDb
        self.repeats = repeats
    }
}

/// What the sound around a candidate says: a class bell is followed by the room settling or going on as
/// before; a PA chime is followed by one amplified voice talking for many seconds.
public struct BellContext: Sendable {
    let voiceDb: [Double?]
    let stepSeconds: Double

    public init(voiceDb: [Double?], stepSeconds: Double) {
        self.voiceDb = voiceDb
        self.stepSeconds = stepSeconds
    }

    /// No context (every `followingRise` is 0).
    public static let none = BellContext(voiceDb: [], stepSeconds: 1)

    /// What surrounds candidate `index` of `candidates`.
    public func surroundings(of index: Int, in candidates: [BellCandidate]) -> BellSurroundings {
        BellSurroundings(followingRiseDb: followingRise(candidates[index]), repeats: Self.repeats(of: index, in: candidates))
    }

    /// How many other candidates found the same way start within 30 s of candidate `index` and last between
    /// 2/3 and 3/2 of its length: a phone rings again and again, an alarm beeps on; a class bell rings once.
    public static func repeats(of index: Int, in candidates: [BellCandidate]) -> Int {
        let c = candidates[index]
        let model = BellModel.of(c)
        return candidates.indices.filter { j in
            let o = candidates[j]
            return j != index && BellModel.of(o) == model && abs(o.start - c.start) <= 30
                && o.duration >= c.duration * 2 / 3 && o.duration <= c.duration * 3 / 2
                && !(o.start < c.end && c.start < o.end)
        }.count
    }

    /// How much louder (dB) the voice band is in the 10 s after the candidate (from 1 s after its end) than in
    /// the 10 s before it (up to 1 s before its start): medians over steps; 0 when either side is not heard.
    public func followingRise(_ c: BellCandidate) -> Double {
        guard let after = median(from: c.end + 1, to: c.end + 11),
              let before = median(from: c.start - 11, to: c.start - 1) else { return 0 }
        return after - before
    }

    private func median(from: Double, to: Double) -> Double? {
        guard stepSeconds > 0, !voiceDb.isEmpty else { return nil }
        let a = max(0, Int((from / stepSeconds).rounded(.down)))
        let b = min(voiceDb.count, Int((to / stepSeconds).rounded(.up)))
        guard a < b else { return nil }
        let values = voiceDb[a..<b].compactMap { $0 }.sorted()
        guard values.count * 2 >= b - a, !values.isEmpty else { return nil }
        return values[values.count / 2]
    }
}

/// A fitted ensemble of small regression trees (gradient boosting with the logistic loss): the sum of one leaf
/// value per tree, plus a base, is the log-odds that a candidate is a bell. Trees can say "a bell's partials
/// hold their place, or its band stands far over the voices and is no comb of harmonics" (a rule a weighted sum
/// cannot), and each tree is small (depth 2), so the whole stays smooth. The nodes are flat arrays: node `i` is
/// a leaf when `feature[i]` is -1 (its value `value[i]`), otherwise it sends `x[feature[i]] <= threshold[i]`
/// to `left[i]` and the rest to `right[i]`. `roots` holds each tree's first node.
/// Gradient-boosted decision trees as flat arrays: node `k` splits on input `feature[k]` at `threshold[k]`
/// (at or below: `left[k]`), or is a leaf (`feature[k]` -1) adding `value[k]` to the log-odds.
public struct BoostedTrees: Sendable, Equatable, Codable {
    public let base: Double
    public let roots: [Int]
    public let feature: [Int]
    public let threshold: [Double]
    public let left: [Int]
    public let right: [Int]
    public let value: [Double]

    public init(base: Double, roots: [Int], feature: [Int], threshold: [Double], left: [Int], right: [Int], value: [Double]) {
        precondition([threshold.count, left.count, right.count, value.count].allSatisfy { $0 == feature.count })
        self.base = base
        self.roots = roots
        self.feature = feature
        self.threshold = threshold
        self.left = left
        self.right = right
        self.value = value
    }

    /// Read from a file (a fit's trees): every array as long as `feature`, every root a node, every split's
    /// children after it (so a walk ends), every number finite and every leaf within ±1000: else an error, never a
    /// trap or a walk without end in `logOdds`.
    public init(from decoder: Decoder) throws {
        enum Keys: String, CodingKey { case base, roots, feature, threshold, left, right, value }
        let c = try decoder.container(keyedBy: Keys.self)
        let (base, roots, feature) = (try c.decode(Double.self, forKey: .base), try c.decode([Int].self, forKey: .roots),
                                      try c.decode([Int].self, forKey: .feature))
        let (threshold, left, right, value) = (try c.decode([Double].self, forKey: .threshold), try c.decode([Int].self, forKey: .left),
                                               try c.decode([Int].self, forKey: .right), try c.decode([Double].self, forKey: .value))
        let n = feature.count
        let nodes = 0..<n
        let fine = [threshold.count, left.count, right.count, value.count].allSatisfy { $0 == n }
            && base.isFinite && roots.allSatisfy { nodes.contains($0) }
            && nodes.allSatisfy { k in
                threshold[k].isFinite && value[k].isFinite && abs(value[k]) <= 1000
                    && (feature[k] == -1 || (feature[k] >= 0 && left[k] > k && left[k] < n && right[k] > k && right[k] < n))
            }
        guard fine else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a well-formed set of boosted trees"))
        }
        self.init(base: base, roots: roots, feature: feature, threshold: threshold, left: left, right: right, value: value)
    }

    /// The largest input index a split reads (-1: none).
    public var largestInput: Int { feature.max() ?? -1 }

    /// A file's sets of trees (`ScoreTrees`, `KindTrees`) that split only on the `count` inputs they are given: else
    /// a decoding error naming `what` they are, never an index out of range when they are walked.
    static func requireInputs(of sets: [BoostedTrees], below count: Int, _ what: String, _ decoder: Decoder) throws {
        guard sets.map(\.largestInput).max() ?? -1 < count else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "a split reads an input \(what) do not have"))
        }
    }

    /// The log-odds for inputs `x`.
    public func logOdds(_ x: [Double]) -> Double {
        var sum = base
        for root in roots {
            var node = root
            while feature[node] >= 0 {
                node = x[feature[node]] <= threshold[node] ? left[node] : right[node]
            }
            sum += value[node]
        }
        return sum
    }

    /// The probability for inputs `x`.
    public func probability(_ x: [Double]) -> Double {
        1 / (1 + exp(-min(30, max(-30, logOdds(x)))))
    }
}

extension BellModel {
    /// The fitted trees of this model (`BellTrees.swift`).
    public var trees: BoostedTrees {
        switch self {
        case .band: BellTrees.band
        case .tonal: BellTrees.tonal
        case .fine: BellTrees.fine
        }
    }
}
