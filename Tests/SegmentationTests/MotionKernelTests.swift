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
