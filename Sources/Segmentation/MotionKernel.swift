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
    ///
    /// One pass, cell by cell, gives the absolute, signed and luma sums; a second pass over the picture is
    /// needed only when the global shift (the signed mean, rounded) is not zero.
    public static func difference(current: UnsafeBufferPointer<UInt8>, previous: UnsafeBufferPointer<UInt8>,
                                  width: Int, height: Int, columns: Int, rows: Int,
                                  cells: UnsafeMutableBufferPointer<Float>) -> FrameDifference {
        let count = width * height
        precondition(current.count >= count && previous.count >= count && count > 0)
        precondition(columns > 0 && rows > 0 && cells.count >= columns * rows)
        let c = current.baseAddress!, p = previous.baseAddress!
        var sumAbs = 0, sumSigned = 0, sumLuma = 0
        for cy in 0..<rows {
            let y0 = cy * height / rows, y1 = (cy + 1) * height / rows
            for cx in 0..<columns {
                let x0 = cx * width / columns, x1 = (cx + 1) * width / columns
                var cell = RowSums()
                for y in y0..<y1 {
                    cell.add(c + y * width + x0, p + y * width + x0, count: x1 - x0)
                }
                cell.finish()
                sumAbs += cell.absolute
                sumSigned += cell.signed
                sumLuma += cell.luma
                let area = (y1 - y0) * (x1 - x0)
                cells[cy * columns + cx] = area > 0 ? Float(Double(cell.absolute) / Double(area)) : 0
            }
        }
        let n = Double(count)
        let meanSigned = Double(sumSigned) / n
        let shift = Int(meanSigned.rounded())
        var sumLocal = sumAbs
        if shift != 0 {
            // The per-cell absolute difference after the shift.
            sumLocal = 0
            for cy in 0..<rows {
                let y0 = cy * height / rows, y1 = (cy + 1) * height / rows
                for cx in 0..<columns {
                    let x0 = cx * width / columns, x1 = (cx + 1) * width / columns
                    var cellSum = 0
                    for y in y0..<y1 {
                        cellSum += shiftedAbsoluteSum(c + y * width + x0, p + y * width + x0, count: x1 - x0, shift: shift)
                    }
                    sumLocal += cellSum
                    let area = (y1 - y0) * (x1 - x0)
                    cells[cy * columns + cx] = area > 0 ? Float(Double(cellSum) / Double(area)) : 0
                }
            }
        }
        return FrameDifference(meanAbsolute: Double(sumAbs) / n, meanSigned: meanSigned,
                               local: Double(sumLocal) / n, meanLuma: Double(sumLuma) / n)
    }

    /// Sums over runs of pixels: Σ|c − p|, Σ(c − p) and Σc, in eight 16-bit lanes (sixteen pixels a
    /// load, as two halves), folded into the totals by `finish()` and whenever a lane has taken 120
    /// values (120 × 255 fits a signed 16-bit lane).
    struct RowSums {
        var absolute = 0, signed = 0, luma = 0
        private var abs8 = SIMD8<UInt16>(), signed8 = SIMD8<Int16>(), luma8 = SIMD8<UInt16>()
        private var taken = 0

        @inline(__always)
        private mutating func add8(_ a: SIMD8<UInt8>, _ b: SIMD8<UInt8>) {
            let less = a .< b
            let d = a.replacing(with: b, where: less) &- b.replacing(with: a, where: less)  // max − min
            abs8 &+= SIMD8<UInt16>(truncatingIfNeeded: d)
            signed8 &+= SIMD8<Int16>(truncatingIfNeeded: a) &- SIMD8<Int16>(truncatingIfNeeded: b)
            luma8 &+= SIMD8<UInt16>(truncatingIfNeeded: a)
        }

        @inline(__always)
        mutating func add(_ c: UnsafePointer<UInt8>, _ p: UnsafePointer<UInt8>, count: Int) {
            var i = 0
            while i + 16 <= count {
                let a = UnsafeRawPointer(c + i).loadUnaligned(as: SIMD16<UInt8>.self)
                let b = UnsafeRawPointer(p + i).loadUnaligned(as: SIMD16<UInt8>.self)
                add8(a.lowHalf, b.lowHalf)
                add8(a.highHalf, b.highHalf)
                i += 16
                taken += 2
                if taken >= 120 { finish() }
            }
            if i + 8 <= count {
                add8(UnsafeRawPointer(c + i).loadUnaligned(as: SIMD8<UInt8>.self),
                     UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<UInt8>.self))
                i += 8
                taken += 1
                if taken >= 120 { finish() }
            }
            while i < count {
                let d = Int(c[i]) - Int(p[i])
                absolute += d < 0 ? -d : d
                signed += d
                luma += Int(c[i])
                i += 1
            }
        }

        /// Folds the lanes into the totals.
        mutating func finish() {
            absolute += Int(SIMD8<Int32>(truncatingIfNeeded: abs8).wrappedSum())
            signed += Int(SIMD8<Int32>(truncatingIfNeeded: signed8).wrappedSum())
            luma += Int(SIMD8<Int32>(truncatingIfNeeded: luma8).wrappedSum())
            abs8 = .zero; signed8 = .zero; luma8 = .zero
            taken = 0
        }
    }

    /// Σ|c − p − shift| over `count` pixels.
    @inline(__always)
    static func shiftedAbsoluteSum(_ c: UnsafePointer<UInt8>, _ p: UnsafePointer<UInt8>, count: Int, shift: Int) -> Int {
        var total = 0
        var i = 0
        if count >= 8 {
            let s = SIMD8<Int16>(repeating: Int16(clamping: shift))
            var acc = SIMD8<Int32>()
            while i + 8 <= count {
                let a = SIMD8<Int16>(truncatingIfNeeded: UnsafeRawPointer(c + i).loadUnaligned(as: SIMD8<UInt8>.self))
                let b = SIMD8<Int16>(truncatingIfNeeded: UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<UInt8>.self))
                let d = a &- b &- s
                acc &+= SIMD8<Int32>(truncatingIfNeeded: d.replacing(with: 0 &- d, where: d .< 0))
                i += 8
            }
            total = Int(acc.wrappedSum())
        }
        while i < count {
            let d = Int(c[i]) - Int(p[i]) - shift
            total += d < 0 ? -d : d
            i += 1
        }
        return total
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
        for i in 0..<cells.count where moved(cells[i], floor: floors[i], factor: factor, minimum: minimum) { moving += 1 }
        return Double(moving) / Double(cells.count)
    }

    /// Whether a cell's difference stands out of its noise floor: `factor` times it, and `minimum` above it.
    @inline(__always)
    public static func moved(_ value: Float, floor: Float, factor: Double, minimum: Double) -> Bool {
        let v = Double(value), f = Double(floor)
        return v > f * factor && v > f + minimum
    }
}
