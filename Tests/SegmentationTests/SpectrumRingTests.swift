import Foundation
import SignalTestSupport
import Testing
@testable import Segmentation

/// A candidate described by its own lines against the room around it (`SpectrumRing`, `LineDescriptors`).
@Suite struct SpectrumRingTests {
    static let size = 1024, rate = 32_000
    static let hop = 512.0 / 32_000

    /// Noise as a power spectrum holds it: each bin's power drawn from an exponential law (a chi-square of two
    /// degrees), `level` its mean; deterministic.
    struct NoiseSpectra {
        var state: UInt64
        mutating func next(level: Float, into p: inout [Float], bins: Range<Int>) {
            for k in bins {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                let u = max(1e-12, Double(state >> 11) / Double(1 << 53))
                p[k] += level * Float(-log(u))
            }
        }
    }

    /// Pushes `seconds` of frames from `start`, each room noise plus what `add` puts in; returns the time after.
    static func push(_ ring: inout SpectrumRing, _ noise: inout NoiseSpectra, from start: Double, seconds: Double,
                     add: (Int, inout [Float], inout NoiseSpectra) -> Void = { _, _, _ in }) -> Double {
        var t = start
        for i in 0..<Int((seconds / hop).rounded()) {
            var p = [Float](repeating: 0, count: size / 2 + 1)
            noise.next(level: 1, into: &p, bins: 0..<(size / 2 + 1))
            add(i, &p, &noise)
            p.withUnsafeBufferPointer { ring.push($0, at: t) }
            t += hop
        }
        return t
    }

    /// A held tone at 4 kHz over a noisy room: nearly all it added is one line, standing far over the room in
    /// its own bins, steady from frame to frame, sounding throughout. A burst of broadband noise as loud adds
    /// as much, but spread over every bin, in no line, and jumping about 5 dB a frame as noise does.
    @Test func aToneIsItsLinesAndNoiseIsNot() {
        var ring = SpectrumRing(size: Self.size, sampleRate: Self.rate, hopSeconds: Self.hop)
        var noise = NoiseSpectra(state: 3)
        var t = Self.push(&ring, &noise, from: 0, seconds: 4)
        let toneStart = t
        t = Self.push(&ring, &noise, from: t, seconds: 2) { _, p, _ in p[128] += 400; p[127] += 100; p[129] += 100 }
        let tone = ring.describe(start: toneStart, end: t)
        #expect(tone.share > 0.9 && tone.riseDb > 20, "\(tone)")
        #expect(tone.steadyDb < 1 && tone.hold > 0.95, "\(tone)")
        #expect(abs(tone.hz - 4_000) <= 32 && tone.count >= 1, "\(tone)")

        t = Self.push(&ring, &noise, from: t, seconds: 4)
        let burstStart = t
        t = Self.push(&ring, &noise, from: t, seconds: 2) { _, p, n in n.next(level: 2, into: &p, bins: 8..<481) }
        let burst = ring.describe(start: burstStart, end: t)
        #expect(burst.share < 0.2 && burst.riseDb < 8, "\(burst)")
        #expect(burst.steadyDb > 3, "\(burst)")
    }

    /// A tone from the first frame (nothing of the room before it) is measured against the room after it.
    /// A candidate whose start is no longer held is not described.
    @Test func aToneFromTheFirstFrameIsMeasuredAgainstTheRoomAfterIt() {
        var ring = SpectrumRing(size: Self.size, sampleRate: Self.rate, hopSeconds: Self.hop, seconds: 8)
        var noise = NoiseSpectra(state: 5)
        var t = Self.push(&ring, &noise, from: 0, seconds: 2) { _, p, _ in p[96] += 400 }
        let end = t
        #expect(ring.wantsRoomAfter(start: 0))
        t = Self.push(&ring, &noise, from: t, seconds: 3)
        let first = ring.describe(start: 0, end: end)
        #expect(first.riseDb > 20 && first.hold > 0.95 && abs(first.hz - 3_000) <= 32, "\(first)")
        #expect(!ring.wantsRoomAfter(start: 2))
        _ = Self.push(&ring, &noise, from: t, seconds: 6)       // 11 s pushed into 8 s: the tone is gone
        #expect(ring.describe(start: 0, end: end) == LineDescriptors())
    }

    /// Memory is fixed whatever the settings: with a hop of one sample (`fftHop` 1) every so many frames are
    /// kept, still covering the seconds asked for, and a tone is still described.
    @Test func aHopOfOneSampleKeepsMemoryFixed() {
        let hop = 1.0 / 32_000
        var ring = SpectrumRing(size: 64, sampleRate: 32_000, hopSeconds: hop)
        #expect(ring.capacity <= SpectrumRing.maxFrames)
        var p = [Float](repeating: 1, count: 33)
        var t = 0.0
        for i in 0..<(32_000 * 6) {
            p[10] = i >= 32_000 * 3 && i < 32_000 * 5 ? 1_000 : 1
            p.withUnsafeBufferPointer { ring.push($0, at: t) }
            t += hop
        }
        let tone = ring.describe(start: 3, end: 5)
        #expect(tone.riseDb > 20 && abs(tone.hz - 5_000) < 1, "\(tone)")
    }

    /// Through the feature extractor: a 3 kHz beep of 2 s in room tone is a candidate described by its line.
    @Test func theExtractorDescribesEachCandidateByItsLines() throws {
        let rate = 16_000
        var audio = SyntheticSound.roomNoise(seconds: 20, db: -50)
        let beep = (0..<(2 * rate)).map { Float(sin(2 * Double.pi * 3_000 * Double($0) / Double(rate))) }
        SyntheticSound.mixIn(beep, into: &audio, at: 10, gain: 0.05)
        let series = TestSupport.features(audio: audio)
        let c = try #require(series.bellCandidates.first { abs($0.start - 10) < 0.5 }, "\(series.bellCandidates)")
        #expect(c.lines.riseDb > 20 && c.lines.share > 0.8 && c.lines.steadyDb < 1.5, "\(c.lines)")
        #expect(abs(c.lines.hz - 3_000) <= 32, "\(c.lines)")
    }
}
