/// A stretch of bright (bell-band) sound that might be a bell, with what it sounded like.
public struct BellCandidate: Sendable, Codable, Equatable {
    /// Seconds from the start of the presentation to the first bright frame.
    public var start: Double
    /// Seconds to the end of the last bright frame.
    public var end: Double
    /// Share (0...1) of the frames between start and end that were bright.
    public var brightShare: Double
    /// Mean rise of the bell band over its noise floor, dB.
    public var meanRiseDb: Double
    /// Mean of bell band minus voice band, dB.
    public var meanTiltDb: Double
    /// Mean purity (share of the bell band in its strongest partial).
    public var meanPurity: Double
    /// Share (0...1) of the frames between start and end that were bright and within `bellSustainDb` of
    /// the ring's loud level (its 90th percentile): a bell holds its level, beeps and voices come and go.
    public var sustainShare: Double
    /// Slope of the bell-band level over the ring, dB per second (a struck ding fades fast).
    public var slopeDbPerSecond: Double
    /// For a ring of fixed partials in the voice band (a chime, a buzzer; found by `TonalTracker`): the mean
    /// number of persistent partials it held at once, and then `meanRiseDb` is how far it rose over the
    /// room just before it. 0 for a ring found in the bell band.
    public var meanPartials: Double
    /// How much the bell-band level swings at a syllable's pace over the ring: the mean absolute
    /// difference (dB) between its mean over consecutive blocks of about 64 ms. A bell (struck or electronic)
    /// holds its level, a clapper's strikes averaging out within a block; chatter rises and falls 4–8 times a
    /// second. 0 for a ring found by `TonalTracker`.
    public var levelSwingDb: Double
    /// Mean share (0...1) of the bell band's energy in persistent partials (`TonalTracker`) over the ring's
    /// bright frames: a bell's partials hold their place, chatter's and laughter's do not. 0 for a ring
    /// found by `TonalTracker`.
    public var stableShare: Double
    /// Mean of how much further the bell band rose over its floor than the voice band rose over its own, dB,
    /// over the ring's bright frames: a bell lifts the bell band far more than the voices; a burst of voices or
    /// laughter lifts both. 0 for a ring found by `TonalTracker`.
    public var excessRiseDb: Double
    /// Mean harmonicity (`SpectralFrame.harmonicity`) of the ring's bright frames: high for voices and
    /// laughter, low for a bell. 0 for a ring found by `TonalTracker`.
    public var harmonicity: Double
    /// How sharply it began, dB: for a ring in the bell band, the band's mean level over the ring's first 64 ms
    /// against the 64 ms before it (a bell or a struck note jumps; chatter swells). 0 for a ring of partials.
    public var onsetDb: Double
    /// For a ring of fixed partials: the longest any one partial held, seconds (a chime's note or a tone
    /// generator holds; a voice's vowel moves on). 0 for a ring found in the bell band.
    public var holdSeconds: Double
    /// What the ring added to the room, band by band (`AddedSound`, `BandPowers.edgesHz`): each band's share
    /// (0...1) of the added power ...
    public var addedShares: [Double]
    /// ... and how much it added over the room, dB.
    public var addedDb: Double
    /// What its own spectral lines say against the room (`SpectrumRing.describe`).
    public var lines: LineDescriptors
    /// True for a ring of fixed partials found in the finer spectrum (`BellTrackerSettings.fineFftSize`), judged by
    /// its own trees (`BellModel.fine`); nil for the other trackers' (and in features files saved before it).
    public var fineLines: Bool?

    public init(start: Double, end: Double, brightShare: Double, meanRiseDb: Double, meanTiltDb: Double,
                meanPurity: Double, sustainShare: Double, slopeDbPerSecond: Double, meanPartials: Double = 0,
                levelSwingDb: Double = 0, stableShare: Double = 0, excessRiseDb: Double = 0, harmonicity: Double = 0,
                onsetDb: Double = 0, holdSeconds: Double = 0, addedShares: [Double] = [], addedDb: Double = 0,
                lines: LineDescriptors = LineDescriptors(), fineLines: Bool? = nil) {
        self.lines = lines
        self.fineLines = fineLines
        self.addedShares = addedShares
        self.addedDb = addedDb
        self.onsetDb = onsetDb
        self.holdSeconds = holdSeconds
        self.meanPartials = meanPartials
        self.harmonicity = harmonicity
        self.excessRiseDb = excessRiseDb
        self.stableShare = stableShare
        self.levelSwingDb = levelSwingDb
        self.start = start
        self.end = end
        self.brightShare = brightShare
        self.meanRiseDb = meanRiseDb
        self.meanTiltDb = meanTiltDb
        self.meanPurity = meanPurity
        self.sustainShare = sustainShare
        self.slopeDbPerSecond = slopeDbPerSecond
    }

    public var duration: Double { end - start }
}

/// A running low percentile of levels over the last few seconds: a fixed ring of quantised levels and
/// their histogram (1 dB bins), with a cursor on the percentile's bin that moves a bin or two per update,
/// so each update and query costs a fixed, small amount and allocates nothing.
struct LevelFloor {
    static let lowestDb = -140.0
    static let binCount = 170
    private var ring: [Int16]
    private var next = 0
    private var filled = 0
    private var histogram: [Int32]
    private let percentile: Double
    private let minimumCount: Int
    /// The bin the percentile was last found in, and how many levels held lie in bins below it.
    private var cursor = 0
    private var below: Int32 = 0

    init(capacity: Int, percentile: Double, minimumCount: Int) {
        ring = [Int16](repeating: 0, count: max(1, capacity))
        histogram = [Int32](repeating: 0, count: Self.binCount)
        self.percentile = percentile
        self.minimumCount = max(1, minimumCount)
    }

    /// The percentile of the levels held (the centre of its 1 dB bin), or nil until `minimumCount` are held.
    var value: Double? {
        mutating get {
            guard filled >= minimumCount else { return nil }
            let target = Int32(max(1, Int((Double(filled) * percentile).rounded(.up))))
            // Move the cursor to the lowest bin whose cumulative count reaches the target.
            while cursor > 0 && below >= target {
                cursor -= 1
                below -= histogram[cursor]
            }
            while cursor < Self.binCount - 1 && below + histogram[cursor] < target {
                below += histogram[cursor]
                cursor += 1
            }
            return Self.lowestDb + Double(cursor) + 0.5
        }
    }

    /// The histogram bin of a level.
    static func bin(_ db: Double) -> Int {
        Int(min(Double(binCount - 1), max(0, (db - lowestDb).rounded(.down))))
    }

    mutating func push(_ db: Double) {
        let bin = Int16(Self.bin(db))
        if filled == ring.count {
            let old = Int(ring[next])
            histogram[old] -= 1
            if old < cursor { below -= 1 }
        } else {
            filled += 1
        }
        ring[next] = bin
        histogram[Int(bin)] += 1
        if Int(bin) < cursor { below += 1 }
        next = (next + 1) % ring.count
    }
}

/// Follows spectral frames as they arrive: keeps noise floors of the bell band and the voice band over
/// the last few seconds, marks bright frames, and turns runs of them into `BellCandidate`s. Memory is
/// fixed; nothing grows but the list of candidates.
///
/// A frame is bright when the bell band rises `bellRiseDb` over its floor and either stands no more than
/// `-bellMinTiltDb` below the voice band, or rose at least as much as the voice band did (a bell heard
/// through a teacher's voice); phones and voices rise far more below 2 kHz than above. Inside an open run
/// that so far sounds like a bell, a frame also counts when it rises only `bellHoldRiseDb` and stands no
/// more than `-bellMinTiltDb` below the voice band: a faint rattle's level dips between the clapper's strikes.
struct BellTracker {
    private let config: SegmentationConfig
    private let frameSeconds: Double
    private let hopSeconds: Double
    private var bellFloor: LevelFloor
    private var voiceFloor: LevelFloor
    // The open run.
    private var runOpen = false
    private var runStart = 0.0
    private var lastBright = 0.0
    private var brightCount = 0
    private var sumRise = 0.0, sumTilt = 0.0, sumPurity = 0.0, sumStable = 0.0, sumExcess = 0.0, sumHarmonic = 0.0
    private var sumT = 0.0, sumTT = 0.0, sumL = 0.0, sumTL = 0.0
    private var runLevels: [Int32]     // histogram of the bright frames' levels, 1 dB bins
    // Steadiness: the last 2 × `swingBlock` bell-band levels (a ring) and the swing summed over the run's
    // frames (pending: since its last bright frame, counted only if the run goes on).
    static let swingBlock = 4
    private var recentLevels = [Double](repeating: 0, count: 2 * BellTracker.swingBlock)
    private var recentCount = 0
    private var swingSum = 0.0, swingCount = 0, pendingSwing = 0.0, pendingSwingCount = 0
    // The onset: the bell band's mean over the block before the run, and over the run's first block.
    private var beforeRun = 0.0, firstBlockSum = 0.0, firstBlockCount = 0
    private(set) var candidates: [BellCandidate] = []
    // The warm-up (nil once judged): held frames, how many to hold, and the bright ones once judged.
    private struct Held { var frame: SpectralFrame; var time: Double; var stableShare: Double; var harmonicity: Double
                          var bands: BandPowers }
    private var added: AddedSound
    private var warmup: [Held]? = []
    private let warmupFrames: Int
    private var warmupBright: [Double] = []

    init(config: SegmentationConfig, frameSeconds: Double, hopSeconds: Double) {
        self.config = config
        self.frameSeconds = frameSeconds
        self.hopSeconds = hopSeconds
        let capacity = max(8, Int((config.bellTracker.bellFloorSeconds / hopSeconds).rounded()))
        let minimum = max(4, Int((1.0 / hopSeconds).rounded()))
        warmupFrames = capacity
        added = AddedSound(seconds: 2, hopSeconds: hopSeconds)
        warmup?.reserveCapacity(capacity)
        bellFloor = LevelFloor(capacity: capacity, percentile: config.bellTracker.bellFloorPercentile, minimumCount: minimum)
        voiceFloor = LevelFloor(capacity: capacity, percentile: config.bellTracker.bellFloorPercentile, minimumCount: minimum)
        runLevels = [Int32](repeating: 0, count: LevelFloor.binCount)
    }

    /// Takes the frame starting at `time`, with the frame's own harmonicity; returns whether it was bright.
    @discardableResult
    mutating func consume(_ frame: SpectralFrame, at time: Double, stableShare: Double = 0,
                          bands: BandPowers = BandPowers()) -> Bool {
        consume(frame, at: time, stableShare: stableShare, bands: bands, harmonicity: { frame.harmonicity })
    }

    /// Takes the frame starting at `time`; returns whether it was bright. `harmonicity` is asked only of
    /// bright frames (it costs the most to measure), except in the warm-up. Allocates nothing after the warm-up.
    ///
    /// The warm-up: the first `bellFloorSeconds` of frames are held back (false is returned for them) until
    /// the floors hold them all, and then judged against those floors: a bell ringing from the first sample
    /// (teachers start recording when it rings) is measured against the room after it, not against itself.
    /// Their brightness is then given by `takeWarmupBright`.
    @discardableResult
    mutating func consume(_ frame: SpectralFrame, at time: Double, stableShare: Double, bands: BandPowers = BandPowers(),
                          harmonicity: () -> Double) -> Bool {
        if warmup != nil {
            warmup!.append(Held(frame: frame, time: time, stableShare: stableShare, harmonicity: harmonicity(), bands: bands))
            if warmup!.count >= warmupFrames { replayWarmup() }
            return false
        }
        return process(frame, at: time, stableShare: stableShare, bands: bands, harmonicity: harmonicity, push: true)
    }

    /// The frames held in the warm-up: into the floors first, then judged against them.
    private mutating func replayWarmup() {
        guard let held = warmup else { return }
        warmup = nil
        for h in held {
            bellFloor.push(h.frame.bellDb)
            voiceFloor.push(h.frame.voiceDb)
        }
        for h in held where process(h.frame, at: h.time, stableShare: h.stableShare, bands: h.bands,
                                     harmonicity: { h.harmonicity }, push: false) {
            warmupBright.append(h.time)
        }
    }

    /// The start times of the warm-up's frames found bright when it was replayed (each given once).
    mutating func takeWarmupBright() -> [Double] {
        defer { warmupBright = [] }
        return warmupBright
    }

    private mutating func process(_ frame: SpectralFrame, at time: Double, stableShare: Double, bands: BandPowers,
                                  harmonicity: () -> Double, push: Bool) -> Bool {
        var bright = false
        let block = Self.swingBlock
        let (recentMean, swing) = noteLevel(frame.bellDb)
        if let floor = bellFloor.value, let vFloor = voiceFloor.value {
            let rise = frame.bellDb - floor
            let voiceRise = frame.voiceDb - vFloor
            let tilt = frame.bellDb - frame.voiceDb
            if runOpen && time - lastBright - frameSeconds > config.bellTracker.bellGapSeconds { closeRun() }
            let audible = frame.bellDb > config.features.silenceDb
            bright = audible && rise >= config.bellTracker.bellRiseDb
                && (tilt >= config.bellTracker.bellMinTiltDb || rise >= voiceRise - config.bellTracker.bellMaskingMarginDb)
            // Held: a weaker frame continues an open run that so far sounds like a bell (its mean tilt
            // passes `bellMinMeanTiltDb`), and only when the bell band dominates the frame.
            if !bright && runOpen && sumTilt >= config.bellTracker.bellMinMeanTiltDb * Double(brightCount) {
                bright = audible && rise >= config.bellTracker.bellHoldRiseDb && tilt >= config.bellTracker.bellMinTiltDb
            }
            // An onset inside a run: the bell band jumps well above the run's level so far (a bell rung
            // into the chatter that opened the run). The run so far ends there and a new one starts at the
            // block where the jump began, so the bell is dated and measured on its own.
            if bright && runOpen, let recentMean, brightCount > 0,
               time - runStart >= config.bellTracker.bellOnsetMinRunSeconds,
               recentMean - sumL / Double(brightCount) >= config.bellTracker.bellOnsetJumpDb {
                splitAtOnset(frame.bellDb, at: time, recentMean: recentMean)
            }
            if bright {
                if !runOpen {
                    runOpen = true
                    runStart = time
                    resetRun()
                    beforeRun = blockBefore(frame.bellDb)
                }
                added.add(bands)
                if firstBlockCount < block {
                    firstBlockSum += frame.bellDb
                    firstBlockCount += 1
                }
                if let swing { pendingSwing += swing; pendingSwingCount += 1 }
                swingSum += pendingSwing; swingCount += pendingSwingCount
                pendingSwing = 0; pendingSwingCount = 0
                runLevels[LevelFloor.bin(frame.bellDb)] += 1
                lastBright = time
                brightCount += 1
                sumRise += rise
                sumTilt += tilt
                sumPurity += frame.purity
                sumStable += stableShare
                sumExcess += rise - voiceRise
                sumHarmonic += harmonicity()
                let t = time - runStart
                sumT += t; sumTT += t * t; sumL += frame.bellDb; sumTL += t * frame.bellDb
            } else if runOpen, let swing {
                pendingSwing += swing; pendingSwingCount += 1
            }
            if !runOpen { added.room(bands) }
        }
        if push {
            bellFloor.push(frame.bellDb)
            voiceFloor.push(frame.voiceDb)
        }
        return bright
    }

    /// Closes a run still open at the end of the audio (after judging a warm-up that the audio did not outlast).
    mutating func finish() {
        replayWarmup()
        if runOpen { closeRun() }
    }

    /// Holds the frame's bell-band level; returns the mean of the last block of levels (for onsets) and the
    /// swing (that mean against the block before it), each nil until enough levels are held.
    private mutating func noteLevel(_ db: Double) -> (recentMean: Double?, swing: Double?) {
        let block = Self.swingBlock
        recentLevels[recentCount % (2 * block)] = db
        recentCount += 1
        guard recentCount >= block else { return (nil, nil) }
        var newer = 0.0
        for j in 0..<block { newer += recentLevels[(recentCount - 1 - j) % (2 * block)] }
        guard recentCount >= 2 * block else { return (newer / Double(block), nil) }
        var older = 0.0
        for j in 0..<block { older += recentLevels[(recentCount - 1 - block - j) % (2 * block)] }
        return (newer / Double(block), abs(newer - older) / Double(block))
    }

    /// The open run ends where the jump began (a block before this frame at `time`) and a new one starts there.
    private mutating func splitAtOnset(_ db: Double, at time: Double, recentMean: Double) {
        let block = Self.swingBlock
        let onset = max(runStart, time - Double(block - 1) * hopSeconds)
        closeRun(endingAt: onset)
        runOpen = true
        runStart = onset
        resetRun()
        // The jump began a block ago: its first block is the last one, the one before it the level before.
        beforeRun = recentCount >= 2 * block ? olderBlockMean() : db
        firstBlockSum = recentMean * Double(block) - db
        firstBlockCount = block - 1
    }

    /// The mean bell-band level of the block before the current frame (the current one alone when there is none).
    private func blockBefore(_ current: Double) -> Double {
        let block = Self.swingBlock
        guard recentCount > block else { return current }
        var sum = 0.0
        for j in 1...block { sum += recentLevels[(recentCount - 1 - j) % (2 * block)] }
        return sum / Double(block)
    }

    /// The mean of the older of the two blocks held.
    private func olderBlockMean() -> Double {
        let block = Self.swingBlock
        var sum = 0.0
        for j in 0..<block { sum += recentLevels[(recentCount - 1 - block - j) % (2 * block)] }
        return sum / Double(block)
    }

    private mutating func resetRun() {
        firstBlockSum = 0; firstBlockCount = 0
        added.start()
        brightCount = 0
        sumRise = 0; sumTilt = 0; sumPurity = 0; sumStable = 0; sumExcess = 0; sumHarmonic = 0
        sumT = 0; sumTT = 0; sumL = 0; sumTL = 0
        for b in 0..<runLevels.count { runLevels[b] = 0 }
        swingSum = 0; swingCount = 0; pendingSwing = 0; pendingSwingCount = 0
    }

    /// Ends the open run (at the end of its last bright frame, or at `endingAt` when an onset cuts it) and
    /// keeps it as a candidate if it is long enough.
    private mutating func closeRun(endingAt cut: Double? = nil) {
        runOpen = false
        let end = cut.map { min($0, lastBright + frameSeconds) } ?? (lastBright + frameSeconds)
        guard end - runStart >= config.bellTracker.bellMinSeconds, brightCount > 1 else { return }
        let n = Double(brightCount)
        let shape = added.measure
        let denominator = n * sumTT - sumT * sumT
        let slope = denominator > 0 ? (n * sumTL - sumT * sumL) / denominator : 0
        let spanned = ((lastBright - runStart) / hopSeconds).rounded() + 1
        // The loud level (90th percentile of the bright frames) and how many frames held near it.
        let target = Int32((0.9 * n).rounded(.up))
        var seen: Int32 = 0
        var loud = 0
        for b in 0..<runLevels.count {
            seen += runLevels[b]
            if seen >= target { loud = b; break }
        }
        let lowest = max(0, loud - Int(config.bellTracker.bellSustainDb.rounded()))
        var sustained: Int32 = 0
        for b in lowest..<runLevels.count { sustained += runLevels[b] }
        candidates.append(BellCandidate(start: runStart, end: end, brightShare: min(1, n / spanned),
                                        meanRiseDb: sumRise / n, meanTiltDb: sumTilt / n, meanPurity: sumPurity / n,
                                        sustainShare: min(1, Double(sustained) / spanned), slopeDbPerSecond: slope,
                                        levelSwingDb: swingCount > 0 ? swingSum / Double(swingCount) : 0,
                                        stableShare: sumStable / n, excessRiseDb: sumExcess / n,
                                        harmonicity: sumHarmonic / n,
                                        onsetDb: firstBlockCount > 0 ? firstBlockSum / Double(firstBlockCount) - beforeRun : 0,
                                        addedShares: shape.shares, addedDb: shape.addedDb))
    }
}
