/// The compact per-step description of a lesson that the bell detector and the segmenter work from.
/// Every array has `stepCount` values; step `i` covers `[i × stepSeconds, (i + 1) × stepSeconds)`.
public struct FeatureSeries: Sendable, Codable, Equatable {
    public var stepSeconds: Double
    /// Mean absolute luma difference between consecutive analysis pictures (`signalstats` YDIF),
    /// averaged over the pictures of the step; 0 where the step has no picture pair.
    public var motion: [Double]
    /// The same after each picture's global brightness shift is removed: people, not lights.
    public var localMotion: [Double]
    /// Mean absolute signed difference of whole pictures: lights, auto-exposure, a camera bump.
    public var globalChange: [Double]
    /// Share (0...1) of grid cells that moved beyond their own lesson-long noise floor.
    public var motionSpread: [Double]
    /// Share (0...1) of grid cells that moved beyond their noise floor at least once in a window of a few
    /// seconds around the step (`sweepWindowSeconds`): how far movement travels. Seat work and group work
    /// move the same cells again and again; a class on its feet sweeps across the picture.
    public var motionReach: [Double]
    /// Share (0...1) of grid cells that moved beyond the camera's own noise (the floor of a typical still
    /// cell, the same for every cell): where people move all the time it stays high, as the lesson-long
    /// floors of those cells rise with them.
    public var activeShare: [Double]
    /// The camera's own motion (pan, shake, a bump), in picture widths per second, taken out of the
    /// motion measures above.
    public var cameraSpeed: [Double]
    /// Mean luma of the step's pictures; nil where the step has none.
    public var luma: [Double?]
    /// RMS level of the step's audio in dBFS (as `astats` "RMS level"); nil where it has none.
    public var audioDb: [Double?]
    /// Standard deviation (dB) of the short-hop levels over a window of a few seconds around the step.
    public var audioVariation: [Double?]
    /// Mean level (dB) of the voice band over the step's spectral frames.
    public var voiceDb: [Double?]
    /// Mean level (dB) of the bell band over the step's spectral frames.
    public var bellBandDb: [Double?]
    /// Share (0...1) of the step's spectral frames that were bright (bell-like).
    public var bellShare: [Double]
    /// Runs of bright sound that may be bells, in time order.
    public var bellCandidates: [BellCandidate]
    /// Per step, whether the picture's measures are missing because its frames were not decoded (key-frame
    /// bursts): its motion values are 0 but say nothing; the segmenter holds its neighbours' over it. nil:
    /// none missing (a full decode, or a features file from before).
    public var videoMissing: [Bool]?

    public init(stepSeconds: Double, motion: [Double], localMotion: [Double]? = nil, globalChange: [Double]? = nil,
                motionSpread: [Double]? = nil, motionReach: [Double]? = nil, activeShare: [Double]? = nil, cameraSpeed: [Double]? = nil,
                luma: [Double?]? = nil, audioDb: [Double?],
                audioVariation: [Double?]? = nil, voiceDb: [Double?]? = nil, bellBandDb: [Double?]? = nil,
                bellShare: [Double]? = nil, bellCandidates: [BellCandidate] = [], videoMissing: [Bool]? = nil) {
        let n = max(motion.count, audioDb.count)
        func fit<T>(_ a: [T], _ fill: T) -> [T] { a.count >= n ? Array(a.prefix(n)) : a + Array(repeating: fill, count: n - a.count) }
        self.stepSeconds = stepSeconds
        self.motion = fit(motion, 0)
        self.localMotion = fit(localMotion ?? motion, 0)
        self.globalChange = fit(globalChange ?? [], 0)
        self.motionSpread = fit(motionSpread ?? [], 0)
        self.motionReach = fit(motionReach ?? motionSpread ?? [], 0)
        self.cameraSpeed = fit(cameraSpeed ?? [], 0)
        self.activeShare = fit(activeShare ?? motionSpread ?? [], 0)
        self.luma = fit(luma ?? Array(repeating: 128, count: motion.count), nil)
        self.audioDb = fit(audioDb, nil)
        self.audioVariation = fit(audioVariation ?? [], nil)
        self.voiceDb = fit(voiceDb ?? [], nil)
        self.bellBandDb = fit(bellBandDb ?? [], nil)
        self.bellShare = fit(bellShare ?? [], 0)
        self.bellCandidates = bellCandidates
        self.videoMissing = videoMissing.map { fit($0, false) }
    }

    /// Whether step `i`'s picture measures are missing (see `videoMissing`).
    public func isVideoMissing(_ i: Int) -> Bool {
        guard let videoMissing, i < videoMissing.count else { return false }
        return videoMissing[i]
    }

    public var stepCount: Int { motion.count }

    /// Whether any step has a picture pair (a lesson with no video, or a still picture throughout, has none).
    public var hasMotion: Bool { motion.contains { $0 > 0 } }
}
