import Foundation

/// What one spectral frame says about the voice band and the bell band.
public struct SpectralFrame: Sendable, Equatable {
    /// Level of the voice band (`voiceBandLowHz` up to `bellBandLowHz`), dB relative to full scale.
    public var voiceDb: Double
    /// Level of the bell band (`bellBandLowHz` up to `bellBandHighHz`), dB relative to full scale.
    public var bellDb: Double
    /// Share (0...1) of the bell band's energy within one bin of its strongest bin: near 1 for a pure
    /// beep or ding, low for a bell's many partials or a rattle.
    public var purity: Double
    /// The strongest bin of the bell band.
    public var peakBin: Int
    /// How harmonic the low part of the bell band is (2–5 kHz by default), -1...1: the highest normalised
    /// autocorrelation of its magnitude spectrum at a lag of a voice's pitch (`voicePitchLowHz` to
    /// `voicePitchHighHz`). A voice (speech, laughter) is a comb of harmonics there; a bell's partials are not
    /// evenly spaced, and a rattle or noise is no comb.
    public var harmonicity: Double

    public init(voiceDb: Double, bellDb: Double, purity: Double, peakBin: Int, harmonicity: Double = 0) {
        self.voiceDb = voiceDb
        self.bellDb = bellDb
        self.purity = purity
        self.peakBin = peakBin
        self.harmonicity = harmonicity
    }
}

/// Band energies of a power spectrum (as `MediaIO.RealFFT.powerSpectrum` gives it, of a windowed frame).
/// Levels are scaled so that a band holding all of a full-scale sine reads about −3 dB, like an RMS level.
public struct SpectralKernel: Sendable {
    public let size: Int
    let voiceLow: Int, bellLow: Int, bellHigh: Int
    /// The bins where harmonicity is measured, and the lags (bins) of a voice's pitch.
    let harmonicHigh: Int, lagLow: Int, lagHigh: Int
    /// Turns a sum of power bins into a mean square: 2 / (size × Σ window²).
    let scale: Double
    let floorDb: Double

    /// `windowEnergy` is Σ w[i]² of the window applied before the transform.
    public init(size: Int, sampleRate: Int, windowEnergy: Double, config: SegmentationConfig) {
        self.size = size
        let binHz = Double(sampleRate) / Double(size)
        let nyquistBin = size / 2
        func bin(_ hz: Double) -> Int { min(nyquistBin, max(1, Int((hz / binHz).rounded()))) }
        voiceLow = bin(config.bellTracker.voiceBandLowHz)
        bellLow = max(voiceLow + 1, bin(config.bellTracker.bellBandLowHz))
        bellHigh = max(bellLow + 1, bin(config.bellTracker.bellBandHighHz))
        harmonicHigh = min(bellHigh, max(bellLow + 8, bin(config.bellTracker.harmonicBandHighHz)))
        lagLow = max(2, Int((config.bellTracker.voicePitchLowHz / binHz).rounded(.down)))
        lagHigh = max(lagLow, min((harmonicHigh - bellLow) / 3, Int((config.bellTracker.voicePitchHighHz / binHz).rounded(.up))))
        scale = 2 / (Double(size) * windowEnergy)
        floorDb = config.features.silenceDb - 30
    }

    /// Measures `power` (at least `size/2 + 1` bins). Allocates nothing. Harmonicity, the costliest part, is
    /// left 0 unless asked for (the pipeline asks `harmonicity(_:)` only of bright frames).
    public func measure(_ power: UnsafeBufferPointer<Float>, withHarmonicity: Bool = true) -> SpectralFrame {
        precondition(power.count >= size / 2 + 1)
        let p = power.baseAddress!
        // Float sums of a few hundred non-negative bins are exact to about 1e-5 relative: ample for dB.
        var voice: Float = 0
        for k in voiceLow..<bellLow { voice += p[k] }
        var bell: Float = 0
        var peak: Float = -1
        var peakBin = bellLow
        for k in bellLow..<bellHigh {
            let v = p[k]
            bell += v
            if v > peak { peak = v; peakBin = k }
        }
        var around: Float = 0
        for k in max(bellLow, peakBin - 1)...min(bellHigh - 1, peakBin + 1) { around += p[k] }
        func db(_ e: Float) -> Double { e > 0 ? max(floorDb, 10 * log10(Double(e) * scale)) : floorDb }
        return SpectralFrame(voiceDb: db(voice), bellDb: db(bell), purity: bell > 0 ? Double(around / bell) : 0,
                             peakBin: peakBin, harmonicity: withHarmonicity ? harmonicity(p) : 0)
    }

    /// The highest normalised autocorrelation of the magnitude spectrum over `bellLow..<harmonicHigh` at the
    /// lags of a voice's pitch. Allocates nothing.
    public func harmonicity(_ power: UnsafeBufferPointer<Float>) -> Double {
        precondition(power.count >= size / 2 + 1)
        return harmonicity(power.baseAddress!)
    }

    func harmonicity(_ p: UnsafePointer<Float>) -> Double {
        let n = harmonicHigh - bellLow
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: n) { x in
            var mean: Float = 0
            for k in 0..<n { x[k] = p[bellLow + k].squareRoot(); mean += x[k] }
            mean /= Float(n)
            var energy: Float = 0
            for k in 0..<n { x[k] -= mean; energy += x[k] * x[k] }
            guard energy > 0 else { return 0 }
            var best: Float = -1
            for lag in lagLow...lagHigh {
                var sum: Float = 0
                for k in 0..<(n - lag) { sum += x[k] * x[k + lag] }
                // Normalised for the shorter overlap at this lag.
                best = max(best, sum / energy * Float(n) / Float(n - lag))
            }
            return Double(best)
        }
    }

    /// A periodic Hann window of `size` samples.
    public static func hannWindow(size: Int) -> [Float] {
        (0..<size).map { Float(0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(size))) }
    }
}
