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
    /// `offset` is the camera's motion between the pictures (`globalShift`): the current pixel at `(x, y)`
    /// is compared with the previous one at `(x − dx, y − dy)`, over the part the two pictures share (each
    /// cell's mean over its shared pixels). An offset must be smaller than a cell.
    ///
    /// One pass, cell by cell, gives the absolute, signed and luma sums; a second pass over the picture is
    /// needed only when the global brightness shift (the signed mean, rounded) is not zero.
    public static func difference(current: UnsafeBufferPointer<UInt8>, previous: UnsafeBufferPointer<UInt8>,
                                  width: Int, height: Int, columns: Int, rows: Int,
                                  cells: UnsafeMutableBufferPointer<Float>,
                                  offset: (dx: Int, dy: Int) = (0, 0)) -> FrameDifference {
        let count = width * height
        precondition(current.count >= count && previous.count >= count && count > 0)
        precondition(columns > 0 && rows > 0 && cells.count >= columns * rows)
        let (dx, dy) = (offset.dx, offset.dy)
        precondition(abs(dx) < max(1, width / columns) && abs(dy) < max(1, height / rows), "offset larger than a cell")
        let c = current.baseAddress!, p = previous.baseAddress!
        var sumAbs = 0, sumSigned = 0, sumLuma = 0, compared = 0
        // The shared part of a cell: rows y (previous row y − dy) and columns xa..<xb (previous x − dx).
        @inline(__always) func shared(_ cx: Int, _ cy: Int) -> (ys: Range<Int>, xa: Int, xb: Int) {
            let y0 = cy * height / rows, y1 = (cy + 1) * height / rows
            let x0 = cx * width / columns, x1 = (cx + 1) * width / columns
            let ya = max(y0, dy), yb = min(y1, height + dy)
            let xa = max(x0, dx), xb = min(x1, width + dx)
            return (ya < yb && xa < xb ? ya..<yb : 0..<0, xa, xb)
        }
        for cy in 0..<rows {
            for cx in 0..<columns {
                let (ys, xa, xb) = shared(cx, cy)
                var cell = RowSums()
                for y in ys {
                    cell.add(c + y * width + xa, p + (y - dy) * width + xa - dx, count: xb - xa)
                }
                cell.finish()
                sumAbs += cell.absolute
                sumSigned += cell.signed
                sumLuma += cell.luma
                let area = ys.count * (xb - xa)
                compared += area
                cells[cy * columns + cx] = area > 0 ? Float(Double(cell.absolute) / Double(area)) : 0
            }
        }
        let n = Double(max(compared, 1))
        let meanSigned = Double(sumSigned) / n
        let shift = Int(meanSigned.rounded())
        var sumLocal = sumAbs
        if shift != 0 {
            // The per-cell absolute difference after the shift.
            sumLocal = 0
            for cy in 0..<rows {
                for cx in 0..<columns {
                    let (ys, xa, xb) = shared(cx, cy)
                    var cellSum = 0
                    for y in ys {
                        cellSum += shiftedAbsoluteSum(c + y * width + xa, p + (y - dy) * width + xa - dx,
                                                      count: xb - xa, shift: shift)
                    }
                    sumLocal += cellSum
                    let area = ys.count * (xb - xa)
                    cells[cy * columns + cx] = area > 0 ? Float(Double(cellSum) / Double(area)) : 0
                }
            }
        }
        return FrameDifference(meanAbsolute: Double(sumAbs) / n, meanSigned: meanSigned,
                               local: Double(sumLocal) / n, meanLuma: Double(sumLuma) / n)
    }

    /// The camera's motion between two pictures, in pixels to a quarter of a pixel: the `(dx, dy)`, each
    /// within `±maxShift`, by which the previous picture's column and row profiles (mean luma of each column
    /// and row, less the picture's mean) best match the current one's (current column x ≈ previous
    /// x − dx, the profiles interpolated linearly between pixels). A shift is taken only when it matches
    /// clearly better than none (`gain`: the profiles' mean absolute mismatch at the shift is at most this
    /// share of it at zero) and the mismatch at zero is more than `noise` luma levels: people moving in a
    /// still picture change the profiles little and nowhere consistently; a camera that pans or shakes moves
    /// all of them, often by less than a pixel between two pictures. `scratch` holds at least
    /// `2 × (width + height)` values. Allocates nothing.
    public static func globalShift(current: UnsafeBufferPointer<UInt8>, previous: UnsafeBufferPointer<UInt8>,
                                   width: Int, height: Int, maxShift: Int, gain: Double = 0.6, noise: Double = 0.25,
                                   scratch: UnsafeMutableBufferPointer<Float>) -> (dx: Double, dy: Double) {
        precondition(scratch.count >= 2 * (width + height))
        let mine = UnsafeMutableBufferPointer(rebasing: scratch[0..<(width + height)])
        let theirs = UnsafeMutableBufferPointer(rebasing: scratch[(width + height)..<(2 * (width + height))])
        profiles(current, width: width, height: height, into: mine)
        profiles(previous, width: width, height: height, into: theirs)
        return globalShift(currentProfiles: UnsafeBufferPointer(mine), previousProfiles: UnsafeBufferPointer(theirs),
                           width: width, height: height, maxShift: maxShift, gain: gain, noise: noise)
    }

    /// `globalShift` from the pictures' profiles (`profiles(_:width:height:into:)`: the columns', then the
    /// rows'), so that each picture's are computed once.
    public static func globalShift(currentProfiles: UnsafeBufferPointer<Float>, previousProfiles: UnsafeBufferPointer<Float>,
                                   width: Int, height: Int, maxShift: Int, gain: Double = 0.6,
                                   noise: Double = 0.25) -> (dx: Double, dy: Double) {
        precondition(currentProfiles.count >= width + height && previousProfiles.count >= width + height)
        guard maxShift > 0, width > 2 * maxShift + 2, height > 2 * maxShift + 2 else { return (0, 0) }
        let colC = UnsafeBufferPointer(rebasing: currentProfiles[0..<width])
        let colP = UnsafeBufferPointer(rebasing: previousProfiles[0..<width])
        let rowC = UnsafeBufferPointer(rebasing: currentProfiles[width..<(width + height)])
        let rowP = UnsafeBufferPointer(rebasing: previousProfiles[width..<(width + height)])
        func best(_ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>) -> Double {
            let n = a.count
            let lo = maxShift + 1, hi = n - maxShift - 1
            let pa = a.baseAddress!, pb = b.baseAddress!
            // a[i] against b at i − d (d in quarter pixels, b interpolated), over the same span for every d.
            func mismatch(_ quarters: Int) -> Double {
                let whole = quarters >= 0 ? quarters / 4 : -((-quarters + 3) / 4)
                let f = Float(quarters - 4 * whole) / 4          // 0, 0.25, 0.5, 0.75
                // Eight at a time (the profiles are short, but this runs for every candidate of every pair).
                var acc = SIMD8<Float>(), i = lo
                let g = SIMD8<Float>(repeating: f), h = SIMD8<Float>(repeating: 1 - f)
                while i + 8 <= hi {
                    let x = UnsafeRawPointer(pa + i).loadUnaligned(as: SIMD8<Float>.self)
                    let y0 = UnsafeRawPointer(pb + i - whole).loadUnaligned(as: SIMD8<Float>.self)
                    let y = f == 0 ? y0 : y0 * h + UnsafeRawPointer(pb + i - whole - 1).loadUnaligned(as: SIMD8<Float>.self) * g
                    let d = x - y
                    acc += d.replacing(with: -d, where: d .< 0)
                    i += 8
                }
                var sum = acc.sum()
                while i < hi {
                    let y = f == 0 ? pb[i - whole] : pb[i - whole] * (1 - f) + pb[i - whole - 1] * f
                    sum += Swift.abs(pa[i] - y)
                    i += 1
                }
                return Double(sum) / Double(hi - lo)
            }
            let atZero = mismatch(0)
            guard atZero > noise else { return 0 }
            // Whole pixels first, then quarters within a pixel of the best of them.
            var bestShift = 0, bestMismatch = atZero
            for d in stride(from: -4 * maxShift, through: 4 * maxShift, by: 4) where d != 0 {
                let m = mismatch(d)
                if m < bestMismatch { bestMismatch = m; bestShift = d }
            }
            let whole = bestShift
            for d in max(-4 * maxShift, whole - 3)...min(4 * maxShift, whole + 3) where d != whole && d != 0 {
                let m = mismatch(d)
                if m < bestMismatch { bestMismatch = m; bestShift = d }
            }
            return bestMismatch <= gain * atZero ? Double(bestShift) / 4 : 0
        }
        return (best(colC, colP), best(rowC, rowP))
    }

    /// The previous picture moved by the fraction of a pixel `(fx, fy)` (each within ±1), bilinear, into
    /// `out`: `out(x, y) = previous(x − fx, y − fy)`, the picture's edge repeated beyond it. Allocates nothing.
    public static func shiftFraction(_ previous: UnsafeBufferPointer<UInt8>, width: Int, height: Int,
                                     fx: Double, fy: Double, into out: UnsafeMutableBufferPointer<UInt8>) {
        precondition(previous.count >= width * height && out.count >= width * height)
        // Weights of the pixel itself and of its neighbour on the side the content came from.
        let sx = fx >= 0 ? -1 : 1, sy = fy >= 0 ? -1 : 1
        let wx = UInt32((abs(fx) * 256).rounded()), wy = UInt32((abs(fy) * 256).rounded())
        let (ax, ay) = (256 - wx, 256 - wy)
        let base = previous.baseAddress!
        for y in 0..<height {
            let y2 = min(height - 1, max(0, y + sy))
            let row = base + y * width, row2 = base + y2 * width
            let o = out.baseAddress! + y * width
            @inline(__always) func pixel(_ x: Int, _ x2: Int) -> UInt8 {
                let top = UInt32(row[x]) * ax + UInt32(row[x2]) * wx
                let bottom = UInt32(row2[x]) * ax + UInt32(row2[x2]) * wx
                return UInt8(truncatingIfNeeded: (top * ay + bottom * wy + 32768) >> 16)
            }
            // The edge column on the side the content came from repeats itself; the rest has a neighbour.
            if sx < 0 {
                o[0] = pixel(0, 0)
                for x in 1..<width { o[x] = pixel(x, x - 1) }
            } else {
                for x in 0..<(width - 1) { o[x] = pixel(x, x + 1) }
                o[width - 1] = pixel(width - 1, width - 1)
            }
        }
    }

    /// The mean luma of each column and each row of a picture, less the picture's mean (so a change of
    /// brightness does not look like motion), into `out`: `width` columns, then `height` rows.
    public static func profiles(_ pixels: UnsafeBufferPointer<UInt8>, width: Int, height: Int,
                                into out: UnsafeMutableBufferPointer<Float>) {
        precondition(out.count >= width + height && pixels.count >= width * height)
        // Integer sums, sixteen pixels at a time (the output's memory holds the column sums meanwhile).
        out.withMemoryRebound(to: UInt32.self) { sums in
            let columns = sums.baseAddress!
            for x in 0..<width { columns[x] = 0 }
            var total: UInt64 = 0
            for y in 0..<height {
                let line = pixels.baseAddress! + y * width
                var rowSum: UInt32 = 0
                var x = 0
                while x + 16 <= width {
                    let v = SIMD16<UInt32>(truncatingIfNeeded: UnsafeRawPointer(line + x).loadUnaligned(as: SIMD16<UInt8>.self))
                    let c = UnsafeMutableRawPointer(columns + x)
                    c.storeBytes(of: c.loadUnaligned(as: SIMD16<UInt32>.self) &+ v, as: SIMD16<UInt32>.self)
                    rowSum &+= v.wrappedSum()
                    x += 16
                }
                while x < width {
                    let v = UInt32(line[x])
                    columns[x] &+= v
                    rowSum &+= v
                    x += 1
                }
                sums[width + y] = rowSum
                total += UInt64(rowSum)
            }
            let mean = Float(Double(total) / Double(width * height))
            for x in 0..<width { sums[x] = (Float(sums[x]) / Float(height) - mean).bitPattern }
            for y in 0..<height { sums[width + y] = (Float(sums[width + y]) / Float(width) - mean).bitPattern }
        }
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

    /// For each step, the share of cells that moved (`moved[step × cells + cell]` is 1) in at least one
    /// step of `step − halfWindow ... step + halfWindow`: a sliding count per cell, O(steps × cells).
    public static func reach(moved: [UInt8], cells: Int, halfWindow: Int) -> [Double] {
        guard cells > 0 else { return [] }
        let steps = moved.count / cells
        var counts = [Int](repeating: 0, count: cells)
        var covered = 0
        var result = [Double](repeating: 0, count: steps)
        func add(_ s: Int, _ delta: Int) {
            guard s >= 0 && s < steps else { return }
            for c in 0..<cells where moved[s * cells + c] != 0 {
                if delta > 0 && counts[c] == 0 { covered += 1 }
                counts[c] += delta
                if delta < 0 && counts[c] == 0 { covered -= 1 }
            }
        }
        for s in 0..<min(steps, halfWindow) { add(s, 1) }
        for s in 0..<steps {
            add(s + halfWindow, 1)
            add(s - halfWindow - 1, -1)
            result[s] = Double(covered) / Double(cells)
        }
        return result
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
