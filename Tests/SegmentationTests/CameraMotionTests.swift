import Foundation
import Testing
@testable import Segmentation

/// The camera's own motion (`MotionKernel.globalShift`), taken out of the frame difference, and the reach of
/// motion over a window (`MotionKernel.reach`).
@Suite struct CameraMotionTests {
    /// A textured 96x54 picture (a room's walls and furniture stand-in), seen through a window at (x0, y0).
    static func view(x0: Double, y0: Double, width: Int = 96, height: Int = 54) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: width * height)
        for y in 0..<height {
            for x in 0..<width {
                let u = Double(x) + x0, v = Double(y) + y0
                let value = 128 + 40 * sin(0.37 * u) + 30 * sin(0.53 * v + 1) + 20 * sin(0.11 * u + 0.19 * v)
                    + 15 * sin(0.9 * u) * sin(0.7 * v)
                out[y * width + x] = UInt8(max(0, min(255, value)))
            }
        }
        return out
    }

    static func shift(_ current: [UInt8], _ previous: [UInt8], width: Int = 96, height: Int = 54) -> (dx: Double, dy: Double) {
        var scratch = [Float](repeating: 0, count: 2 * (width + height))
        return current.withUnsafeBufferPointer { c in
            previous.withUnsafeBufferPointer { p in
                scratch.withUnsafeMutableBufferPointer {
                    MotionKernel.globalShift(current: c, previous: p, width: width, height: height, maxShift: 5, scratch: $0)
                }
            }
        }
    }

    @Test func aPanIsFoundAndTakenOut() {
        // The camera turns right by 3 pixels and down by 2: the content moves left and up.
        let previous = Self.view(x0: 20, y0: 10), current = Self.view(x0: 23, y0: 12)
        let offset = Self.shift(current, previous)
        #expect(offset.dx == -3 && offset.dy == -2)
        var cells = [Float](repeating: 0, count: 4 * 3)
        let (raw, compensated) = current.withUnsafeBufferPointer { c in
            previous.withUnsafeBufferPointer { p in
                cells.withUnsafeMutableBufferPointer { cellsOut in
                    (MotionKernel.difference(current: c, previous: p, width: 96, height: 54, columns: 4, rows: 3, cells: cellsOut),
                     MotionKernel.difference(current: c, previous: p, width: 96, height: 54, columns: 4, rows: 3,
                                             cells: cellsOut, offset: (Int(offset.dx), Int(offset.dy))))
                }
            }
        }
        #expect(raw.local > 10)
        #expect(compensated.local == 0)
        #expect(cells.allSatisfy { $0 == 0 })
    }

    /// A slow pan moves the picture by less than a pixel between two analysis pictures: found to a quarter
    /// of a pixel, and taken out by moving the previous picture by that fraction.
    @Test func aPanOfHalfAPixelIsFoundAndTakenOut() {
        let previous = Self.view(x0: 20, y0: 10), current = Self.view(x0: 20.5, y0: 10)
        let offset = Self.shift(current, previous)
        #expect(offset.dx == -0.5 && offset.dy == 0)
        var warped = [UInt8](repeating: 0, count: previous.count)
        previous.withUnsafeBufferPointer { p in
            warped.withUnsafeMutableBufferPointer {
                MotionKernel.shiftFraction(p, width: 96, height: 54, fx: offset.dx, fy: offset.dy, into: $0)
            }
        }
        var cells = [Float](repeating: 0, count: 12)
        func local(_ reference: [UInt8]) -> Double {
            current.withUnsafeBufferPointer { c in
                reference.withUnsafeBufferPointer { p in
                    cells.withUnsafeMutableBufferPointer {
                        MotionKernel.difference(current: c, previous: p, width: 96, height: 54, columns: 4, rows: 3, cells: $0).local
                    }
                }
            }
        }
        #expect(local(warped) < 0.25 * local(previous), "\(local(warped)) against \(local(previous))")
    }

    /// Moving only the previous picture by a fraction of a pixel softens its fine detail, which then reads as
    /// motion; moving both by half of it, in opposite directions, softens both alike and leaves far less.
    @Test func splittingTheFractionLeavesLessOfFineDetail() {
        func fine(_ x0: Double) -> [UInt8] {
            var out = [UInt8](repeating: 0, count: 96 * 54)
            for y in 0..<54 { for x in 0..<96 {
                let u = Double(x) + x0
                out[y * 96 + x] = UInt8(128 + 60 * sin(1.9 * u) + 30 * sin(0.4 * u + 0.3 * Double(y)))
            } }
            return out
        }
        let previous = fine(20), current = fine(20.5)
        func warp(_ picture: [UInt8], _ f: Double) -> [UInt8] {
            var out = [UInt8](repeating: 0, count: picture.count)
            picture.withUnsafeBufferPointer { p in
                out.withUnsafeMutableBufferPointer { MotionKernel.shiftFraction(p, width: 96, height: 54, fx: f, fy: 0, into: $0) }
            }
            return out
        }
        var cells = [Float](repeating: 0, count: 12)
        func local(_ c: [UInt8], _ p: [UInt8]) -> Double {
            c.withUnsafeBufferPointer { c in
                p.withUnsafeBufferPointer { p in
                    cells.withUnsafeMutableBufferPointer {
                        MotionKernel.difference(current: c, previous: p, width: 96, height: 54, columns: 4, rows: 3, cells: $0).local
                    }
                }
            }
        }
        // The content moved left by half a pixel: current(x) = previous(x + 0.5), a shift of -0.5.
        let whole = local(current, warp(previous, -0.5)), split = local(warp(current, 0.25), warp(previous, -0.25))
        #expect(split < 0.5 * whole, "\(split) against \(whole)")
        #expect(whole > 2)
    }

    /// The same through `VideoFeatures`, as the analysis runs it: a slow pan (half a pixel between two analysis
    /// pictures) leaves far less in the cells with `cameraShiftSplit` than without,
    /// and a still picture nothing either way.
    @Test func videoFeaturesTakeAPanOutWithTheFractionSplit() {
        func cells(split: Bool, pan: Double) -> [Float] {
            var settings = FeatureSettings()
            settings.cameraShiftSplit = split
            settings.motionPairSeconds = 0        // every pair
            var video = VideoFeatures(config: settings)
            for i in 0..<10 {
                Self.view(x0: 20 + pan * Double(i), y0: 10).withUnsafeBufferPointer {
                    video.consume(picture: $0, width: 96, height: 54, time: Double(i) * 0.2)
                }
            }
            video.flush()
            return video.cellMotion.filter { !$0.isNaN }
        }
        let whole = cells(split: false, pan: 0.5), split = cells(split: true, pan: 0.5)
        let mean = { (a: [Float]) in a.reduce(0, +) / Float(max(1, a.count)) }
        #expect(!whole.isEmpty && whole.count == split.count)
        #expect(mean(whole) > 0.5, "\(mean(whole))")     // interpolation alone leaves this much
        #expect(mean(split) < 0.5 * mean(whole), "\(mean(split)) against \(mean(whole))")
        #expect(cells(split: true, pan: 0).allSatisfy { $0 == 0 })
    }

    @Test func aStillCameraWithPeopleMovingHasNoShift() {
        let previous = Self.view(x0: 20, y0: 10)
        var current = previous
        // Two "people" (dark blocks) move inside the picture.
        for y in 20..<40 { for x in 30..<38 { current[y * 96 + x] = 20 } }
        for y in 25..<45 { for x in 60..<66 { current[y * 96 + x] = 230 } }
        let offset = Self.shift(current, previous)
        #expect(offset.dx == 0 && offset.dy == 0)
    }

    @Test func lightsChangingAreNotAPan() {
        let previous = Self.view(x0: 20, y0: 10)
        let current = previous.map { UInt8(min(255, Int($0) + 25)) }
        let offset = Self.shift(current, previous)
        #expect(offset.dx == 0 && offset.dy == 0)
    }

    @Test func reachCountsCellsThatMovedInTheWindow() {
        // 4 cells, 6 steps: cell 0 moves at step 0, cell 1 at step 2, cell 2 at step 5.
        var moved = [UInt8](repeating: 0, count: 24)
        moved[0 * 4 + 0] = 1; moved[2 * 4 + 1] = 1; moved[5 * 4 + 2] = 1
        let reach = MotionKernel.reach(moved: moved, cells: 4, halfWindow: 1)
        #expect(reach == [0.25, 0.5, 0.25, 0.25, 0.25, 0.25])
        #expect(MotionKernel.reach(moved: moved, cells: 4, halfWindow: 0) == [0.25, 0, 0.25, 0, 0, 0.25])
    }
}
