import Foundation
import Segmentation
import SignalTestSupport

/// Helpers shared by the Segmentation tests.
enum TestSupport {
    static func roomNoise(seconds: Double, db: Double, seed: UInt64 = 7) -> [Float] {
        SyntheticSound.roomNoise(seconds: seconds, db: db, seed: seed)
    }

    static func mixIn(_ source: [Float], into mix: inout [Float], at seconds: Double, gain: Float) {
        SyntheticSound.mixIn(source, into: &mix, at: seconds, gain: gain)
    }

    /// The features of `audio` (16 kHz mono), through ReferenceFFT.
    static func features(audio: [Float], config: SegmentationConfig = SyntheticSound.config16kHz) -> FeatureSeries {
        let fine = config.bellTracker.fineFftSize
        return SyntheticSound.features(audio: audio, config: config, transform: ReferenceFFT(size: config.features.fftSize),
                                       fineTransform: fine > 0 ? ReferenceFFT(size: fine) : nil)
    }
}
