import Foundation

/// Follows power spectra as they arrive and finds rings of fixed partials in the voice band: a struck
/// chime's notes (each a few partials that hold their frequency while they fade) or a buzzer's steady
/// harmonic series. Speech and laughter have partials too, but their pitch moves, so no partial stays in
/// one place for long. Memory is fixed; nothing grows but the list of candidates.
///
/// A bin holds a partial in a frame when it is a local maximum standing `tonalPeakDb` over the bins two
/// away (the zeros of the Hann window's main lobe, and the valleys between a buzzer's harmonics). A partial
/// is persistent once it (or a neighbouring bin) has held for `tonalPersistSeconds` (and until it has held
/// longer than `bellMaxSeconds`: then it is the room's hum). A ring is a stretch of
/// frames with persistent partials, gaps up to `tonalGapSeconds` bridged, dated from when its first partial
/// appeared; it must be new (louder than the room just before it: a phone melody's fading tail is not) and
/// is described by its length and how many partials it held at once.
///
/// The same partials are followed up through the bell band, where each frame's `bellStableShare` tells how
/// much of the bell band's energy sits in persistent partials: a bell's fixed partials (and a clapper's
/// rattle on them) hold their place; chatter, laughter and footsteps do not.
struct TonalTracker {
    private let config: SegmentationConfig
    private let frameSeconds: Double
    private let hopSeconds: Double
    private let low: Int, high: Int
    /// The bell band's bins, and the highest bin scanned for partials (the larger of both bands' tops).
    private let bellLow: Int, bellHigh: Int, scanHigh: Int
    /// Share (0...1) of the last frame's bell-band energy in persistent partials.
    private(set) var bellStableShare = 0.0
    private let persistFrames: Int32
    /// A partial held longer than a bell rings is the room's own (a hum, a fan) and no longer counts.
    private let longestFrames: Int32
    private let gapFrames: Int
    private let peakRatio: Float
    private let rangeRatio: Float
    private let scale: Double
    private var run: [Int32]
    private var peak: [Bool]
    // The line-rise test (`tonalLineRiseDb`): each bin's smoothed level and its slow floor, and the
    // smoothing factors (per frame) for the level, the floor going up, and going down.
    private var smooth: [Float]
    private var lineFloor: [Float]
    private let lineRatio: Float
    private let smoothAlpha: Float, upAlpha: Float, downAlpha: Float
    /// The band level (dB) of recent frames, a ring.
    private var history: [Double]
    private var frameIndex = 0
    // The open ring.
    private var open = false
    private var start = 0.0
    private var lastTonal = 0
    private var lastTonalTime = 0.0
    private var frames = 0, partialSum = 0
    private var onsetRiseDb = 0.0
    private var longestHeld: Int32 = 0
    private var added: AddedSound
    private var sumT = 0.0, sumTT = 0.0, sumL = 0.0, sumTL = 0.0
    private var maxDb = -200.0
    private(set) var candidates: [BellCandidate] = []

    /// Whether it follows the finer spectrum (`fineFftSize`): its candidates are marked `fineLines`.
    private let fine: Bool
    /// How many bins away the sides a peak must stand over lie: two in the coarse frames (the zeros of the Hann
    /// window's main lobe); about 31 Hz in the finer ones, where a clapper's 20-30 strikes a second spread each
    /// partial over the bins between.
    private let side: Int

    /// The tracker of the spectral frames (`fftSize` samples every `fftHop`), over the tonal band, that also follows
    /// partials up through the bell band (`bellStableShare`).
    init(config: SegmentationConfig, size: Int, sampleRate: Int, windowEnergy: Double) {
        self.init(config: config, size: size, hop: config.features.fftHop, sampleRate: sampleRate, windowEnergy: windowEnergy,
                  band: config.bellTracker.tonalBandLowHz...config.bellTracker.tonalBandHighHz, fine: false)
    }

    /// A tracker of frames of `size` samples every `hop` over `band` (Hz); `fine`: the finer spectrum's, which leaves
    /// the bell band alone.
    init(config: SegmentationConfig, size: Int, hop: Int, sampleRate: Int, windowEnergy: Double, band: ClosedRange<Double>,
         fine: Bool) {
        self.config = config
        self.fine = fine
        frameSeconds = Double(size) / Double(sampleRate)
        hopSeconds = Double(hop) / Double(sampleRate)
        let binHz = Double(sampleRate) / Double(size)
        side = fine ? max(2, Int((31.25 / binHz).rounded())) : 2
        low = max(side + 1, min(size / 2 - side - 2, Int((band.lowerBound / binHz).rounded())))
        high = max(low + 1, min(size / 2 - side - 1, Int((band.upperBound / binHz).rounded())))
        if fine {
            // No bell band: the coarse tracker's share is the one the band tracker reads.
            bellLow = low
            bellHigh = low
        } else {
            bellLow = max(3, min(size / 2 - 4, Int((config.bellTracker.bellBandLowHz / binHz).rounded())))
            bellHigh = max(bellLow + 1, min(size / 2 - 3, Int((config.bellTracker.bellBandHighHz / binHz).rounded())))
        }
        scanHigh = max(high, bellHigh)
        persistFrames = Int32(max(2, Int((config.bellTracker.tonalPersistSeconds / hopSeconds).rounded())))
        longestFrames = Int32(max(Int(persistFrames), Int((config.bellTracker.bellMaxSeconds / hopSeconds).rounded())))
        gapFrames = max(1, Int((config.bellTracker.tonalGapSeconds / hopSeconds).rounded()))
        peakRatio = Float(pow(10, config.bellTracker.tonalPeakDb / 10))
        rangeRatio = Float(pow(10, -config.bellTracker.tonalPartialRangeDb / 10))
        scale = 2 / (Double(size) * windowEnergy)
        run = [Int32](repeating: 0, count: size / 2 + 1)
        peak = [Bool](repeating: false, count: size / 2 + 1)
        added = AddedSound(seconds: 2, hopSeconds: hopSeconds)
        smooth = [Float](repeating: 0, count: size / 2 + 1)
        lineFloor = [Float](repeating: 0, count: size / 2 + 1)
        lineRatio = config.bellTracker.tonalLineRiseDb > 0 ? Float(pow(10, config.bellTracker.tonalLineRiseDb / 10)) : 0
        let hop = hopSeconds
        func alpha(_ seconds: Double) -> Float { Float(1 - exp(-hop / max(hop, seconds))) }
        smoothAlpha = alpha(0.1)
        upAlpha = alpha(config.bellTracker.tonalLineFloorSeconds)
        downAlpha = alpha(config.bellTracker.tonalLineFloorSeconds / 4)
        history = [Double](repeating: config.features.silenceDb, count: 128)
    }

    private func db(_ e: Double) -> Double { e > 0 ? max(config.features.silenceDb - 30, 10 * log10(e * scale)) : config.features.silenceDb - 30 }

    /// Takes the power spectrum of the frame starting at `time`. Allocates nothing.
    mutating func consume(_ power: UnsafeBufferPointer<Float>, at time: Double, bands: BandPowers = BandPowers()) {
        let p = power.baseAddress!
        let (low, high, bellLow, bellHigh, scanHigh) = (self.low, self.high, self.bellLow, self.bellHigh, self.scanHigh)
        let (persistFrames, longestFrames) = (self.persistFrames, self.longestFrames)
        let scanLow = min(low, bellLow)
        let (band, strongest) = markPeaks(p, from: scanLow)
        if lineRatio > 0 { markNewLines(p, from: scanLow, to: scanHigh) }
        let floor = strongest * rangeRatio
        var tonal: Float = 0
        var partials = 0
        var longest: Int32 = 0
        var bellBand: Float = 0, bellStable: Float = 0
        peak.withUnsafeMutableBufferPointer { peak in
            run.withUnsafeMutableBufferPointer { run in
                for k in scanLow..<scanHigh where peak[k] && p[k] < floor { peak[k] = false }
                for k in scanLow..<scanHigh {
                    if peak[k] || peak[k - 1] || peak[k + 1] { run[k] += 1 } else { run[k] = 0 }
                    let persistent = peak[k] && run[k] >= persistFrames && run[k] <= longestFrames
                    if k >= low && k < high && persistent {
                        tonal += p[k - 1] + p[k] + p[k + 1]
                        partials += 1
                        longest = max(longest, run[k])
                    }
                    if k >= bellLow && k < bellHigh {
                        bellBand += p[k]
                        if persistent { bellStable += p[k - 1] + p[k] + p[k + 1] }
                    }
                }
            }
        }
        bellStableShare = bellBand > 0 ? min(1, Double(bellStable / bellBand)) : 0
        let bandDb = db(Double(band))
        let tonalDb = db(Double(tonal))
        if open && frameIndex - lastTonal > gapFrames { close() }
        if partials > 0 && tonalDb > config.features.silenceDb {
            if !open {
                open = true
                let first = frameIndex - Int(longest) + 1
                start = max(0, time - Double(frameIndex - first) * hopSeconds)
                frames = 0; partialSum = 0; maxDb = -200; longestHeld = 0
                sumT = 0; sumTT = 0; sumL = 0; sumTL = 0
                // The room just before the ring: the median band level over the `tonalOnsetSeconds` before it.
                let span = max(4, Int((config.bellTracker.tonalOnsetSeconds / hopSeconds).rounded()))
                let end = first - 4
                var before: [Double] = []
                before.reserveCapacity(span)
                let from = max(0, end - span, frameIndex - history.count + 1)
                if from < end {
                    for j in from..<end { before.append(history[j % history.count]) }
                }
                before.sort()
                // The loudest band level since the first partial appeared (this frame's is not yet held).
                var loudest = bandDb
                for j in max(0, first, frameIndex - history.count + 1)..<frameIndex {
                    loudest = max(loudest, history[j % history.count])
                }
                onsetRiseDb = loudest - (before.isEmpty ? config.features.silenceDb : before[before.count / 2])
                added.start()
            }
            added.add(bands)
            lastTonal = frameIndex
            lastTonalTime = time
            frames += 1
            partialSum += partials
            longestHeld = max(longestHeld, longest)
            let t = time - start
            sumT += t; sumTT += t * t; sumL += tonalDb; sumTL += t * tonalDb
            maxDb = max(maxDb, tonalDb)
        }
        if !open { added.room(bands) }
        history[frameIndex % history.count] = bandDb
        frameIndex += 1
    }

    /// Marks as peaks the bins whose smoothed level rose `tonalLineRiseDb` over their own floor, and that much
    /// more than the bins two away rose over theirs: a narrow line new in the room, however loud the room (as
    /// other peaks, kept only within `tonalPartialRangeDb` of the frame's strongest: a tone's sidelobes are not
    /// lines of their own).
    /// Marks the spectral peaks from `scanLow` (the loops over bins run on the arrays' storage: this is the hottest
    /// code of a sound-only analysis). Returns the power in the tonal band and the strongest peak.
    private mutating func markPeaks(_ p: UnsafePointer<Float>, from scanLow: Int) -> (band: Float, strongest: Float) {
        let (low, high, scanHigh, peakRatio, side) = (self.low, self.high, self.scanHigh, self.peakRatio, self.side)
        var band: Float = 0, strongest: Float = 0
        peak.withUnsafeMutableBufferPointer { peak in
            for k in scanLow..<scanHigh {
                let v = p[k]
                if k < high && k >= low { band += v }
                peak[k] = v >= p[k - 1] && v >= p[k + 1] && v > peakRatio * 0.5 * (p[k - side] + p[k + side])
                if peak[k] { strongest = max(strongest, v) }
            }
        }
        return (band, strongest)
    }

    private mutating func markNewLines(_ p: UnsafePointer<Float>, from low: Int, to high: Int) {
        let first = frameIndex == 0
        let (smoothAlpha, upAlpha, downAlpha, lineRatio, side) = (self.smoothAlpha, self.upAlpha, self.downAlpha, self.lineRatio, self.side)
        let afterFloor = frameIndex * 4 >= Int(1 / hopSeconds)   // after a quarter second of floor
        smooth.withUnsafeMutableBufferPointer { smooth in
            lineFloor.withUnsafeMutableBufferPointer { lineFloor in
                peak.withUnsafeMutableBufferPointer { peak in
                    for k in (low - side)..<(high + side) {
                        smooth[k] = first ? p[k] : smooth[k] + smoothAlpha * (p[k] - smooth[k])
                    }
                    if afterFloor {
                        for k in low..<high where !peak[k] {
                            let rise = smooth[k] / max(lineFloor[k], 1e-20)
                            guard rise >= lineRatio, smooth[k] >= smooth[k - 1], smooth[k] >= smooth[k + 1] else { continue }
                            let sides = 0.5 * (smooth[k - side] / max(lineFloor[k - side], 1e-20)
                                               + smooth[k + side] / max(lineFloor[k + side], 1e-20))
                            if rise >= lineRatio * sides { peak[k] = true }
                        }
                    }
                    for k in (low - side)..<(high + side) {
                        let a = smooth[k] > lineFloor[k] ? upAlpha : downAlpha
                        lineFloor[k] = first ? smooth[k] : lineFloor[k] + a * (smooth[k] - lineFloor[k])
                    }
                }
            }
        }
    }

    /// Closes a ring still open at the end of the audio.
    mutating func finish() {
        if open { close() }
    }

    private mutating func close() {
        open = false
        let stop = lastTonalTime + frameSeconds
        guard stop - start >= config.bellTracker.bellMinSeconds else { return }
        // The slope of the partials' level over the ring (a struck chime fades, a tone generator holds).
        let n = Double(frames)
        let denominator = n * sumTT - sumT * sumT
        let slope = denominator > 0 ? (n * sumTL - sumT * sumL) / denominator : 0
        let shape = added.measure
        candidates.append(BellCandidate(start: start, end: stop, brightShare: 1, meanRiseDb: onsetRiseDb,
                                        meanTiltDb: 0, meanPurity: 0, sustainShare: 1, slopeDbPerSecond: slope,
                                        meanPartials: Double(partialSum) / Double(max(frames, 1)),
                                        holdSeconds: Double(longestHeld) * hopSeconds,
                                        addedShares: shape.shares, addedDb: shape.addedDb, fineLines: fine ? true : nil))
    }
}
