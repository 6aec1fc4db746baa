/// The small decisions of a decode pass, each on its own and testable without a file: where audio samples
/// lie in time, which frames the video decoder may skip, which pictures are taken, when progress is told.

/// The audio's clock: each emitted sample's time is the first frame's timestamp plus the samples emitted
/// since, so a gap in the audio becomes silence (later samples keep their times) and samples before the
/// presentation's start (priming, pre-roll) are dropped.
struct AudioClock {
    let rate: Double
    private(set) var start: Double? = nil
    private(set) var samplesOut = 0

    init(rate: Double) { self.rate = rate }

    /// The time of the next sample; nil before the first frame.
    var now: Double? { start.map { $0 + Double(samplesOut) / rate } }

    /// A frame stamped `t` (nil: unstamped, it continues the clock) arrives: nil when it cannot be placed
    /// (no time and no clock yet), else the silent samples owed before it (a gap of over a quarter second).
    mutating func frame(at t: Double?) -> Int? {
        guard let t = t ?? now else { return nil }
        guard let now else {
            start = t
            return 0
        }
        let gap = ((t - now) * rate).rounded()
        guard gap > (rate / 4).rounded(.down) else { return 0 }
        return Int(min(gap, Double(Int.max / 2)))
    }

    /// `count` silent samples are emitted: the time of the first.
    mutating func silence(_ count: Int) -> Double {
        let time = now ?? 0
        samplesOut += count
        return time
    }

    /// `count` decoded samples are about to be emitted: how many to skip from the front (before time 0),
    /// how many to emit and the first one's time; nil when none is to be emitted.
    mutating func emit(_ count: Int) -> (skip: Int, count: Int, time: Double)? {
        guard count > 0, let start else { return nil }
        var skip = 0
        let first = start + Double(samplesOut) / rate
        if first < 0 {
            skip = min(count, Int((-first * rate).rounded()))
            samplesOut += skip
        }
        let n = count - skip
        guard n > 0 else { return nil }
        let time = start + Double(samplesOut) / rate
        samplesOut += n
        return (skip, n, time)
    }
}

/// Which frames the video decoder drops. B-frames first when allowed; if the I- and P-frames of the first
/// `checkSeconds` come too sparsely for the analysis rate, the decoder keeps B-frames again (dropping only
/// frames nothing refers to) from the next key frame, so samples stay evenly spaced.
struct FrameSkipPolicy {
    static let checkSeconds = 4.0
    let fallback: FrameSkip
    private(set) var current: FrameSkip
    /// The density check is done (or was never needed).
    private(set) var decided: Bool
    private let minimumRate: Double
    private var switchDue = false
    private var firstTime: Double? = nil
    private var framesSinceFirst = 0

    init(options: DecodeOptions) {
        fallback = options.skipNonReferenceFrames ? .nonReference : .none
        current = options.skipBidirectionalFrames && options.videoSamplesPerSecond != nil ? .bidirectional : fallback
        decided = current != .bidirectional
        minimumRate = options.minimumPictureRateFactor * (options.videoSamplesPerSecond ?? 0)
    }

    /// The skip a decoder started now (a later stretch of the video) should use.
    var settled: FrameSkip { switchDue ? fallback : current }

    /// A frame at `t` was decoded: true when this frame completes the density check.
    mutating func decoded(at t: Double) -> Bool {
        guard !decided else { return false }
        guard let first = firstTime else {
            firstTime = t
            return false
        }
        framesSinceFirst += 1
        guard t - first >= Self.checkSeconds else { return false }
        decided = true
        if Double(framesSinceFirst) / (t - first) < minimumRate { switchDue = true }
        return true
    }

    /// A packet is about to be decoded: the skip to apply from it on, when a switch is due and it is a key frame.
    mutating func packet(isKey: Bool) -> FrameSkip? {
        guard switchDue && isKey else { return nil }
        switchDue = false
        current = fallback
        return current
    }
}

/// Which decoded frames become analysis pictures: in time order, from `from` on, on the sampler's grid.
struct PictureLane {
    let from: Double
    private var sampler: PictureSampler
    /// The time of the last picture taken.
    private(set) var lastTime = -Double.infinity

    init(from: Double, rate: Double?, nominalFrameRate: Double) {
        self.from = from
        sampler = PictureSampler(rate: rate, nominalFrameRate: nominalFrameRate)
    }

    /// A frame at `t` is in order: at or after `from` (half a millisecond's slack) and after the last picture.
    func inOrder(_ t: Double) -> Bool { t >= from - 0.0005 && t > lastTime }

    /// Whether the in-order frame at `t` is taken as a picture.
    mutating func take(_ t: Double) -> Bool {
        guard sampler.take(t) else { return false }
        lastTime = t
        return true
    }
}

/// Tells progress about once a second of media.
struct ProgressClock {
    private var next = 1.0

    /// Whether `done` seconds should be told now.
    mutating func due(_ done: Double) -> Bool {
        guard done >= next else { return false }
        next = done.rounded(.down) + 1
        return true
    }
}

/// Keeps a stream's timestamps continuous. A frame far from where the stream is expected to go on (by more
/// than a minute and more than the media decoded so far, as in a damaged or spliced file) is a
/// discontinuity, not days of missing media: the stream goes on from where it was.
struct TimelineGuard {
    /// The least jump taken for a discontinuity, in seconds.
    static let minimumJump = 60.0
    private(set) var shift = 0.0
    private(set) var jumps = 0

    /// The time of a frame stamped `t`, given where the stream was expected to go on (nil: anywhere).
    mutating func place(_ t: Double, expected: Double?) -> Double {
        let adjusted = t - shift
        guard let expected, abs(adjusted - expected) > max(Self.minimumJump, expected) else { return adjusted }
        shift = t - expected
        jumps += 1
        return expected
    }
}
