import Foundation
@testable import Segmentation
import Testing

/// The picture side of the extractor split in time and merged gives the series of one extractor.
@Suite struct VideoFeaturesTests {
    /// A 64×36 picture with a bright square that moves a little each time and a slowly changing level.
    static func picture(_ i: Int) -> [UInt8] {
        var p = [UInt8](repeating: UInt8(60 + i % 7), count: 64 * 36)
        let x0 = (i * 3) % 50, y0 = (i * 2) % 24
        for y in y0..<(y0 + 10) { for x in x0..<(x0 + 12) { p[y * 64 + x] = 220 } }
        return p
    }

    @Test func splitAndMergedEqualsOnePass() {
        let config = SegmentationConfig()
        let times = (0..<300).map { Double($0) * 0.2 + 0.013 }   // 60 s at 5 pictures a second
        var whole = FeatureExtractor(config: config, transform: ReferenceFFT(size: config.features.fftSize))
        var first = FeatureExtractor(config: config, transform: ReferenceFFT(size: config.features.fftSize))
        var part = first.makeVideoPart()
        let boundary = 31.4
        let partStart = boundary - 2.0   // MediaReader.videoPartLeadSeconds
        for (i, t) in times.enumerated() {
            let pixels = Self.picture(i)
            pixels.withUnsafeBufferPointer { p in
                whole.consume(picture: p, width: 64, height: 36, time: t)
                if t < boundary { first.consume(picture: p, width: 64, height: 36, time: t) }
                if t >= partStart { part.consume(picture: p, width: 64, height: 36, time: t) }
            }
        }
        first.mergeVideo(part, from: boundary)
        let a = whole.finish(), b = first.finish()
        #expect(a.stepCount == 120)
        #expect(a == b)
        #expect(a.motion.filter { $0 > 0 }.count >= 119)
    }

    /// A part that ends up empty (the later stretch could not be decoded) leaves the earlier steps.
    @Test func emptyPartKeepsTheEarlierSteps() {
        let config = SegmentationConfig()
        var first = FeatureExtractor(config: config, transform: ReferenceFFT(size: config.features.fftSize))
        for i in 0..<50 {
            Self.picture(i).withUnsafeBufferPointer { first.consume(picture: $0, width: 64, height: 36, time: Double(i) * 0.2) }
        }
        first.mergeVideo(first.makeVideoPart(), from: 20)
        let series = first.finish()
        #expect(series.stepCount == 20)
        #expect(series.motion.dropFirst().allSatisfy { $0 > 0 })
    }
}
