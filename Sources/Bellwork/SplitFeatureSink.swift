import Foundation
import MediaIO
import Segmentation

/// The feature extractor as a sink whose video `MediaReader` may decode in stretches on several threads:
/// each later stretch fills a `VideoFeatures` of its own, merged back where the stretch takes over; and whose
/// sound is measured on a thread of its own (`AudioFeatureThread`) while the decoding goes on.
struct SplitFeatureSink: SplittableMediaSink {
    private(set) var extractor: FeatureExtractor
    let audio: AudioFeatureThread.Owner

    /// `extractor`'s sound side goes to a thread of its own until `finish`.
    init(extractor: FeatureExtractor) {
        self.extractor = extractor
        audio = AudioFeatureThread.Owner(AudioFeatureThread(extractor.audio))
    }

    mutating func consume(video frame: borrowing LumaFrame) { extractor.consume(video: frame) }
    mutating func consume(audio chunk: borrowing AudioChunk) { audio.thread.consume(chunk) }
    func makeVideoPart() -> VideoFeatures { extractor.makeVideoPart() }
    mutating func merge(videoPart: consuming VideoFeatures, from time: Double) {
        extractor.mergeVideo(videoPart, from: time)
    }

    /// The features, once the decode is done: the sound's side comes back from its thread first. Also the
    /// seconds that thread spent measuring.
    mutating func finish() -> (FeatureSeries, audioSeconds: Double) {
        let (features, seconds) = audio.thread.finish()
        extractor.audio = features
        return (extractor.finish(), seconds)
    }
}

/// Feeds an `AudioFeatures` on a thread of its own, so that the sound's levels, spectra and bell trackers are
/// measured beside the decoding rather than between its packets: a recording with sound only is decoded and
/// measured at once on two cores, and one with pictures leaves the decoding threads their cores.
///
/// The chunks go over in batches of about `batchSamples`, each chunk kept whole and fed in order, so the
/// features are exactly those of feeding the same chunks on one thread. The queue holds at most `maxBatches`:
/// when the measuring falls behind, the decoding waits, so memory does not grow with the lesson.
final class AudioFeatureThread: @unchecked Sendable {
    static let batchSamples = 16_384
    static let maxBatches = 8

    /// Ends the thread when the sink is dropped without `finish` (a decode that failed).
    final class Owner: Sendable {
        let thread: AudioFeatureThread
        init(_ thread: AudioFeatureThread) { self.thread = thread }
        deinit { thread.close(discarding: true) }
    }

    private struct Batch {
        var samples: [Float] = []
        var chunks: [(time: Double, start: Int, count: Int)] = []
    }

    private let sampleRate: Int
    private let condition = NSCondition()
    // Shared, under `condition`.
    private var queue: [Batch] = []
    private var closed = false
    // The producer's.
    private var filling = Batch()
    private var finished = false
    // The thread's until `done` is signalled.
    private var features: AudioFeatures
    private var busySeconds = 0.0
    private let done = DispatchSemaphore(value: 0)

    init(_ features: AudioFeatures) {
        self.features = features
        sampleRate = features.sampleRate
        let thread = Thread { [self] in run() }
        thread.stackSize = 8 << 20
        thread.name = "bellwork-audio-features"
        thread.start()
    }

    /// Hands over a chunk (copied); waits while the queue is full.
    func consume(_ chunk: borrowing AudioChunk) {
        precondition(chunk.sampleRate == sampleRate, "the sound's features expect \(sampleRate) Hz samples")
        precondition(!finished, "no chunk after finish")
        let time = chunk.time
        chunk.withSamples { samples in
            filling.chunks.append((time, filling.samples.count, samples.count))
            filling.samples.append(contentsOf: samples)
        }
        if filling.samples.count >= Self.batchSamples { send() }
    }

    /// Waits for the thread to measure everything handed over, and gives back the features and its busy seconds.
    func finish() -> (AudioFeatures, Double) {
        precondition(!finished, "finish once")
        finished = true
        if !filling.chunks.isEmpty { send() }
        close(discarding: false)
        done.wait()
        return (features, busySeconds)
    }

    /// No more batches: the thread measures what is queued (or drops it, `discarding`) and ends.
    func close(discarding: Bool) {
        condition.lock()
        closed = true
        if discarding { queue.removeAll() }
        condition.broadcast()
        condition.unlock()
    }

    private func send() {
        let batch = filling
        filling = Batch()
        filling.samples.reserveCapacity(Self.batchSamples + 4096)
        condition.lock()
        while queue.count >= Self.maxBatches && !closed { condition.wait() }
        if !closed { queue.append(batch) }
        condition.broadcast()
        condition.unlock()
    }

    private func run() {
        let clock = ContinuousClock()
        while true {
            condition.lock()
            while queue.isEmpty && !closed { condition.wait() }
            guard !queue.isEmpty else { condition.unlock(); break }
            let batch = queue.removeFirst()
            condition.broadcast()
            condition.unlock()
            let started = clock.now
            batch.samples.withUnsafeBufferPointer { all in
                for c in batch.chunks {
                    features.consume(samples: UnsafeBufferPointer(rebasing: all[c.start..<(c.start + c.count)]), time: c.time)
                }
            }
            let took = clock.now - started
            busySeconds += Double(took.components.seconds) + Double(took.components.attoseconds) * 1e-18
        }
        done.signal()
    }
}
