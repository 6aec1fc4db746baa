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

/// Which frames the video decoder drops, and which decoded frames the analysis leaves out. B-frames first when
/// allowed; if the I- and P-frames of the first `checkSeconds` come too sparsely for the analysis rate, the
/// decoder keeps B-frames again (dropping only frames nothing refers to) from the next key frame, so samples stay
/// evenly spaced. With `DecodeOptions.analyseSkippableFrames` off, a decoder that keeps those frames follows the
/// same rule for the analysis (counting only the frames it takes), so it leaves out what the skipping decoder
/// drops, from the very same key frame (`leavesOut`, `LeftOutFrames`).
struct FrameSkipPolicy {
    static let checkSeconds = 4.0
    let fallback: FrameSkip
    private(set) var current: FrameSkip
    /// Which frames the analysis leaves out (when the decoder skips them itself, there is none to leave out).
    private(set) var leavesOut: FrameSkip
    private let leavesOutAfterSwitch: FrameSkip
    /// The density check is done (or was never needed).
    private(set) var decided: Bool
    private let minimumRate: Double
    private var switchDue = false
    private var firstTime: Double? = nil
    private var framesSinceFirst = 0

    init(options: DecodeOptions) {
        fallback = options.skipNonReferenceFrames ? .nonReference : .none
        let sampled = options.videoSamplesPerSecond != nil
        let mirrors = sampled && !options.analyseSkippableFrames
        current = options.skipBidirectionalFrames && sampled ? .bidirectional : fallback
        leavesOut = current == .bidirectional || mirrors ? .bidirectional : .none
        // After the switch, frames nothing refers to, unless the decoder drops them itself.
        leavesOutAfterSwitch = mirrors && fallback != .nonReference ? .nonReference : .none
        decided = leavesOut != .bidirectional
        minimumRate = options.minimumPictureRateFactor * (options.videoSamplesPerSecond ?? 0)
    }

    /// The skip a decoder started now (a later stretch of the video) should use ...
    var settled: FrameSkip { switchDue ? fallback : current }
    /// ... and the frames its analysis leaves out.
    var settledLeavesOut: FrameSkip { switchDue ? leavesOutAfterSwitch : leavesOut }

    /// A frame at `t` was decoded (and not left out): true when this frame completes the density check.
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

    /// A packet is about to be decoded: the skip to apply from it on, when a switch is due and it is a key frame
    /// (from there the analysis leaves out frames nothing refers to, when it mirrors the skip).
    mutating func packet(isKey: Bool) -> FrameSkip? {
        guard switchDue && isKey else { return nil }
        switchDue = false
        leavesOut = leavesOutAfterSwitch
        guard current == .bidirectional else { return nil }
        current = fallback
        return current
    }
}

/// The frames a decoder that keeps them leaves out of the analysis (`FrameSkipPolicy.leavesOut`): each video
/// packet's rule when it was sent, and whether it held a picture nothing refers to, by timestamp (the decoder
/// hands a frame out with its packet's), for the last 64 packets; frames come out at most a few packets late.
struct LeftOutFrames {
    private var pts = [Int64](repeating: Int64.min, count: 64)
    private var rule = [FrameSkip](repeating: .none, count: 64)
    private var nonReference = [Bool](repeating: false, count: 64)
    private var next = 0

    /// A packet stamped `stamp` is sent while the analysis leaves out `leavesOut`; `nonReference` says whether
    /// it holds a picture nothing refers to (asked only when that matters).
    mutating func packet(stamp: Int64, leavesOut: FrameSkip, nonReference isNonReference: () -> Bool) {
        guard leavesOut != .none || pts[(next + 63) % 64] != Int64.min else { return }
        pts[next] = stamp
        rule[next] = leavesOut
        nonReference[next] = leavesOut == .nonReference && isNonReference()
        next = (next + 1) % 64
    }

    /// Whether the frame stamped `stamp` (a B-frame when `bidirectional`) is left out; a frame of no packet
    /// held goes by `leavesOut`, the rule now.
    func leaves(stamp: Int64, bidirectional: Bool, leavesOut: FrameSkip) -> Bool {
        var r = leavesOut, nonref = false
        if stamp != Int64.min, let i = pts.firstIndex(of: stamp) { (r, nonref) = (rule[i], nonReference[i]) }
        switch r {
        case .none: return false
        case .bidirectional: return bidirectional
        case .nonReference: return nonref
        }
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

    /// A key frame at `t` starts a group of pictures: the grid starts again there (`PictureSampler.anchor`).
    mutating func anchor(at t: Double) { sampler.anchor(at: t) }
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

/// What no lesson's recording exceeds: the decoder's timelines and a saved features file are held to it.
public enum LessonLimits {
    /// No lesson's recording lasts a day.
    public static let longestSeconds = 86_400.0
}

/// Keeps a stream's timestamps continuous. A frame far from where the stream is expected to go on (by more
/// than a minute and more than the media decoded so far, as in a damaged or spliced file) is a
/// discontinuity, not days of missing media: the stream goes on from where it was. So is a frame placed past
/// `longestSeconds`: damaged stamps that each double the time so far would otherwise pass one by one and grow
/// the per-step series without bound (a fuzzed MP4 asked for 438 MB that way).
struct TimelineGuard {
    /// The least jump taken for a discontinuity, in seconds.
    static let minimumJump = 60.0
    /// No lesson's recording lasts a day (`LessonLimits`; a features file longer is refused too).
    static let longestSeconds = LessonLimits.longestSeconds
    private(set) var shift = 0.0
    private(set) var jumps = 0

    /// The time of a frame stamped `t`, given where the stream was expected to go on (nil: anywhere).
    mutating func place(_ t: Double, expected: Double?) -> Double {
        let adjusted = t - shift
        guard let expected, abs(adjusted - expected) > max(Self.minimumJump, expected) || adjusted > Self.longestSeconds
        else { return adjusted }
        shift = t - expected
        jumps += 1
        return expected
    }
}

/// Key-frame bursts: in a video without B-frames whose key frames come often, the decoder gets each key frame
/// and the frames up to the analysis's `burstPictures`-th picture after it (`pictures` for each second
/// between key frames, rounded up: one pair of pictures at the usual lag a second, by default), and the rest
/// of the group of pictures is held back, undecoded; the next key frame
/// discards what was held. A chain of P-frames must be decoded whole to reach any of its pictures, so this is
/// what saves decoding there.
///
/// Decided per file on its first `trialSeconds` of video packets, all decoded: bursts when they came in
/// presentation order (no B-frames) and no two key frames were more than `maxKeyInterval` apart. Checked
/// on every later packet: when a group runs on past `maxKeyInterval` after its key frame, the held packets
/// grow past `maxHeldBytes`, or a packet comes out of presentation order (B-frames after all), what was held
/// is decoded after all (`release`) and everything is decoded from then on: nothing is lost, the pictures
/// from there are those of a full decode.
///
/// Times are packet times in seconds on the pictures' clock.
struct KeyframeBurstGate {
    enum State: Equatable {
        /// Still looking at the first packets (all decoded).
        case trial
        /// Decoding in bursts.
        case bursts
        /// Not (or no longer) in bursts: every packet is decoded.
        case off
    }

    /// What to do with a video packet.
    enum Verdict: Equatable {
        /// Decode it.
        case decode
        /// Decode it; the packets held before it are discarded undecoded (a key frame after a gap).
        case decodeAfterGap
        /// Hold it back (the caller keeps a reference until a later verdict says what to do).
        case hold
        /// Decode the held packets, then this one; bursts are over.
        case release
    }

    let rate: Double
    let pictures: Int
    /// Pictures per burst, once decided: `pictures` for each second (rounded up) between key frames.
    private(set) var burstPictures: Int
    let maxKeyInterval: Double
    let trialSeconds: Double
    let maxHeldBytes: Int
    /// How early a frame may come and still be the picture due at a time (`PictureSampler`'s tolerance).
    let tolerance: Double
    private(set) var state: State
    /// Packets discarded undecoded so far.
    private(set) var skippedPackets = 0
    /// Whether bursts were given up after they had started.
    private(set) var fellBack = false
    private var firstTime: Double? = nil
    private var lastTime: Double? = nil
    private var lastKey: Double? = nil
    private var longestKeyInterval = 0.0
    private var keys = 0
    private var burstEnd = Double.infinity
    private var holding = false
    private var heldBytes = 0, heldCount = 0

    /// `enabled` false: never bursts. `rate`: analysis pictures a second (nil: every frame, never bursts);
    /// `nominalFrameRate`: the stream's.
    init(enabled: Bool, rate: Double?, nominalFrameRate: Double, pictures: Int, maxKeyInterval: Double,
         trialSeconds: Double = FrameSkipPolicy.checkSeconds, maxHeldBytes: Int = 32 << 20) {
        self.rate = rate ?? 0
        self.pictures = max(1, pictures)
        burstPictures = self.pictures
        self.maxKeyInterval = maxKeyInterval
        self.trialSeconds = trialSeconds
        self.maxHeldBytes = maxHeldBytes
        tolerance = min(0.5 / max(nominalFrameRate, 1), 0.25 / max(rate ?? 1, 1e-9))
        state = enabled && rate != nil && maxKeyInterval > 0 ? .trial : .off
    }

    /// Whether the trial is over (bursts or not).
    var decided: Bool { state != .trial }

    /// A gate for a later stretch of the same video, which starts at a key frame: in bursts from there when
    /// this one is in bursts, else off.
    func forLaterStretch() -> KeyframeBurstGate {
        var g = self
        g.state = state == .bursts ? .bursts : .off
        (g.skippedPackets, g.fellBack, g.firstTime, g.lastTime, g.lastKey) = (0, false, nil, nil, nil)
        (g.burstEnd, g.holding, g.heldBytes, g.heldCount) = (.infinity, false, 0, 0)
        return g
    }

    /// The earliest time a frame can be the last picture a burst from a key frame at `key` needs: the
    /// `pictures`-th point of the sampler's grid, which starts again at each key frame
    /// (`PictureSampler.anchor`), less the tolerance.
    func burstEnd(key: Double) -> Double {
        guard rate > 0 else { return key }
        return key + Double(burstPictures - 1) / rate - tolerance
    }

    /// A video packet at `time` (nil: unstamped), a key frame or not, `bytes` long.
    mutating func packet(isKey: Bool, time: Double?, bytes: Int) -> Verdict {
        guard state != .off else { return .decode }
        // Out of presentation order: B-frames (or a damaged stream). Unstamped packets cannot be placed.
        let reordered = time == nil || lastTime.map { time! <= $0 } == true
        let t = time ?? lastTime ?? 0
        if !reordered { lastTime = t }
        if state == .trial {
            if firstTime == nil { firstTime = t }
            if reordered { state = .off; return .decode }
            if isKey {
                if let lastKey { longestKeyInterval = max(longestKeyInterval, t - lastKey) }
                lastKey = t
                keys += 1
            }
            if t - firstTime! >= trialSeconds {
                let sinceKey = lastKey.map { t - $0 } ?? .infinity
                // The group under way is decoded whole (burstEnd stays infinite): bursts start at the next key frame.
                let interval = max(longestKeyInterval, sinceKey)
                state = keys >= 2 && interval <= maxKeyInterval ? .bursts : .off
                // Sparser key frames, longer bursts: about as many of the steps measured.
                if state == .bursts { burstPictures = pictures * max(1, Int((interval - 0.05).rounded(.up))) }
            }
            return .decode
        }
        // In bursts.
        if reordered || (!isKey && (lastKey.map { t - $0 > maxKeyInterval } ?? false)) { return giveUp() }
        if isKey {
            let gap = heldCount > 0
            skippedPackets += heldCount
            (holding, heldBytes, heldCount) = (false, 0, 0)
            lastKey = t
            burstEnd = burstEnd(key: t)
            return gap ? .decodeAfterGap : .decode
        }
        if holding {
            heldBytes += bytes
            heldCount += 1
            return heldBytes > maxHeldBytes ? giveUp() : .hold
        }
        // The first frame at or after the burst's end is its last picture: decoded, and the rest held.
        if t >= burstEnd { holding = true }
        return .decode
    }

    /// Bursts are over: the held packets (if any) are to be decoded before this one.
    private mutating func giveUp() -> Verdict {
        let held = heldCount > 0
        state = .off
        fellBack = true
        (holding, heldBytes, heldCount) = (false, 0, 0)
        return held ? .release : .decode
    }
}

/// Where key-frame bursts left gaps: the times of the key frames that ended them. The first analysis picture
/// at or after such a time follows a gap (frames a decoder still held from before are not mistaken for it).
struct GapMarks {
    private var times: [Double] = []
    private var first = 0

    mutating func gap(endingAt t: Double) { times.append(t) }

    /// Whether a picture at `t` is the first since a gap ended (each gap marks one picture).
    mutating func picture(at t: Double) -> Bool {
        var marked = false
        while first < times.count && times[first] <= t + 0.0005 {
            first += 1
            marked = true
        }
        if first > 64 { times.removeFirst(first); first = 0 }
        return marked
    }
}

/// Which decoded frames start a group of pictures: a key frame that follows other frames. The picture grid
/// starts again there and the frame is the group's first picture (`LumaFrame.afterKey`). In a stream of key
/// frames only (intra-only), none after the first starts one, since nothing starts there.
struct KeyMarks {
    private var otherFrameSince = true

    /// A decoded frame; true when it starts a group.
    mutating func frame(isKey: Bool) -> Bool {
        defer { otherFrameSince = !isKey }
        return isKey && otherFrameSince
    }
}
