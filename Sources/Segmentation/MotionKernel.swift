/// What changed between two analysis pictures of the same size.
public struct FrameDifference: Sendable, Equatable {
    /// Mean absolute luma difference, as FFmpeg's `signalstats` YDIF reports it for 8-bit video.
    public var meanAbsolute: Double
    /// Mean signed difference (current minus previous): a change of the whole picture's brightness.
    public var meanSigned: Double
    /// Mean absolute difference after the whole-picture shift is taken away: people moving, not lights.
    public var local: Double
    /// Mean luma of the current picture.
    public var meanLuma: Double

    public init(meanAbsolute: Double, meanSigned: Double, local: Double, meanLuma: Double) {
        self.meanAbsolute = meanAbsolute
        self.meanSigned = meanSigned
        self.local = local
        self.meanLuma = meanLuma
    }
}

/// Frame-difference kernels over packed 8-bit luma planes.
public enum MotionKernel {
    /// Compares `current` with `previous` (both `width × height`, rows packed) and writes, for each cell
    /// of a `columns × rows` grid (row-major), the mean absolute difference after the global shift.
    /// `cells` must hold `columns × rows` values. Allocates nothing.
    public static func difference(current: UnsafeBufferPointer<UInt8>, previous: UnsafeBufferPointer<UInt8>,
                                  width: Int, height: Int, columns: Int, rows: Int,
                                  cells: UnsafeMutableBufferPointer<Float>) -> FrameDifference {
        let count = width * height
        precondition(current.count >= count && previous.count >= count && count > 0)
        precondition(columns > 0 && rows > 0 && cells.count >= columns * rows)
        // Pass 1: absolute and signed sums, and the picture's brightness.
        var sumAbs = 0
        var sumSigned = 0
        var sumLuma = 0
        for i in 0..<count {
            let c = Int(current[i])
            let d = c - Int(previous[i])
            sumAbs += d < 0 ? -d : d
            sumSigned += d
            sumLuma += c
        }
        let n = Double(count)
        let meanSigned = Double(sumSigned) / n
        let shift = Int(meanSigned.rounded())
        // Pass 2: per-cell absolute difference after the shift.
        var sumLocal = 0
        for cy in 0..<rows {
            let y0 = cy * height / rows, y1 = (cy + 1) * height / rows
            for cx in 0..<columns {
                let x0 = cx * width / columns, x1 = (cx + 1) * width / columns
                var cellSum = 0
                for y in y0..<y1 {
                    let row = y * width
                    for x in (row + x0)..<(row + x1) {
                        let d = Int(current[x]) - Int(previous[x]) - shift
                        cellSum += d < 0 ? -d : d
                    }
                }
                sumLocal += cellSum
                let area = (y1 - y0) * (x1 - x0)
                cells[cy * columns + cx] = area > 0 ? Float(Double(cellSum) / Double(area)) : 0
            }
        }
        return FrameDifference(meanAbsolute: Double(sumAbs) / n, meanSigned: meanSigned,
                               local: Double(sumLocal) / n, meanLuma: Double(sumLuma) / n)
    }

    /// Mean luma of a plane (for the first picture, which has nothing to be compared with).
    public static func meanLuma(_ pixels: UnsafeBufferPointer<UInt8>) -> Double {
        guard !pixels.isEmpty else { return 0 }
        var sum = 0
        for p in pixels { sum += Int(p) }
        return Double(sum) / Double(pixels.count)
    }

    /// Share (0...1) of cells whose value exceeds `factor ×` its floor and the floor plus `minimum`.
    public static func spread(cells: UnsafeBufferPointer<Float>, floors: UnsafeBufferPointer<Float>,
                              factor: Double, minimum: Double) -> Double {
        precondition(floors.count >= cells.count)
        guard !cells.isEmpty else { return 0 }
        var moving = 0
        for i in 0..<cells.count {
            let v = Double(cells[i]), f = Double(floors[i])
            if v > f * factor && v > f + minimum { moving += 1 }
        }
        return Double(moving) / Double(cells.count)
    }
}
