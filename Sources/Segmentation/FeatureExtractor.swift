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

    // Sound.
    /// The sound's side. `LessonAnalyzer` may take it out to feed on another thread; it must be put back before
    /// `finish`.
    public var audio: AudioFeatures

    /// `transform` is the FFT of the spectral frames (`config.features.fftSize` samples).
    /// `sampleRate` is the rate of the samples given to `consume(samples:time:)` (the decode's `audioSampleRate`).
    /// `fineTransform`, of `bellTracker.fineFftSize` samples, makes the finer spectrum's frames (none: no fine tracker).
    public init(config: SegmentationConfig = SegmentationConfig(), sampleRate: Int = 32_000, transform: any PowerSpectrumTransform,
                fineTransform: (any PowerSpectrumTransform)? = nil) {
        self.config = config
        step = config.features.stepSeconds
        cellCount = max(1, config.features.motionGridColumns * config.features.motionGridRows)
        video = VideoFeatures(config: config.features)
        audio = AudioFeatures(config: config, sampleRate: sampleRate, transform: transform, fineTransform: fineTransform)
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

    public mutating func consume(audio chunk: borrowing AudioChunk) { audio.consume(audio: chunk) }

    /// Mono samples at the extractor's rate, the first at `time` seconds. Later calls continue where this one ends.
    public mutating func consume(samples: UnsafeBufferPointer<Float>, time: Double) { audio.consume(samples: samples, time: time) }

    // MARK: Result

    /// The per-step series and the bell candidates. Call once, after the decode.
    public mutating func finish() -> FeatureSeries {
        video.flush()
        video.holdToEnd(max(video.motion.count, audio.stepCount))
        let motion = video.motion, localMotion = video.localMotion, globalChange = video.globalChange
        let luma = video.luma, cellMotion = video.cellMotion, cameraSpeed = video.cameraSpeed
        let missing = video.missingSteps()
        let (audioDb, variation, voice, bell, bright, candidates) = audio.finish()
        let n = max(motion.count, audioDb.count)
        let (spread, reach, active) = Self.motionShares(cellMotion: cellMotion, cameraSpeed: cameraSpeed,
                                                        steps: motion.count, count: n, cells: cellCount, config: config.features)
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
