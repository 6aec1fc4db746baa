import MediaIO
import Segmentation

/// The feature extractor as a sink whose video `MediaReader` may decode in stretches on several threads:
/// each later stretch fills a `VideoFeatures` of its own, merged back where the stretch takes over.
struct SplitFeatureSink: SplittableMediaSink {
    var extractor: FeatureExtractor

    mutating func consume(video frame: borrowing LumaFrame) { extractor.consume(video: frame) }
    mutating func consume(audio chunk: borrowing AudioChunk) { extractor.consume(audio: chunk) }
    func makeVideoPart() -> VideoFeatures { extractor.makeVideoPart() }
    mutating func merge(videoPart: consuming VideoFeatures, from time: Double) {
        extractor.mergeVideo(videoPart, from: time)
    }
}
