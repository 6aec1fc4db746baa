import MediaSamples

/// The picture side of `FeatureExtractor`: per step, the motion between consecutive analysis pictures,
/// split into local and global change, the mean luma, and the motion of each grid cell.
///
/// A picture that follows a gap (frames between were not decoded: key-frame bursts) is not compared with
/// the one before it; the steps in the gap left without a picture pair are missing (`missingSteps`), not
/// still.
///
/// Keeps the previous picture and the per-step series. A lesson's pictures may be split in time between
/// two of these, each fed on its own thread, and merged (`merge(later:fromStep:)`).
public struct VideoFeatures: PictureSink, Sendable {
    private let step: Double
    private let columns: Int
    private let rows: Int
    let cellCount: Int
    private var previous: [UInt8] = []
    private var previousSize = (width: 0, height: 0)
    private var cellScratch: [Float]
    private var profileScratch: [Float] = []
    private var previousProfilesValid = false
    private var warped: [UInt8] = []
    private var warpedCurrent: [UInt8] = []
    private let shiftSplit: Bool
    private let maxShiftShare: Double
    private let shiftGain: Double
    private let shiftNoise: Double
    private var previousTime = 0.0
    private var videoStep = -1
    private var vPairs = 0, vPictures = 0
    private var vAbs = 0.0, vLocal = 0.0, vGlobal = 0.0, vLuma = 0.0, vCamera = 0.0
    private var vCells: [Float]
    private(set) var motion: [Double] = []
    private(set) var localMotion: [Double] = []
    private(set) var globalChange: [Double] = []
    private(set) var luma: [Double?] = []
    private(set) var cameraSpeed: [Double] = []
    private(set) var cellMotion: [Float] = []      // cellCount values a step; NaN where the step had no pair
    /// Times between which frames were not decoded: from the picture before each gap to the one after it.
    private(set) var gaps: [(from: Double, to: Double)] = []
    private var hasPrevious = false
    /// `FeatureSettings.motionPairSeconds`; with it, the last interval in which a pair was measured, and the
    /// last step with a pair and its values (held over the steps after it within the interval).
    private let pairSeconds: Double
    private var lastPairInterval = -Double.infinity
    private var intervalOrigin = 0.0
    private var heldStep = Int.min
    private var held: (abs: Double, local: Double, global: Double, camera: Double, luma: Double?) = (0, 0, 0, 0, nil)
    private var heldCells: [Float] = []
    /// With `motionPairSeconds`: the luma of the later picture of the step's pair (the step's luma then, so that
    /// it does not depend on which other pictures were decoded).
    private var vPairLuma = 0.0

    public init(config: FeatureSettings) {
        step = config.stepSeconds
        columns = config.motionGridColumns
        rows = config.motionGridRows
        cellCount = max(1, columns * rows)
        maxShiftShare = config.cameraMaxShiftShare
        shiftGain = config.cameraShiftGain
        shiftNoise = config.cameraShiftNoise
        shiftSplit = config.cameraShiftSplit
        pairSeconds = config.motionPairSeconds
        cellScratch = [Float](repeating: 0, count: cellCount)
        vCells = [Float](repeating: 0, count: cellCount)
    }

    public mutating func consume(video frame: borrowing LumaFrame) {
        let (time, width, height, afterGap, afterKey) = (frame.time, frame.width, frame.height, frame.afterGap, frame.afterKey)
        frame.withPixels { consume(picture: $0, width: width, height: height, time: time, afterGap: afterGap, afterKey: afterKey) }
    }

    /// One analysis picture (`width × height` bytes of luma, rows packed) shown at `time` seconds;
    /// `afterGap`: the frames since the previous picture were not decoded (it is not compared with it).
    public mutating func consume(picture pixels: UnsafeBufferPointer<UInt8>, width: Int, height: Int, time: Double,
                                 afterGap: Bool = false, afterKey: Bool = false) {
        let index = max(0, Int((time / step).rounded(.down)))
        if index != videoStep {
            flush()
            videoStep = index
        }
        let count = width * height
        guard count > 0, pixels.count >= count else { return }
        if afterGap {
            gaps.append((from: hasPrevious ? previousTime : 0, to: time))
            // Not compared with the picture before the gap.
            previousSize = (0, 0)
        }
        hasPrevious = true
        let comparable = previousSize.width == width && previousSize.height == height && previous.count == count
        // With one pair an interval, the intervals start again at each key frame's first picture, and the pair
        // that ends there is not taken: a burst decodes from the key frame on and has no such pair.
        let taken = comparable && !(afterKey && pairSeconds > 0) && takesPair(after: previousTime)
        if afterKey && pairSeconds > 0 { (intervalOrigin, lastPairInterval) = (time, -.infinity) }
        var difference: FrameDifference? = nil
        var speed = 0.0
        if taken {
            (difference, speed) = measurePair(pixels, width: width, height: height, time: time)
        } else {
            previousProfilesValid = false
        }
        previousTime = time
        if previous.count != count { previous = [UInt8](repeating: 0, count: count) }
        previous.withUnsafeMutableBufferPointer { dst in
            _ = dst.initialize(fromContentsOf: pixels)
        }
        if difference == nil { vLuma += MotionKernel.meanLuma(pixels) }
        previousSize = (width, height)
        vPictures += 1
        if let d = difference {
            vPairs += 1
            vAbs += d.meanAbsolute
            vLocal += d.local
            vGlobal += abs(d.meanSigned)
            vLuma += d.meanLuma
            vPairLuma = d.meanLuma
            vCamera += speed
            for i in 0..<cellCount { vCells[i] += cellScratch[i] }
        }
    }

    /// The pair of the previous picture and this one: the camera's own motion found and taken out, then the
    /// difference cell by cell (into `cellScratch`), and the camera's speed in picture widths a second.
    private mutating func measurePair(_ pixels: UnsafeBufferPointer<UInt8>, width: Int, height: Int,
                                      time: Double) -> (FrameDifference, Double) {
        let columns = self.columns, rows = self.rows, count = width * height
        var speed = 0.0
        // The camera's own motion first (pan, shake, a bump), so that what is left is the class's.
        let cellSide = min(width / columns, height / rows)
        let maxShift = min(Int(maxShiftShare * Double(width)), cellSide - 1)
        if profileScratch.count != 2 * (width + height) { profileScratch = [Float](repeating: 0, count: 2 * (width + height)) }
        let (gain, noise) = (shiftGain, shiftNoise)
        let shift = profileScratch.withUnsafeMutableBufferPointer { both -> (dx: Double, dy: Double) in
            let mine = UnsafeMutableBufferPointer(rebasing: both[0..<(width + height)])
            let theirs = UnsafeMutableBufferPointer(rebasing: both[(width + height)...])
            MotionKernel.profiles(pixels, width: width, height: height, into: mine)
            if !previousProfilesValid {
                previous.withUnsafeBufferPointer { MotionKernel.profiles($0, width: width, height: height, into: theirs) }
            }
            let found = MotionKernel.globalShift(currentProfiles: UnsafeBufferPointer(mine), previousProfiles: UnsafeBufferPointer(theirs),
                                                 width: width, height: height, maxShift: maxShift, gain: gain, noise: noise)
            // This picture's profiles are the next one's previous.
            theirs.baseAddress!.update(from: mine.baseAddress!, count: width + height)
            return found
        }
        previousProfilesValid = true
        let dt = time - previousTime
        if dt > 0 { speed = (shift.dx * shift.dx + shift.dy * shift.dy).squareRoot() / Double(width) / dt }
        // Whole pixels by the offset of the comparison, the fraction by moving the previous picture (with
        // `cameraShiftSplit`, half of it, and this picture by the other half).
        let offset = (dx: Int(shift.dx.rounded()), dy: Int(shift.dy.rounded()))
        let (fx, fy) = (shift.dx - Double(offset.dx), shift.dy - Double(offset.dy))
        let fractional = fx != 0 || fy != 0
        // With the split, the previous picture moves by half the fraction and this one by half back: both are
        // interpolated alike (previous(x − f/2) against current(x + f/2), the same place when current(x) is
        // previous(x − f)), so detail blurred in one is blurred in the other.
        let split = shiftSplit && fractional
        if fractional {
            if warped.count != count { warped = [UInt8](repeating: 0, count: count) }
            let (px, py) = split ? (fx / 2, fy / 2) : (fx, fy)
            previous.withUnsafeBufferPointer { prev in
                warped.withUnsafeMutableBufferPointer { MotionKernel.shiftFraction(prev, width: width, height: height, fx: px, fy: py, into: $0) }
            }
        }
        if split {
            if warpedCurrent.count != count { warpedCurrent = [UInt8](repeating: 0, count: count) }
            warpedCurrent.withUnsafeMutableBufferPointer {
                MotionKernel.shiftFraction(pixels, width: width, height: height, fx: -fx / 2, fy: -fy / 2, into: $0)
            }
        }
        let reference = fractional ? warped : previous
        let difference = reference.withUnsafeBufferPointer { prev in
            cellScratch.withUnsafeMutableBufferPointer { cells in
                func compare(_ current: UnsafeBufferPointer<UInt8>) -> FrameDifference {
                    MotionKernel.difference(current: current, previous: prev, width: width, height: height,
                                            columns: columns, rows: rows, cells: cells, offset: offset)
                }
                return split ? warpedCurrent.withUnsafeBufferPointer(compare) : compare(pixels)
            }
        }
        return (difference, speed)
    }

    /// Whether the pair whose earlier picture was shown at `time` is measured: every pair, or with
    /// `motionPairSeconds` the first whose earlier picture lies in a new interval (counted from the last key
    /// frame's first picture, or from 0).
    private mutating func takesPair(after time: Double) -> Bool {
        guard pairSeconds > 0 else { return true }
        // In floating point: an absurdly small interval gives huge numbers, not a trap.
        let interval = ((time - intervalOrigin) / pairSeconds + 1e-6).rounded(.down)
        guard interval != lastPairInterval else { return false }
        lastPairInterval = interval
        return true
    }

    /// With `motionPairSeconds`: whether `stepIndex` holds the values of the last step with a pair.
    private func holds(_ stepIndex: Int) -> Bool {
        pairSeconds > 0 && heldStep >= 0 && stepIndex > heldStep
            && Double(stepIndex - heldStep) * step < pairSeconds - 1e-9
    }

    /// Closes the step being filled (its values join the series).
    mutating func flush() {
        guard videoStep >= 0 else { return }
        padSteps(to: videoStep)
        let stepLuma = pairSeconds > 0 && vPairs > 0 ? vPairLuma : vPictures > 0 ? vLuma / Double(vPictures) : nil
        if vPairs == 0 && holds(videoStep) {
            appendHeld()
        } else {
            let pairs = Double(max(vPairs, 1))
            motion.append(vPairs > 0 ? vAbs / pairs : 0)
            localMotion.append(vPairs > 0 ? vLocal / pairs : 0)
            globalChange.append(vPairs > 0 ? vGlobal / pairs : 0)
            luma.append(stepLuma)
            cameraSpeed.append(vPairs > 0 ? vCamera / pairs : 0)
            for i in 0..<cellCount { cellMotion.append(vPairs > 0 ? vCells[i] / Float(vPairs) : .nan) }
            if vPairs > 0 && pairSeconds > 0 {
                heldStep = videoStep
                held = (motion.last!, localMotion.last!, globalChange.last!, cameraSpeed.last!, stepLuma)
                heldCells = Array(cellMotion[(cellMotion.count - cellCount)...])
            }
        }
        for i in 0..<cellCount { vCells[i] = 0 }
        vPairs = 0; vPictures = 0; vAbs = 0; vLocal = 0; vGlobal = 0; vLuma = 0; vCamera = 0
        videoStep = -1
    }

    /// The held step's values as the next step's.
    private mutating func appendHeld() {
        motion.append(held.abs); localMotion.append(held.local); globalChange.append(held.global)
        luma.append(held.luma); cameraSpeed.append(held.camera)
        cellMotion += heldCells
    }

    /// Per step of the series so far (call after `flush`): whether its motion is missing because frames
    /// were not decoded there (it has no picture pair and lies in a gap), rather than measured.
    func missingSteps() -> [Bool] {
        var missing = [Bool](repeating: false, count: motion.count)
        for gap in gaps {
            let first = max(0, Int((gap.from / step).rounded(.down)))
            let last = min(motion.count - 1, Int((gap.to / step).rounded(.down)))
            guard first <= last else { continue }
            for s in first...last where cellMotion[s * cellCount].isNaN { missing[s] = true }
        }
        return missing
    }

    /// After the last picture (call after `flush`): the steps up to `count` that hold the last pair (the
    /// file's last second, when a burst decoded only its first pictures).
    mutating func holdToEnd(_ count: Int) {
        while motion.count < count && holds(motion.count) { appendHeld() }
    }

    /// Steps without any picture, up to `count` steps.
    private mutating func padSteps(to count: Int) {
        while motion.count < count {
            if holds(motion.count) { appendHeld(); continue }
            motion.append(0); localMotion.append(0); globalChange.append(0); luma.append(nil); cameraSpeed.append(0)
            cellMotion.append(contentsOf: repeatElement(Float.nan, count: cellCount))
        }
    }

    /// This side's steps before `fromStep`, then `later`'s from `fromStep` on. `later` must have seen the
    /// pictures of a whole step before `fromStep` (so its first pair there is whole), this side every
    /// picture before `fromStep`'s start.
    mutating func merge(later: consuming VideoFeatures, fromStep: Int) {
        flush()
        later.flush()
        if motion.count > fromStep {
            motion.removeLast(motion.count - fromStep)
            localMotion.removeLast(localMotion.count - fromStep)
            globalChange.removeLast(globalChange.count - fromStep)
            luma.removeLast(luma.count - fromStep)
            cameraSpeed.removeLast(cameraSpeed.count - fromStep)
            cellMotion.removeLast(cellMotion.count - fromStep * cellCount)
        }
        guard later.motion.count > fromStep else { return }
        padSteps(to: fromStep)
        motion += later.motion[fromStep...]
        localMotion += later.localMotion[fromStep...]
        globalChange += later.globalChange[fromStep...]
        luma += later.luma[fromStep...]
        cameraSpeed += later.cameraSpeed[fromStep...]
        cellMotion += later.cellMotion[(fromStep * cellCount)...]
        // The last pair held is the later side's.
        (heldStep, held, heldCells) = (later.heldStep, later.held, later.heldCells)
        // Each side's gaps where its steps are kept (a gap that ends past the boundary is the later side's:
        // this side saw no picture after it).
        let boundary = Double(fromStep) * step
        gaps = gaps.filter { $0.from < boundary } + later.gaps.filter { $0.to >= boundary }
    }
}
