import Testing
@testable import Segmentation

@Suite struct MotionKernelTests {
    /// 4x2 pictures, a 2x1 grid: left cells change by +4 (all), right cells by 0 and +8.
    @Test func differenceByHand() {
        let previous: [UInt8] = [10, 10, 10, 10, 10, 10, 10, 10]
        let current: [UInt8] = [14, 14, 10, 18, 14, 14, 10, 18]
        var cells = [Float](repeating: -1, count: 2)
        let d = current.withUnsafeBufferPointer { c in
            previous.withUnsafeBufferPointer { p in
                cells.withUnsafeMutableBufferPointer {
                    MotionKernel.difference(current: c, previous: p, width: 4, height: 2, columns: 2, rows: 1, cells: $0)
                }
            }
        }
        // |d| = 4,4,0,8 per row: mean 4 (YDIF). Signed mean 4, so the shift is 4: |d-4| = 0,0,4,4.
        #expect(d.meanAbsolute == 4)
        #expect(d.meanSigned == 4)
        #expect(d.local == 2)
        #expect(d.meanLuma == 14)
        #expect(cells == [0, 4])
    }

    /// A textured 96x54 picture (`seed` picks the texture) with a bright 12x12 figure at (x, y).
    static func scene(figureAt x: Int, _ y: Int, raised: Int = 0, shift: (Int, Int) = (0, 0)) -> [UInt8] {
        var p = [UInt8](repeating: 0, count: 96 * 54)
        for yy in 0..<54 {
            for xx in 0..<96 {
                // The room's texture, moved with the camera by `shift` (the content at (xx, yy) was at (xx − dx, yy − dy)).
                let (u, v) = (xx - shift.0, yy - shift.1)
                p[yy * 96 + xx] = UInt8(60 + ((u * 37 + v * 91 + (u * v) % 13) % 40))
            }
        }
        for yy in y..<(y + 12) {
            for xx in x..<(x + 12) {
                // The figure's own texture moves with it; `raised` brightens it in place (a change, not a move).
                p[yy * 96 + xx] = UInt8(180 + raised + ((xx - x) * 7 + (yy - y) * 3) % 20)
            }
        }
        return p
    }

    static func translation(_ current: [UInt8], _ previous: [UInt8], offset: (Int, Int) = (0, 0)) -> (share: Double, shift: Double) {
        current.withUnsafeBufferPointer { c in
            previous.withUnsafeBufferPointer { p in
                MotionKernel.blockTranslation(current: c, previous: p, width: 96, height: 54, block: 8, maxShift: 4,
                                              offset: (dx: offset.0, dy: offset.1), minGain: 1.5)
            }
        }
    }

    /// A figure that walks 3 pixels carries its blocks along: they are found, 3 pixels from the camera's
    /// position; the same figure brightening in place (standing up into the light, a gesture) moves no block.
    @Test func walkingCarriesBlocksAlongChangingInPlaceDoesNot() {
        let before = Self.scene(figureAt: 40, 20)
        let walked = Self.translation(Self.scene(figureAt: 43, 20), before)
        #expect(walked.share > 0)
        #expect(abs(walked.shift - 3) < 0.01, "\(walked)")
        let changed = Self.translation(Self.scene(figureAt: 40, 20, raised: 40), before)
        #expect(changed.share == 0, "\(changed)")
        #expect(Self.translation(before, before).share == 0)
    }

    /// A camera that pans 2 pixels moves every block by its own motion: given that motion, nothing moved; a
    /// figure walking 3 pixels through the pan moved about 3 pixels from it.
    @Test func theCamerasMotionIsTakenOut() {
        let before = Self.scene(figureAt: 40, 20)
        let panned = Self.scene(figureAt: 42, 20, shift: (2, 0))
        #expect(Self.translation(panned, before).share > 0.5)
        #expect(Self.translation(panned, before, offset: (2, 0)).share == 0)
        let walkedInPan = Self.translation(Self.scene(figureAt: 45, 20, shift: (2, 0)), before, offset: (2, 0))
        #expect(walkedInPan.share > 0)
        // About 3 (blocks half figure, half room mix the two motions), never the 5 the picture shows.
        #expect(abs(walkedInPan.shift - 3) < 1, "\(walkedInPan)")
    }

    /// Halving averages each 2x2 square, rounded.
    @Test func halvingAveragesSquares() {
        let p: [UInt8] = [0, 2, 10, 11,
                          1, 2, 10, 11,
                          9, 9, 9, 9]
        var out = [UInt8](repeating: 0, count: 2)
        p.withUnsafeBufferPointer { src in out.withUnsafeMutableBufferPointer { MotionKernel.halve(src, width: 4, height: 3, into: $0) } }
        #expect(out == [1, 11])
    }

    @Test func lightsComingOnIsGlobalNotLocal() {
        let previous = [UInt8](repeating: 50, count: 64)
        let current = [UInt8](repeating: 70, count: 64)
        var cells = [Float](repeating: 0, count: 4)
        let d = current.withUnsafeBufferPointer { c in
            previous.withUnsafeBufferPointer { p in
                cells.withUnsafeMutableBufferPointer {
                    MotionKernel.difference(current: c, previous: p, width: 8, height: 8, columns: 2, rows: 2, cells: $0)
                }
            }
        }
        #expect(d.meanAbsolute == 20)
        #expect(d.local == 0)
        #expect(cells == [0, 0, 0, 0])
    }

    @Test func spreadCountsCellsAboveTheirOwnFloor() {
        let cells: [Float] = [0.5, 3, 10, 2]
        let floors: [Float] = [0.4, 1, 1, 1.5]
        // factor 2, minimum 1.5: 0.5 no (0.5 < 0.8), 3 yes, 10 yes, 2 no (2 < 3).
        let s = cells.withUnsafeBufferPointer { c in
            floors.withUnsafeBufferPointer { MotionKernel.spread(cells: c, floors: $0, factor: 2, minimum: 1.5) }
        }
        #expect(s == 0.5)
    }
}
