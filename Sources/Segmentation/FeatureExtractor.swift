import MediaSamples

/// Turns the analysis streams into a `FeatureSeries` as they are decoded.
///
/// It keeps the previous analysis picture, a spectral frame's worth of audio and fixed-size scratch;
/// everything else it keeps is the per-step series (a few numbers and one value per grid cell a step).
/// Not `Sendable`: it owns an FFT's scratch space. One extractor per lesson.
public struct FeatureExtractor: MediaSink {
    public let config: SegmentationConfig
    private let step: Double

    // Video.
    private var video: VideoFeatures
    private let cellCount: Int

    // Audio level.
    private let sampleRate: Int
    private let samplesPerStep: Int
    private let samplesPerHop: Int
    private var nextSample: Int? = nil         // absolute index of the next sample
    private var stepSumSquares: [Double] = []
    private var stepSamples: [Int] = []
    private var hopSum = 0.0, hopFill = 0
    private var hopDbSum: [Double] = []
    private var hopDbSquares: [Double] = []
    private var hopCount: [Int] = []

    // Spectrum.
    private let fft: any PowerSpectrumTransform
    private let window: [Float]
    private let kernel: SpectralKernel
    private var frameBuffer: [Float]
    private var frameFill = 0
    private var windowed: [Float]
    private var power: [Float]
    private var tracker: BellTracker
    private var tonalTracker: TonalTracker
    /// The finer spectrum (`BellTrackerSettings.fineFftSize`), when on: its transform, frames, and tracker.
    private let fineFFT: (any PowerSpectrumTransform)?
    private var fineWindow: [Float] = []
    private var fineBuffer: [Float] = []
    private var fineFill = 0
    private var fineWindowed: [Float] = []
    private var finePower: [Float] = []
    private let fineBandBins: [Range<Int>]
    private var fineTracker: TonalTracker?
    private var fineLines: [LineDescriptors] = []
    /// The last seconds of spectra, to describe each candidate by its lines when a tracker closes it, and the
    /// descriptions so far (one per candidate of each tracker, in order).
    private var spectra: SpectrumRing
    private var bandLines: [LineDescriptors] = []
    private var tonalLines: [LineDescriptors] = []
    private let bandBins: [Range<Int>]
    private var voiceSum: [Double] = []
    private var bellSum: [Double] = []
    private var spectralFrames: [Int] = []
    private var brightFrames: [Int] = []

    /// `transform` is the FFT of the spectral frames (`config.features.fftSize` samples).
    /// `sampleRate` is the rate of the samples given to `consume(samples:time:)` (the decode's `audioSampleRate`).
    /// `fineTransform`, of `bellTracker.fineFftSize` samples, makes the finer spectrum's frames (none: no fine tracker).
    public init(config: SegmentationConfig = SegmentationConfig(), sampleRate: Int = 32_000, transform: any PowerSpectrumTransform,
                fineTransform: (any PowerSpectrumTransform)? = nil) {
        self.sampleRate = sampleRate
        precondition(transform.size == config.features.fftSize, "the FFT's size must be the configured fftSize")
        self.config = config
        step = config.features.stepSeconds
        cellCount = max(1, config.features.motionGridColumns * config.features.motionGridRows)
        video = VideoFeatures(config: config.features)
        samplesPerStep = max(1, Int((config.features.stepSeconds * Double(sampleRate)).rounded()))
        samplesPerHop = max(1, Int((config.features.audioHopSeconds * Double(sampleRate)).rounded()))
        fft = transform
        window = SpectralKernel.hannWindow(size: config.features.fftSize)
        let energy = window.reduce(0.0) { $0 + Double($1) * Double($1) }
        kernel = SpectralKernel(size: config.features.fftSize, sampleRate: sampleRate, windowEnergy: energy, config: config)
        frameBuffer = [Float](repeating: 0, count: config.features.fftSize)
        windowed = [Float](repeating: 0, count: config.features.fftSize)
        power = [Float](repeating: 0, count: config.features.fftSize / 2 + 1)
        bandBins = BandPowers.bins(size: config.features.fftSize, sampleRate: sampleRate, count: config.features.fftSize / 2 + 1)
        tonalTracker = TonalTracker(config: config, size: config.features.fftSize, sampleRate: sampleRate, windowEnergy: energy)
        tracker = BellTracker(config: config, frameSeconds: Double(config.features.fftSize) / Double(sampleRate),
                              hopSeconds: Double(config.features.fftHop) / Double(sampleRate))
        spectra = SpectrumRing(size: config.features.fftSize, sampleRate: sampleRate,
                               hopSeconds: Double(config.features.fftHop) / Double(sampleRate))
        let fineSize = config.bellTracker.fineFftSize
        if let fine = fineTransform, fineSize > 0 {
            precondition(fine.size == fineSize, "the fine FFT's size must be the configured fineFftSize")
            fineFFT = fine
            fineWindow = SpectralKernel.hannWindow(size: fineSize)
            fineBuffer = [Float](repeating: 0, count: fineSize)
            fineWindowed = [Float](repeating: 0, count: fineSize)
            finePower = [Float](repeating: 0, count: fineSize / 2 + 1)
            fineBandBins = BandPowers.bins(size: fineSize, sampleRate: sampleRate, count: fineSize / 2 + 1)
            let fineEnergy = fineWindow.reduce(0.0) { $0 + Double($1) * Double($1) }
            fineTracker = TonalTracker(config: config, size: fineSize, hop: fineSize / 2, sampleRate: sampleRate,
                                       windowEnergy: fineEnergy,
                                       band: config.bellTracker.fineBandLowHz...config.bellTracker.fineBandHighHz, fine: true)
        } else {
            fineFFT = nil
            fineBandBins = []
        }
    }

    // MARK: Video

    public mutating func consume(video frame: borrowing LumaFrame) {
        video.consume(video: frame)
    }

    /// One analysis picture (`width × height` bytes of luma, rows packed) shown at `time` seconds;
    /// `afterGap`: frames since the previous picture were not decoded.
    public mutating func consume(picture pixels: UnsafeBufferPointer<UInt8>, width: Int, height: Int, time: Double,
                                 afterGap: Bool = false, afterKey: Bool = false) {
        video.consume(picture: pixels, width: width, height: height, time: time, afterGap: afterGap, afterKey: afterKey)
    }

    /// An empty video side for the pictures of a later stretch, fed on another thread.
    public func makeVideoPart() -> VideoFeatures { VideoFeatures(config: config.features) }

    /// Takes the steps from `time` on from `part`, which saw every picture from some time before it; this
    /// extractor saw every picture before `time`.
    public mutating func mergeVideo(_ part: consuming VideoFeatures, from time: Double) {
        video.merge(later: part, fromStep: max(0, Int((time / step).rounded(.down))))
    }

    // MARK: Audio

    public mutating func consume(audio chunk: borrowing AudioChunk) {
        precondition(chunk.sampleRate == sampleRate, "FeatureExtractor expects 16 kHz analysis audio")
        let time = chunk.time
        chunk.withSamples { consume(samples: $0, time: time) }
    }

    /// Mono 16 kHz samples, the first at `time` seconds. Later calls continue where this one ends.
    ///
    /// Works a block at a time: each block lies inside one step, one level hop and one spectral frame, so
    /// its sum of squares is one kernel call and its copy into the frame one memory move.
    public mutating func consume(samples: UnsafeBufferPointer<Float>, time: Double) {
        guard let base = samples.baseAddress, !samples.isEmpty else { return }
        if nextSample == nil { nextSample = max(0, Int((time * Double(sampleRate)).rounded())) }
        var index = nextSample!
        var offset = 0
        let total = samples.count
        ensureAudioSteps((index + total - 1) / samplesPerStep + 1)
        let frameSize = frameBuffer.count
        while offset < total {
            let stepIndex = index / samplesPerStep
            let stepEnd = (stepIndex + 1) * samplesPerStep
            var n = min(total - offset, stepEnd - index, samplesPerHop - hopFill, frameSize - frameFill)
            if fineFFT != nil { n = min(n, fineBuffer.count - fineFill) }
            let block = UnsafeBufferPointer(start: base + offset, count: n)
            let squares = AudioKernel.sumOfSquares(block)
            stepSumSquares[stepIndex] += squares
            stepSamples[stepIndex] += n
            hopSum += squares
            hopFill += n
            if hopFill == samplesPerHop {
                let db = AudioKernel.decibels(meanSquare: hopSum / Double(samplesPerHop), floor: config.features.silenceDb)
                hopDbSum[stepIndex] += db
                hopDbSquares[stepIndex] += db * db
                hopCount[stepIndex] += 1
                hopSum = 0
                hopFill = 0
            }
            let fill = frameFill
            frameBuffer.withUnsafeMutableBufferPointer { buffer in
                (buffer.baseAddress! + fill).update(from: base + offset, count: n)
            }
            frameFill += n
            if fineFFT != nil {
                let fill = fineFill
                fineBuffer.withUnsafeMutableBufferPointer { buffer in
                    (buffer.baseAddress! + fill).update(from: base + offset, count: n)
                }
                fineFill += n
            }
            index += n
            offset += n
            if fineFFT != nil && fineFill == fineBuffer.count {
                fineFrame(endingAt: index)
                let hop = fineBuffer.count / 2
                fineBuffer.withUnsafeMutableBufferPointer { buffer in
                    buffer.baseAddress!.update(from: buffer.baseAddress! + hop, count: hop)
                }
                fineFill = hop
            }
            if frameFill == frameSize {
                spectralFrame(endingAt: index)
                let hop = config.features.fftHop
                let keep = frameSize - hop
                frameBuffer.withUnsafeMutableBufferPointer { buffer in
                    buffer.baseAddress!.update(from: buffer.baseAddress! + hop, count: keep)
                }
                frameFill = keep
            }
        }
        nextSample = index
    }

    /// `frame` times `window` (into `windowed`), and its power spectrum by `fft` into `power`: the spectral frames' and
    /// the finer spectrum's alike.
    private static func powerSpectrum(of frame: [Float], window: [Float], windowed: inout [Float],
                                      fft: any PowerSpectrumTransform, into power: inout [Float]) {
        let n = frame.count
        frame.withUnsafeBufferPointer { frame in
            window.withUnsafeBufferPointer { w in
                windowed.withUnsafeMutableBufferPointer { out in
                    for i in 0..<n { out[i] = frame[i] * w[i] }
                }
            }
        }
        windowed.withUnsafeBufferPointer { input in
            power.withUnsafeMutableBufferPointer { out in fft.powerSpectrum(input, into: out) }
        }
    }

    private mutating func spectralFrame(endingAt end: Int) {
        let n = frameBuffer.count
        Self.powerSpectrum(of: frameBuffer, window: window, windowed: &windowed, fft: fft, into: &power)
        let frame = power.withUnsafeBufferPointer { kernel.measure($0, withHarmonicity: false) }
        let start = end - n
        let time = Double(start) / Double(sampleRate)
        let bands = power.withUnsafeBufferPointer { BandPowers.measure($0, bins: bandBins) }
        power.withUnsafeBufferPointer { spectra.push($0, at: time) }
        power.withUnsafeBufferPointer { tonalTracker.consume($0, at: time, bands: bands) }
        let spectral = kernel
        let stable = tonalTracker.bellStableShare
        let bright = power.withUnsafeBufferPointer { p in
            tracker.consume(frame, at: time, stableShare: stable, bands: bands, harmonicity: { spectral.harmonicity(p) })
        }
        let stepIndex = (start + n / 2) / samplesPerStep
        ensureAudioSteps(stepIndex + 1)
        voiceSum[stepIndex] += frame.voiceDb
        bellSum[stepIndex] += frame.bellDb
        spectralFrames[stepIndex] += 1
        if bright { brightFrames[stepIndex] += 1 }
        countWarmupBright()
        describeNewCandidates()
    }

    /// A frame of the finer spectrum, for the fine tracker (its candidates are described with the others', after the
    /// spectral frame that ends where it does).
    private mutating func fineFrame(endingAt end: Int) {
        guard let fft = fineFFT else { return }
        Self.powerSpectrum(of: fineBuffer, window: fineWindow, windowed: &fineWindowed, fft: fft, into: &finePower)
        let time = Double(end - fineBuffer.count) / Double(sampleRate)
        let bands = finePower.withUnsafeBufferPointer { BandPowers.measure($0, bins: fineBandBins) }
        finePower.withUnsafeBufferPointer { fineTracker?.consume($0, at: time, bands: bands) }
    }

    /// Describes by their lines the candidates the trackers closed since the last frame, while their spectra are
    /// held; one that rang from the first second waits for the room after it (`SpectrumRing.wantsRoomAfter`),
    /// until `final`.
    private mutating func describeNewCandidates(final: Bool = false) {
        Self.describe(tracker.candidates, into: &bandLines, from: spectra, final: final)
        Self.describe(tonalTracker.candidates, into: &tonalLines, from: spectra, final: final)
        if let fine = fineTracker { Self.describe(fine.candidates, into: &fineLines, from: spectra, final: final) }
    }

    /// Appends to `lines` the description of each of `candidates` beyond those it holds, in order, while they are ready.
    private static func describe(_ candidates: [BellCandidate], into lines: inout [LineDescriptors], from spectra: SpectrumRing,
                                 final: Bool) {
        while lines.count < candidates.count {
            let c = candidates[lines.count]
            guard final || !spectra.wantsRoomAfter(start: c.start) || spectra.lastTime >= c.end + SpectrumRing.roomSeconds
            else { return }
            lines.append(spectra.describe(start: c.start, end: c.end))
        }
    }

    /// Counts, in their steps, the warm-up's bright frames once the bell tracker has judged them.
    private mutating func countWarmupBright() {
        let n = frameBuffer.count
        for time in tracker.takeWarmupBright() {
            let stepIndex = (Int((time * Double(sampleRate)).rounded()) + n / 2) / samplesPerStep
            ensureAudioSteps(stepIndex + 1)
            brightFrames[stepIndex] += 1
        }
    }

    private mutating func ensureAudioSteps(_ count: Int) {
        guard stepSamples.count < count else { return }
        let extra = count - stepSamples.count
        stepSumSquares.append(contentsOf: repeatElement(0, count: extra))
        stepSamples.append(contentsOf: repeatElement(0, count: extra))
        hopDbSum.append(contentsOf: repeatElement(0, count: extra))
        hopDbSquares.append(contentsOf: repeatElement(0, count: extra))
        hopCount.append(contentsOf: repeatElement(0, count: extra))
        voiceSum.append(contentsOf: repeatElement(0, count: extra))
        bellSum.append(contentsOf: repeatElement(0, count: extra))
        spectralFrames.append(contentsOf: repeatElement(0, count: extra))
        brightFrames.append(contentsOf: repeatElement(0, count: extra))
    }

    // MARK: Result

    /// The per-step series and the bell candidates. Call once, after the decode.
    public mutating func finish() -> FeatureSeries {
        video.flush()
        video.holdToEnd(max(video.motion.count, stepSamples.count))
        let motion = video.motion, localMotion = video.localMotion, globalChange = video.globalChange
        let luma = video.luma, cellMotion = video.cellMotion, cameraSpeed = video.cameraSpeed
        let missing = video.missingSteps()
        tracker.finish()
        countWarmupBright()
        tonalTracker.finish()
        fineTracker?.finish()
        describeNewCandidates(final: true)
        func described(_ candidates: [BellCandidate], _ lines: [LineDescriptors]) -> [BellCandidate] {
            zip(candidates, lines).map { var c = $0; c.lines = $1; return c }
        }
        let candidates = (described(tracker.candidates, bandLines) + described(tonalTracker.candidates, tonalLines)
                          + described(fineTracker?.candidates ?? [], fineLines))
            .sorted { $0.start < $1.start }
        let n = max(motion.count, stepSamples.count)

        let (spread, reach, active) = Self.motionShares(cellMotion: cellMotion, cameraSpeed: cameraSpeed,
                                                        steps: motion.count, count: n, cells: cellCount, config: config.features)

        var audioDb = [Double?](repeating: nil, count: n)
        var voice = [Double?](repeating: nil, count: n)
        var bell = [Double?](repeating: nil, count: n)
        var bright = [Double](repeating: 0, count: n)
        for i in 0..<stepSamples.count {
            if stepSamples[i] > 0 {
                audioDb[i] = AudioKernel.decibels(meanSquare: stepSumSquares[i] / Double(stepSamples[i]),
                                                  floor: config.features.silenceDb)
            }
            if spectralFrames[i] > 0 {
                let f = Double(spectralFrames[i])
                voice[i] = voiceSum[i] / f
                bell[i] = bellSum[i] / f
                bright[i] = Double(brightFrames[i]) / f
            }
        }
        let halfWindow = max(0, Int((config.features.audioVariationWindowSeconds / step / 2).rounded()))
        let variation = AudioVariation.windowed(sums: hopDbSum, squares: hopDbSquares, counts: hopCount,
                                                halfWindow: halfWindow)
        return FeatureSeries(stepSeconds: step, motion: motion, localMotion: localMotion, globalChange: globalChange,
                             motionSpread: spread, motionReach: reach, activeShare: active, cameraSpeed: cameraSpeed, luma: luma, audioDb: audioDb,
                             audioVariation: variation, voiceDb: voice, bellBandDb: bell, bellShare: bright,
                             bellCandidates: candidates, videoMissing: missing.contains(true) ? missing : nil)
            .padded(to: n)
    }

    /// Per step: motion spread (cells over their own lesson-long floor), its reach over a window, and the
    /// share active over the camera's own noise, from the cells' motion (`cells` values a step).
    static func motionShares(cellMotion: [Float], cameraSpeed: [Double], steps videoSteps: Int, count n: Int, cells cellCount: Int,
                             config: FeatureSettings) -> (spread: [Double], reach: [Double], active: [Double]) {
        // Motion spread against each cell's lesson-long noise floor, and its reach over a window.
        var spread = [Double](repeating: 0, count: n)
        var reach = [Double](repeating: 0, count: n)
        var active = [Double](repeating: 0, count: n)
        if videoSteps > 0 {
            var floors = [Float](repeating: 0, count: cellCount)
            // Which cells moved in each step (one byte a cell a step, as the cells' motion itself).
            var moved = [UInt8](repeating: 0, count: videoSteps * cellCount)
            var column = [Float]()
            column.reserveCapacity(videoSteps)
            for c in 0..<cellCount {
                column.removeAll(keepingCapacity: true)
                for s in 0..<videoSteps {
                    let v = cellMotion[s * cellCount + c]
                    if !v.isNaN { column.append(v) }
                }
                floors[c] = Float(RobustStatistics.quantile(column.map(Double.init), config.cellFloorQuantile) ?? 0)
            }
            // The camera's noise: the floor of a typical still cell (a low quantile of the cells' floors).
            let cameraFloor = Float(RobustStatistics.quantile(floors.map(Double.init), config.cameraFloorQuantile) ?? 0)
            floors.withUnsafeBufferPointer { fl in
                cellMotion.withUnsafeBufferPointer { all in
                    for s in 0..<videoSteps {
                        let cells = UnsafeBufferPointer(rebasing: all[(s * cellCount)..<((s + 1) * cellCount)])
                        if cells[0].isNaN { continue }
                        // While the camera moves, what is left after its motion is taken out (the pictures'
                        // blur and compression, a shift not quite a pixel's) raises every cell: the step's own
                        // quiet cells (a low quantile of them) are then the floor where it is higher.
                        var stepFloor: Float = 0
                        if cameraSpeed[s] > 0 {
                            stepFloor = Float(RobustStatistics.quantile(cells.map(Double.init), config.cameraResidualQuantile) ?? 0)
                        }
                        var count = 0
                        for c in 0..<cellCount where MotionKernel.moved(
                            cells[c], floor: max(fl[c], stepFloor), factor: config.cellNoiseFactor,
                            minimum: config.cellMinimumDifference) {
                            count += 1
                            moved[s * cellCount + c] = 1
                        }
                        spread[s] = Double(count) / Double(cellCount)
                        var activeCount = 0
                        for c in 0..<cellCount where MotionKernel.moved(
                            cells[c], floor: max(cameraFloor, stepFloor), factor: config.cellNoiseFactor,
                            minimum: config.cellMinimumDifference) {
                            activeCount += 1
                        }
                        active[s] = Double(activeCount) / Double(cellCount)
                        // The whole picture changing (a bump, the exposure) is not people moving anywhere.
                        if spread[s] >= config.reachWholePictureShare {
                            for c in 0..<cellCount { moved[s * cellCount + c] = 0 }
                        }
                    }
                }
            }
            let reached = MotionKernel.reach(moved: moved, cells: cellCount,
                                             halfWindow: max(0, Int((config.sweepWindowSeconds / config.stepSeconds / 2).rounded())))
            for s in 0..<videoSteps { reach[s] = reached[s] }
        }

        return (spread, reach, active)
    }
}

extension FeatureSeries {
    /// The series with every array extended to `count` steps.
    func padded(to count: Int) -> FeatureSeries {
        guard count > motion.count || count > audioDb.count else { return self }
        var s = self
        func pad<T>(_ a: inout [T], _ fill: T) { if a.count < count { a += Array(repeating: fill, count: count - a.count) } }
        pad(&s.motion, 0); pad(&s.localMotion, 0); pad(&s.globalChange, 0); pad(&s.motionSpread, 0)
        pad(&s.motionReach, 0); pad(&s.cameraSpeed, 0); pad(&s.activeShare, 0)
        pad(&s.luma, nil); pad(&s.audioDb, nil); pad(&s.audioVariation, nil); pad(&s.voiceDb, nil)
        pad(&s.bellBandDb, nil); pad(&s.bellShare, 0)
        if s.videoMissing != nil { pad(&s.videoMissing!, false) }
        return s
    }
}

/// The variation of the short-term level over a window of steps.
public enum AudioVariation {
    /// For each step, the standard deviation of all hop levels in steps `i − halfWindow ... i + halfWindow`,
    /// from per-step sums of hop levels, of their squares, and counts. nil where the window has fewer than 2.
    public static func windowed(sums: [Double], squares: [Double], counts: [Int], halfWindow: Int) -> [Double?] {
        let n = sums.count
        var result = [Double?](repeating: nil, count: n)
        guard n > 0 else { return result }
        // Prefix sums make each window O(1).
        var ps = [Double](repeating: 0, count: n + 1), pq = ps
        var pc = [Int](repeating: 0, count: n + 1)
        for i in 0..<n {
            ps[i + 1] = ps[i] + sums[i]
            pq[i + 1] = pq[i] + squares[i]
            pc[i + 1] = pc[i] + counts[i]
        }
        for i in 0..<n {
            let lo = max(0, i - halfWindow), hi = min(n, i + halfWindow + 1)
            let c = Double(pc[hi] - pc[lo])
            guard c >= 2 else { continue }
            let mean = (ps[hi] - ps[lo]) / c
            let variance = max(0, (pq[hi] - pq[lo]) / c - mean * mean)
            result[i] = variance.squareRoot()
        }
        return result
    }
}
