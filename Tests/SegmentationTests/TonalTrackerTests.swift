import Foundation
import SignalTestSupport
import Testing
@testable import Segmentation

@Suite struct TonalTrackerTests {
    /// A struck note: partials at 1, 2, 3 and 4.2 times `f`, each fading (like a chime), from `at` seconds.
    static func strike(_ f: Double, at: Double, into mix: inout [Float], gain: Double) {
        let start = Int(at * 16_000)
        for i in 0..<Int(2.5 * 16_000) where start + i < mix.count {
            let t = Double(i) / 16_000
            var x = 0.0
            for (h, a) in [(1.0, 1.0), (2.0, 0.45), (3.0, 0.2), (4.2, 0.12)] {
                x += a * sin(2 * .pi * f * h * t) * exp(-t / (0.9 / h.squareRoot()))
            }
            mix[start + i] += Float(gain * x * min(1, t / 0.005))
        }
    }

    /// A pure steady tone is one partial: its window's sidelobes, 31 dB and more below it, are not partials
    /// (they once made a 300 Hz tone a ring of several partials). Whether such a ring is a bell is the
    /// classifier's call: a school's electronic tone generator is a bell (issue 15).
    @Test func aPureToneIsOnePartial() throws {
        for start in [0.0, 12.0] {
            var mix = TestSupport.roomNoise(seconds: 30, db: -50, seed: 4)
            for i in 0..<(3 * 16_000) where Int(start * 16_000) + i < mix.count {
                mix[Int(start * 16_000) + i] += Float(0.125 * sin(2 * .pi * 300 * Double(i) / 16_000))
            }
            // In the spectral frames and in the finer spectrum alike.
            for fine in [false, true] {
                let rings = TestSupport.features(audio: mix).bellCandidates.filter { $0.meanPartials > 0 && ($0.fineLines == true) == fine }
                let ring = try #require(rings.first, "tone at \(start) s, fine \(fine)")
                #expect(rings.count == 1 && ring.meanPartials <= 1.05, "tone at \(start) s, fine \(fine): \(rings)")
                #expect(abs(ring.start - start) < (fine ? 0.2 : 0.1) && abs(ring.duration - 3) < 0.3, "fine \(fine): \(ring)")
            }
        }
    }

    @Test func findsATwoToneChimeBelowTheBellBand() {
        var mix = TestSupport.roomNoise(seconds: 40, db: -50, seed: 3)
        Self.strike(523, at: 20, into: &mix, gain: 0.2)
        Self.strike(659, at: 20.75, into: &mix, gain: 0.2)
        let candidates = TestSupport.features(audio: mix).bellCandidates
        let bell = BellDetector().startingBell(candidates, duration: 40)
        #expect(bell != nil, "\(candidates)")
        if let bell { #expect(abs(bell.timeSeconds - 20) <= 0.3, "\(bell)") }
    }

    /// A voice-like harmonic series whose pitch rises and falls as speech does (±20 % at 1.5 Hz) in
    /// syllables holds no partial still: no bell. (A long sung note would: it is a ring of fixed partials.)
    @Test func aGlidingHarmonicVoiceIsNotARing() {
        var mix = TestSupport.roomNoise(seconds: 40, db: -50, seed: 4)
        var phase = 0.0
        for i in 0..<Int(3 * 16_000) {
            let t = Double(i) / 16_000
            let f0 = 220 * (1 + 0.2 * sin(2 * .pi * 1.5 * t))
            phase += 2 * .pi * f0 / 16_000
            var x = 0.0
            for h in 1...8 { x += sin(Double(h) * phase) / Double(h) }
            let syllable = pow(max(0, sin(2 * .pi * 4.5 * t)), 0.5)
            mix[20 * 16_000 + i] += Float(0.1 * x * syllable)
        }
        let candidates = TestSupport.features(audio: mix).bellCandidates
        #expect(BellDetector().startingBell(candidates, duration: 40) == nil, "\(candidates)")
    }

    /// Voices talking over one another for `seconds`: harmonic series whose pitch glides as speech does, in syllables.
    static func voices(seconds: Double, into mix: inout [Float], gain: Double) {
        for (index, (pitch, rate)) in [(140.0, 4.1), (210.0, 5.3), (260.0, 3.7)].enumerated() {
            var phase = 0.0
            for i in 0..<min(mix.count, Int(seconds * 16_000)) {
                let t = Double(i) / 16_000
                let f0 = pitch * (1 + 0.15 * sin(2 * .pi * (0.9 + 0.3 * Double(index)) * t + Double(index)))
                phase += 2 * .pi * f0 / 16_000
                var x = 0.0
                for h in 1...12 { x += sin(Double(h) * phase) / Double(h) }
                mix[i] += Float(gain * x * pow(max(0, sin(2 * .pi * rate * t + Double(index))), 0.5))
            }
        }
    }

    /// An electric bell heard through a door (issue 15): partials at 600, 1392 and 1656 Hz struck 25 times a second,
    /// each strike fading in a tenth of a second, about 13 dB under three voices talking over it. The finer spectrum
    /// (`fineFftSize`) holds its partials from its onset for most of its ring: one ring, dated at the bell.
    @Test func theFinerSpectrumFollowsAFarBellUnderVoices() throws {
        var mix = TestSupport.roomNoise(seconds: 30, db: -55, seed: 6)
        Self.voices(seconds: 30, into: &mix, gain: 0.05)
        let onset = 12.0
        for i in 0..<Int(3.5 * 16_000) {
            let t = Double(i) / 16_000
            let sinceStrike = t.truncatingRemainder(dividingBy: 0.04)
            var x = 0.0
            for (f, a) in [(600.0, 1.0), (1_392.0, 0.7), (1_656.0, 0.6)] { x += a * sin(2 * .pi * f * t) }
            mix[Int(onset * 16_000) + i] += Float(0.02 * x * exp(-sinceStrike / 0.1))
        }
        let rings = TestSupport.features(audio: mix).bellCandidates.filter { $0.fineLines == true }
        let bell = try #require(rings.first { abs($0.start - onset) <= 0.4 }, "\(rings.map { ($0.start, $0.end) })")
        #expect(bell.duration >= 2.5, "\(bell.start)-\(bell.end)")
        #expect(BellModel.of(bell) == .fine)
    }

    /// A steady buzzer: a sawtooth at 120 Hz for 2.5 s is a ring of many fixed partials.
    @Test func findsABuzzer() {
        var mix = TestSupport.roomNoise(seconds: 40, db: -50, seed: 5)
        for i in 0..<Int(2.5 * 16_000) {
            let t = Double(i) / 16_000
            let saw = 2 * (t * 120 - (t * 120 + 0.5).rounded(.down))
            mix[10 * 16_000 + i] += Float(0.1 * saw)
        }
        let candidates = TestSupport.features(audio: mix).bellCandidates
        let bell = BellDetector().startingBell(candidates, duration: 40)
        #expect(bell.map { abs($0.timeSeconds - 10) <= 0.3 } == true, "\(candidates)")
    }

    /// The bell band's steadiness: fixed partials at 2.6, 3.9 and 5.3 kHz (a bell's, with a clapper's 25 Hz
    /// rattle on them) put most of the bell band's energy in persistent partials once they have held
    /// `tonalPersistSeconds`; the same band full of noise bursts at a syllable's pace puts none there.
    @Test func bellBandStableShare() {
        func share(_ make: (Double) -> Double) -> (early: Double, late: Double) {
            let config = SyntheticSound.config16kHz
            let window = SpectralKernel.hannWindow(size: config.features.fftSize)
            let energy = window.reduce(0.0) { $0 + Double($1) * Double($1) }
            var tracker = TonalTracker(config: config, size: config.features.fftSize, sampleRate: 16_000, windowEnergy: energy)
            let fft = ReferenceFFT(size: config.features.fftSize)
            var power = [Float](repeating: 0, count: config.features.fftSize / 2 + 1)
            var shares: [Double] = []
            for frame in 0..<125 {      // 2 s of frames, 16 ms apart
                let samples = (0..<config.features.fftSize).map { i in
                    Float(make(Double(frame * config.features.fftHop + i) / 16_000)) * window[i]
                }
                samples.withUnsafeBufferPointer { input in
                    power.withUnsafeMutableBufferPointer { fft.powerSpectrum(input, into: $0) }
                }
                power.withUnsafeBufferPointer { tracker.consume($0, at: Double(frame) * 0.016) }
                shares.append(tracker.bellStableShare)
            }
            return (shares[0..<10].reduce(0, +) / 10, shares[60...].reduce(0, +) / Double(shares.count - 60))
        }
        let bell = share { t in
            let rattle = 0.6 + 0.4 * sin(2 * .pi * 25 * t)
            return rattle * (0.3 * sin(2 * .pi * 2_600 * t) + 0.2 * sin(2 * .pi * 3_900 * t) + 0.15 * sin(2 * .pi * 5_300 * t))
        }
        #expect(bell.early < 0.05, "\(bell)")    // not yet persistent
        #expect(bell.late > 0.6, "\(bell)")
        var state: UInt64 = 99
        let bursts = share { t in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let u = Double(state >> 11) / Double(1 << 53) * 2 - 1
            return 0.2 * u * max(0, sin(2 * .pi * 5 * t))
        }
        #expect(bursts.late < 0.02, "\(bursts)")
    }
}
