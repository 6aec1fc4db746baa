import MediaSamples

/// The sound's side of the features: levels per step and hop, the spectral frames' voice and bell bands, and the
/// bell trackers with their candidates. `FeatureExtractor` holds one; `LessonAnalyzer` may feed it on a thread of
/// its own while the video is decoded (`AudioFeatureThread`), and gives it back before `FeatureExtractor.finish`.
///
/// Not `Sendable`: it owns its FFTs' scratch space. A copy shares the FFTs, so only one copy may be fed.
public struct AudioFeatures {
    let config: SegmentationConfig

    // Audio level.
    /// The rate of the samples it is given.
    public let sampleRate: Int
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

    // MARK: Feeding

    public mutating func consume(audio chunk: borrowing AudioChunk) {
        precondition(chunk.sampleRate == sampleRate, "the sound's features expect \(sampleRate) Hz samples")
        let time = chunk.time
        chunk.withSamples { consume(samples: $0, time: time) }
    }

    /// Mono samples at `sampleRate`, the first at `time` seconds. Later calls continue where this one ends.
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


    /// Steps with any sound measured.
    var stepCount: Int { stepSamples.count }

    /// The per-step series of the sound (nil where nothing was heard; as many steps as were heard, `stepCount`
    /// after the trackers' last candidates), and the bell candidates with their lines. Call once, after the last samples.
    mutating func finish() -> (audioDb: [Double?], variation: [Double?], voice: [Double?], bell: [Double?],
                                          bright: [Double], candidates: [BellCandidate]) {
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
        let n = stepSamples.count
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
        let halfWindow = max(0, Int((config.features.audioVariationWindowSeconds / config.features.stepSeconds / 2).rounded()))
        let variation = AudioVariation.windowed(sums: hopDbSum, squares: hopDbSquares, counts: hopCount,
                                                halfWindow: halfWindow)
        return (audioDb, variation, voice, bell, bright, candidates)
    }
}
