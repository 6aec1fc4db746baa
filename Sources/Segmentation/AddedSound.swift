import Foundation

/// The power of a spectral frame in ten bands from 125 Hz to 16 kHz (octaves up to 2 kHz, then narrower; bands
/// above half the analysis rate stay empty): the coarse shape of a sound, cheap to keep per frame.
public struct BandPowers: Sendable, Equatable {
    public static let count = 10
    /// The bands' edges, Hz.
    public static let edgesHz: [Double] = [125, 250, 500, 1_000, 2_000, 3_000, 4_500, 6_000, 8_000, 11_000, 16_000]
    public var power = SIMD16<Float>(repeating: 0)

    public init() {}

    public subscript(_ band: Int) -> Float {
        get { power[band] }
        set { power[band] = newValue }
    }

    /// Each band's bins `lo..<hi` in a power spectrum of `size` points at `sampleRate` with `count` bins (empty
    /// above half the rate): worked out once per extractor, not per frame.
    public static func bins(size: Int, sampleRate: Int, count: Int) -> [Range<Int>] {
        let binHz = Double(sampleRate) / Double(size)
        return (0..<Self.count).map { b in
            let lo = max(1, Int((edgesHz[b] / binHz).rounded()))
            let hi = min(count, Int((edgesHz[b + 1] / binHz).rounded()))
            return lo < hi ? lo..<hi : lo..<lo
        }
    }

    /// The bands of a power spectrum, the bins of each from `bins(size:sampleRate:count:)`.
    public static func measure(_ p: UnsafeBufferPointer<Float>, bins: [Range<Int>]) -> BandPowers {
        var bands = BandPowers()
        for (b, range) in bins.enumerated() {
            var sum: Float = 0
            for k in range { sum += p[k] }
            bands[b] = sum
        }
        return bands
    }

    /// The bands of a power spectrum of `size` points at `sampleRate`.
    public static func measure(_ p: UnsafeBufferPointer<Float>, size: Int, sampleRate: Int) -> BandPowers {
        measure(p, bins: bins(size: size, sampleRate: sampleRate, count: p.count))
    }
}

/// What a sound added to the room, band by band: the mean band powers over a ring against the room's own just
/// before it (an average of the frames outside rings over the last `seconds`). Its shape (each band's share of
/// what was added) and how much it added (dB over the room) mean the same however loud or bright the room is:
/// a bell adds above 2 kHz, voices and laughter below, a chime at its notes, a buzzer everywhere.
struct AddedSound {
    private var room = [Double](repeating: 0, count: BandPowers.count)
    private var roomAtStart = [Double](repeating: 0, count: BandPowers.count)
    private var ring = [Double](repeating: 0, count: BandPowers.count)
    private var ringFrames = 0
    private var roomFrames = 0
    private let alpha: Double

    init(seconds: Double, hopSeconds: Double) {
        alpha = 1 - exp(-hopSeconds / max(hopSeconds, seconds))
    }

    /// A frame outside any ring: the room.
    mutating func room(_ bands: BandPowers) {
        for b in 0..<BandPowers.count {
            let x = Double(bands[b])
            room[b] = roomFrames == 0 ? x : room[b] + alpha * (x - room[b])
        }
        roomFrames += 1
    }

    /// A ring begins: the room as it is now is what it is measured against.
    mutating func start() {
        roomAtStart = room
        for b in 0..<BandPowers.count { ring[b] = 0 }
        ringFrames = 0
    }

    /// A frame of the ring.
    mutating func add(_ bands: BandPowers) {
        for b in 0..<BandPowers.count { ring[b] += Double(bands[b]) }
        ringFrames += 1
    }

    /// Each band's share (0...1) of what the ring added, and how much it added over the room, dB (at most 60).
    var measure: (shares: [Double], addedDb: Double) {
        guard ringFrames > 0 else { return ([Double](repeating: 0, count: BandPowers.count), 0) }
        var added = [Double](repeating: 0, count: BandPowers.count)
        var total = 0.0, roomTotal = 0.0
        for b in 0..<BandPowers.count {
            added[b] = max(0, ring[b] / Double(ringFrames) - roomAtStart[b])
            total += added[b]
            roomTotal += roomAtStart[b]
        }
        guard total > 0 else { return (added, -60) }
        let db = roomTotal > 0 ? min(60, 10 * log10(total / roomTotal)) : 60
        return (added.map { $0 / total }, db)
    }
}
