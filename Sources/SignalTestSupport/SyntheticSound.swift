import Foundation
import MediaSamples
import Segmentation

/// Sound made for tests, shared by the Segmentation and pipeline tests (not part of the product): room tone,
/// mixing, and the features of a run of audio.
public enum SyntheticSound {
    /// Deterministic room tone: low-passed noise at about `db` dBFS RMS.
    public static func roomNoise(seconds: Double, db: Double, seed: UInt64 = 7, rate: Int = 16_000) -> [Float] {
        var state = seed &* 6364136223846793005 &+ 1442695040888963407
        let n = Int(seconds * Double(rate))
        var out = [Float](repeating: 0, count: n)
        var y = 0.0
        let gain = pow(10, db / 20) * 2.2
        for i in 0..<n {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let u = Double(state >> 11) / Double(1 << 53) * 2 - 1
            y = 0.85 * y + 0.15 * u * 3.0
            out[i] = Float(y * gain)
        }
        return out
    }

    /// Adds `source × gain` into `mix` starting at `seconds`.
    public static func mixIn(_ source: [Float], into mix: inout [Float], at seconds: Double, gain: Float, rate: Int = 16_000) {
        let start = Int(seconds * Double(rate))
        for (i, s) in source.enumerated() where start + i < mix.count && start + i >= 0 {
            mix[start + i] += s * gain
        }
    }

    /// The product's settings for sound made at 16 kHz: spectral frames of the same length in seconds as the
    /// product's (512 samples, hops of 256), the bell band up to the 8 kHz such sound can hold.
    public static var config16kHz: SegmentationConfig {
        var config = SegmentationConfig()
        config.features.fftSize = 512
        config.features.fftHop = 256
        config.bellTracker.bellBandHighHz = 8_000
        config.bellTracker.fineFftSize = 2_048     // 7.8 Hz apart, as 4096 at 32 kHz
        return config
    }

    /// Runs the feature extractor over audio alone at `rate` (in chunks of 1024 samples, like a decoder).
    public static func features(audio: [Float], config: SegmentationConfig,
                                transform: any PowerSpectrumTransform, fineTransform: (any PowerSpectrumTransform)? = nil,
                                rate: Int = 16_000) -> FeatureSeries {
        var extractor = FeatureExtractor(config: config, sampleRate: rate, transform: transform, fineTransform: fineTransform)
        audio.withUnsafeBufferPointer { all in
            var i = 0
            while i < all.count {
                let n = min(1024, all.count - i)
                extractor.consume(samples: UnsafeBufferPointer(rebasing: all[i..<(i + n)]), time: Double(i) / Double(rate))
                i += n
            }
        }
        return extractor.finish()
    }
}
