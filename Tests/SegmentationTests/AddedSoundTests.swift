import Foundation
import Testing
@testable import Segmentation

/// What a ring added to the room, band by band, against the room just before it.
@Suite struct AddedSoundTests {
    static func bands(_ values: [Float]) -> BandPowers {
        var b = BandPowers()
        for (i, v) in values.enumerated() { b[i] = v }
        return b
    }

    /// A bell over a voice-filled room: what it added sits in its own bands, measured against the room, however
    /// loud the room's own bands are; the room keeps following while no ring is open.
    @Test func theShapeIsWhatTheRingAdded() {
        var added = AddedSound(seconds: 2, hopSeconds: 0.016)
        let room = Self.bands([1, 4, 8, 4, 1, 0.5, 0.25, 0.1, 0.05, 0.02])
        for _ in 0..<300 { added.room(room) }
        added.start()
        var ring = room
        ring[6] += 3; ring[7] += 1                                  // 4.5-6 kHz and 6-8 kHz
        for _ in 0..<100 { added.add(ring) }
        let (shares, db) = added.measure
        #expect(shares.count == BandPowers.count)
        #expect(abs(shares[6] - 0.75) < 1e-6 && abs(shares[7] - 0.25) < 1e-6, "\(shares)")
        #expect(abs(shares.reduce(0, +) - 1) < 1e-9)
        let roomTotal = 1 + 4 + 8 + 4 + 1 + 0.5 + 0.25 + 0.1 + 0.05 + 0.02
        #expect(abs(db - 10 * log10(4 / roomTotal)) < 1e-5, "\(db)")
        // Quieter than the room in every band: nothing added.
        added.start()
        for _ in 0..<10 { added.add(Self.bands([Float](repeating: 0, count: BandPowers.count))) }
        #expect(added.measure.addedDb == -60)
    }

    /// The bands of a power spectrum: a bin's power lands in the band holding its frequency; bands above half
    /// the rate stay empty.
    @Test func bandsOfASpectrum() {
        var power = [Float](repeating: 0, count: 513)     // 1024 points at 32 kHz: 31.25 Hz a bin
        power[160] = 2                                     // 5 kHz
        power[300] = 1                                     // 9.4 kHz
        let b = power.withUnsafeBufferPointer { BandPowers.measure($0, size: 1024, sampleRate: 32_000) }
        #expect(b[6] == 2 && b[8] == 1 && b[0] == 0)
        let low = power.withUnsafeBufferPointer { BandPowers.measure(UnsafeBufferPointer(rebasing: $0[0..<257]), size: 512, sampleRate: 16_000) }
        #expect(low[9] == 0)
    }
}
