import Foundation

/// What a candidate's own spectral lines say, measured bin by bin against the room around it
/// (`SpectrumRing.describe`). A bell, a chime, a buzzer or a tone puts its energy into a few narrow lines that
/// hold their place and their level; voices, laughter, applause and footsteps spread what they add over many
/// bins, and the level in any one bin jumps from frame to frame. Measured on the lines themselves, a faint
/// bell under chatter stands far above the room even where its band as a whole hardly rises.
public struct LineDescriptors: Sendable, Codable, Equatable {
    /// Share (0...1) of what the candidate added to the room (its mean power over the room's, bin by bin, from
    /// `lineLowHz` up) that lies in its strongest `lineCount` lines (three bins each).
    public var share: Double
    /// How far its strongest lines stand over the room in the same bins, dB.
    public var riseDb: Double
    /// How much the level of its strongest lines moves from one frame to the next, dB (mean absolute
    /// difference): a held tone or a ringing partial moves little; noise in one bin moves about 5 dB.
    public var steadyDb: Double
    /// Share (0...1) of the candidate's frames in which its strongest line stands 3 dB over the room.
    public var hold: Double
    /// The strongest line's frequency, Hz.
    public var hz: Double
    /// How many lines it added within 10 dB of the strongest (up to `SpectrumRing.maxLines`).
    public var count: Int

    public init(share: Double = 0, riseDb: Double = 0, steadyDb: Double = 0, hold: Double = 0, hz: Double = 0, count: Int = 0) {
        self.share = share
        self.riseDb = riseDb
        self.steadyDb = steadyDb
        self.hold = hold
        self.hz = hz
        self.count = count
    }
}

/// The last `seconds` of power spectra (the bins from `lineLowHz` to `lineHighHz`), kept so that a candidate
/// can be measured on its own lines when a tracker closes it. Memory is fixed: one ring of spectra.
struct SpectrumRing {
    static let lineLowHz = 250.0
    static let lineHighHz = 15_000.0
    /// The most lines a candidate is described by.
    static let maxLines = 6
    /// The longest stretch of a candidate measured (from its start), and the room measured before it, seconds.
    static let ringSeconds = 8.0, roomSeconds = 3.0

    /// The most frames held: with very short hops (`fftHop` can be 1 sample) every `stride`-th frame is kept,
    /// so memory stays fixed whatever the settings.
    static let maxFrames = 2_048

    let low: Int, high: Int
    private let width: Int
    let capacity: Int
    private let stride: Int
    private var pushed = 0
    /// Seconds between the frames kept.
    private let hopSeconds: Double
    private let binHz: Double
    private var spectra: [Float]
    private var times: [Double]
    /// Frames pushed so far; frame `i` sits at `i % capacity`.
    private var count = 0
    /// When the first frame and the last frame pushed start, seconds.
    private var firstTime: Double?
    private(set) var lastTime = 0.0

    init(size: Int, sampleRate: Int, hopSeconds: Double, seconds: Double = 16) {
        binHz = Double(sampleRate) / Double(size)
        low = max(2, min(size / 2 - 4, Int((Self.lineLowHz / binHz).rounded())))
        high = max(low + 4, min(size / 2 - 1, Int((Self.lineHighHz / binHz).rounded())))
        width = high - low
        let frames = max(16, Int((seconds / hopSeconds).rounded()))
        stride = (frames + Self.maxFrames - 1) / Self.maxFrames
        self.hopSeconds = hopSeconds * Double(stride)
        capacity = (frames + stride - 1) / stride
        spectra = [Float](repeating: 0, count: capacity * width)
        times = [Double](repeating: 0, count: capacity)
    }

    /// Keeps the power spectrum of the frame starting at `time`. Allocates nothing.
    mutating func push(_ power: UnsafeBufferPointer<Float>, at time: Double) {
        defer { pushed += 1; lastTime = time }
        guard pushed % stride == 0 else { return }
        let slot = count % capacity
        let low = self.low, width = self.width
        spectra.withUnsafeMutableBufferPointer { s in
            (s.baseAddress! + slot * width).update(from: power.baseAddress! + low, count: width)
        }
        times[slot] = time
        count += 1
        if firstTime == nil { firstTime = time }
    }

    /// Whether a candidate starting at `start` has less than a second of room before it (it rang from the first
    /// second), so that it is better described once the `roomSeconds` after its end are held.
    func wantsRoomAfter(start: Double) -> Bool {
        start - (firstTime ?? 0) < 1 + hopSeconds
    }

    /// The frames held whose start lies in `from..<to`, as ring indices (oldest first).
    private func frames(from: Double, to: Double) -> [Int] {
        let first = max(0, count - capacity)
        return (first..<count).filter { times[$0 % capacity] >= from && times[$0 % capacity] < to }
    }

    /// Describes the candidate from `start` to `end` (seconds) by its lines against the room: the frames held
    /// in the `roomSeconds` before it (those after it too, when fewer than one second before it is held: a bell
    /// from the first sample). An empty description when the candidate's start is no longer held.
    func describe(start: Double, end: Double) -> LineDescriptors {
        let ring = frames(from: start - hopSeconds / 2, to: min(end, start + Self.ringSeconds))
        guard ring.count >= 2, let first = ring.first, times[first % capacity] <= start + hopSeconds else {
            return LineDescriptors()
        }
        var room = frames(from: start - Self.roomSeconds, to: start - hopSeconds)
        if Double(room.count) * hopSeconds < 1 {
            room += frames(from: end + hopSeconds, to: end + Self.roomSeconds)
        }
        guard !room.isEmpty else { return LineDescriptors() }
        return spectra.withUnsafeBufferPointer { s in
            let w = width
            func mean(_ indices: [Int]) -> [Double] {
                var m = [Double](repeating: 0, count: w)
                for i in indices {
                    let row = s.baseAddress! + (i % capacity) * w
                    for k in 0..<w { m[k] += Double(row[k]) }
                }
                return m.map { $0 / Double(indices.count) }
            }
            let ringMean = mean(ring), roomMean = mean(room)
            let added = (0..<w).map { max(0, ringMean[$0] - roomMean[$0]) }
            let total = added.reduce(0, +)
            guard total > 0 else { return LineDescriptors() }
            // The lines: the strongest local maxima of what was added, three bins apart at least.
            let peaks = (1..<(w - 1)).filter { added[$0] > 0 && added[$0] >= added[$0 - 1] && added[$0] >= added[$0 + 1] }
                .sorted { added[$0] > added[$1] }
            var lines: [Int] = []
            for k in peaks where lines.count < Self.maxLines && lines.allSatisfy({ abs($0 - k) >= 3 }) { lines.append(k) }
            guard let strongest = lines.first else { return LineDescriptors() }
            func sum3(_ x: [Double], _ k: Int) -> Double { x[max(0, k - 1)...min(w - 1, k + 1)].reduce(0, +) }
            // The lines within 10 dB of the strongest are the sound's own; the rest are the room's chance peaks.
            let own = lines.filter { added[$0] >= 0.1 * added[strongest] }
            let lineAdded = lines.reduce(0.0) { $0 + sum3(added, $1) }
            let lineRing = own.reduce(0.0) { $0 + sum3(ringMean, $1) }
            let lineRoom = own.reduce(0.0) { $0 + sum3(roomMean, $1) }
            let rise = lineRoom > 0 ? 10 * log10(max(1e-6, lineRing / lineRoom)) : 60
            // Frame by frame, on the three strongest of its own lines: how the level of the line's own bin moves,
            // and how often the strongest (its three bins) stands 3 dB over the room.
            func level(_ i: Int, _ k: Int) -> Double {
                let row = s.baseAddress! + (i % capacity) * w
                var p = 0.0
                for j in max(0, k - 1)...min(w - 1, k + 1) { p += Double(row[j]) }
                return p
            }
            func bin(_ i: Int, _ k: Int) -> Double { Double(s[(i % capacity) * w + k]) }
            var moves = 0.0, moveCount = 0
            for k in own.prefix(3) {
                var previous = 10 * log10(bin(ring[0], k) + 1e-20)
                for i in ring.dropFirst() {
                    let db = 10 * log10(bin(i, k) + 1e-20)
                    moves += abs(db - previous)
                    moveCount += 1
                    previous = db
                }
            }
            let roomLine = sum3(roomMean, strongest)
            let held = ring.filter { level($0, strongest) >= 2 * roomLine }.count
            return LineDescriptors(share: min(1, lineAdded / total), riseDb: min(60, rise),
                                   steadyDb: moveCount > 0 ? moves / Double(moveCount) : 0,
                                   hold: Double(held) / Double(ring.count), hz: Double(low + strongest) * binHz,
                                   count: own.count)
        }
    }
}
