import Foundation
import Testing
@testable import Segmentation

@Suite struct BellTrackerTests {
    static let hop = 256.0 / 16_000, frame = 512.0 / 16_000

    /// Runs 3 s of room (bell band −60 dB, voice band −50 dB), then `ring` frames, then 2 s of room.
    static func candidates(ring: [SpectralFrame]) -> [BellCandidate] {
        var tracker = BellTracker(config: SegmentationConfig(), frameSeconds: frame, hopSeconds: hop)
        let room = SpectralFrame(voiceDb: -50, bellDb: -60, purity: 0.2, peakBin: 100)
        var t = 0.0
        for f in Array(repeating: room, count: Int(3 / hop)) + ring + Array(repeating: room, count: Int(2 / hop)) {
            tracker.consume(f, at: t)
            t += hop
        }
        tracker.finish()
        return tracker.candidates
    }

    /// A rattle whose level dips between strikes: 15 dB over the floor, every other frame only 8.
    @Test func holdKeepsAFaintRattleTogether() {
        let ring = (0..<90).map { i in
            SpectralFrame(voiceDb: -50, bellDb: i % 2 == 0 ? -45 : -52, purity: 0.2, peakBin: 100)
        }
        let found = Self.candidates(ring: ring)
        #expect(found.count == 1, "\(found)")
        if let c = found.first {
            #expect(abs(c.start - 3) < 0.05 && abs(c.duration - 90 * Self.hop) < 0.1, "\(c)")
            #expect(c.brightShare > 0.95 && c.sustainShare > 0.95, "\(c)")
        }
    }

    /// The same dips under a louder voice band are not held: the bell band does not dominate them.
    @Test func holdDoesNotCarryVoiceDominatedFrames() {
        let ring = (0..<90).map { i in
            i % 2 == 0 ? SpectralFrame(voiceDb: -50, bellDb: -45, purity: 0.2, peakBin: 100)
                       : SpectralFrame(voiceDb: -30, bellDb: -52, purity: 0.2, peakBin: 100)
        }
        let found = Self.candidates(ring: ring)
        #expect(found.count == 1)
        #expect((found.first?.brightShare ?? 1) < 0.6, "\(found)")
    }

    /// A run opened by speech-like frames (far below the voice band) is not extended by holding.
    @Test func holdNeedsARunThatSoundsLikeABell() {
        let speech = SpectralFrame(voiceDb: -20, bellDb: -40, purity: 0.2, peakBin: 100)  // opened by masking
        let weak = SpectralFrame(voiceDb: -50, bellDb: -52, purity: 0.2, peakBin: 100)    // 8 dB, bell-dominated
        let found = Self.candidates(ring: Array(repeating: speech, count: 6) + Array(repeating: weak, count: 60))
        #expect(found.allSatisfy { $0.duration < 0.3 }, "\(found)")
    }
}

extension BellTrackerTests {
    /// A bell holds its level: a steady ring, or a clapper's strikes every other frame (25–30 Hz, averaged
    /// out within a block), swings little; chatter rising and falling about 6 times a second swings a lot.
    @Test func swingTellsASteadyRingFromSyllables() throws {
        let steady = Array(repeating: SpectralFrame(voiceDb: -50, bellDb: -40, purity: 0.2, peakBin: 100), count: 120)
        let rattle = (0..<120).map { i in
            SpectralFrame(voiceDb: -50, bellDb: i % 2 == 0 ? -38 : -44, purity: 0.2, peakBin: 100)
        }
        // Syllables: 5 frames loud, 5 frames 10 dB lower (a 6 Hz rise and fall), still bright throughout.
        let syllables = (0..<120).map { i in
            SpectralFrame(voiceDb: -50, bellDb: (i / 5) % 2 == 0 ? -36 : -46, purity: 0.2, peakBin: 100)
        }
        let s = try #require(Self.candidates(ring: steady).first)
        let r = try #require(Self.candidates(ring: rattle).first)
        let y = try #require(Self.candidates(ring: syllables).first)
        #expect(s.levelSwingDb < 1.5 && r.levelSwingDb < 1.5, "steady \(s.levelSwingDb), rattle \(r.levelSwingDb)")
        #expect(y.levelSwingDb > 4, "syllables \(y.levelSwingDb)")
    }

    /// A bell ringing from the very first frame (the teacher started recording when it rang) is judged
    /// against the room after it: one candidate, dated at 0, with the ring's full rise; and the bright frames
    /// held back for it are given once.
    @Test func aBellFromTheFirstFrameIsFoundAndDatedAtZero() throws {
        var tracker = BellTracker(config: SegmentationConfig(), frameSeconds: Self.frame, hopSeconds: Self.hop)
        let bell = SpectralFrame(voiceDb: -50, bellDb: -30, purity: 0.3, peakBin: 120)
        let room = SpectralFrame(voiceDb: -50, bellDb: -60, purity: 0.2, peakBin: 100)
        let frames = Array(repeating: bell, count: Int(3 / Self.hop)) + Array(repeating: room, count: Int(12 / Self.hop))
        var brightNow = 0
        var t = 0.0
        for f in frames {
            if tracker.consume(f, at: t) { brightNow += 1 }
            t += Self.hop
        }
        tracker.finish()
        let held = tracker.takeWarmupBright()
        #expect(brightNow == 0)
        #expect(held.count >= Int(3 / Self.hop) - 2, "\(held.count)")
        #expect(tracker.takeWarmupBright().isEmpty)
        let found = try #require(tracker.candidates.first)
        #expect(tracker.candidates.count == 1)
        #expect(found.start == 0)
        #expect(abs(found.end - 3) < 0.1, "\(found)")
        #expect(found.meanRiseDb > 28, "\(found)")
    }
}

@Suite struct LevelFloorTests {
    /// The running percentile equals a plain sort of the last `capacity` levels (to the 1 dB bin).
    @Test func matchesASortedWindow() {
        var floor = LevelFloor(capacity: 50, percentile: 0.2, minimumCount: 10)
        var state: UInt64 = 42
        var levels: [Double] = []
        for i in 0..<2_000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let u = Double(state >> 11) / Double(1 << 53)
            // Level drifts up and down over time, with bursts: the cursor must follow both ways.
            let drift: Double = 30 * sin(Double(i) / 150)
            let burst: Double = u < 0.1 ? 400 * u : 6 * u
            let level = -60 + drift + burst
            floor.push(level)
            levels.append(level)
            let window = levels.suffix(50).map { Double(LevelFloor.bin($0)) }.sorted()
            guard window.count >= 10 else { #expect(floor.value == nil); continue }
            let rank = max(1, Int((Double(window.count) * 0.2).rounded(.up)))
            let expected = LevelFloor.lowestDb + window[rank - 1] + 0.5
            #expect(floor.value == expected, "step \(i)")
        }
    }
}

extension BellTrackerTests {
    /// A bell rung into the chatter that opened a run: the run splits where the bell band jumps, and the bell
    /// is its own candidate, dated at its onset; a ring's own attack and chatter's ups and downs split nothing.
    @Test func anOnsetInsideARunStartsANewOne() throws {
        let chatter = (0..<96).map { i in   // 1.5 s, 13–17 dB over the floor
            SpectralFrame(voiceDb: -50, bellDb: i % 3 == 0 ? -43 : -47, purity: 0.2, peakBin: 100)
        }
        let bell = Array(repeating: SpectralFrame(voiceDb: -50, bellDb: -30, purity: 0.3, peakBin: 120), count: 128)
        let found = Self.candidates(ring: chatter + bell)
        #expect(found.count == 2, "\(found)")
        let onset = 3 + 96 * Self.hop
        if found.count == 2 {
            #expect(abs(found[0].start - 3) < 0.02 && abs(found[0].end - onset) < 0.07, "\(found[0])")
            #expect(abs(found[1].start - onset) < 0.07, "\(found[1])")
            #expect(abs(found[1].end - (onset + 128 * Self.hop + Self.frame)) < 0.05, "\(found[1])")
            #expect(found[1].meanRiseDb > 28, "\(found[1])")
        }
        // A ring's own attack (two frames rising to its level) and chatter alone: one run each.
        let attack = [SpectralFrame(voiceDb: -50, bellDb: -46, purity: 0.3, peakBin: 120),
                      SpectralFrame(voiceDb: -50, bellDb: -38, purity: 0.3, peakBin: 120)] + bell
        #expect(Self.candidates(ring: attack).count == 1)
        #expect(Self.candidates(ring: chatter + chatter).count == 1)
    }
}
