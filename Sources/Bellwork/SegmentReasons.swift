import LessonMetrics
import Segmentation

/// Why a segment is what it is, in a few words a coach can check against the video: how much of the picture
/// moved and whether the movement crossed it, and how the room sounded. The words describe the main inputs the
/// segmenter weighs (its fitted model decides; `docs/TUNING.md`), as medians over the segment's steps, on
/// scales that read the same in every room: the share of the picture moving beyond the camera's own noise,
/// the share that moved within 10 s, and how much the sound's level varies (dB).
public enum SegmentReasons {
    /// The per-step measures the reasons come from; nil where a step has no picture (or no sound).
    public struct Measures: Sendable, Equatable {
        public var stepSeconds: Double
        public var movingShare: [Double?]
        public var reach: [Double?]
        public var levelVariationDb: [Double?]

        public init(stepSeconds: Double, movingShare: [Double?], reach: [Double?], levelVariationDb: [Double?]) {
            self.stepSeconds = stepSeconds
            self.movingShare = movingShare
            self.reach = reach
            self.levelVariationDb = levelVariationDb
        }

        /// From a lesson's features: the picture's measures only where the step has a picture (one that never
        /// changes, a still empty room, is a picture with hardly any movement).
        public init(_ features: FeatureSeries) {
            self.init(stepSeconds: features.stepSeconds,
                      movingShare: zip(features.activeShare, features.luma).map { $1 == nil ? nil : $0 },
                      reach: zip(features.motionReach, features.luma).map { $1 == nil ? nil : $0 },
                      levelVariationDb: features.audioVariation)
        }
    }

    /// One reason per segment, in order.
    public static func reasons(_ segments: [Segment], _ m: Measures) -> [String] {
        segments.map { reason($0, m) }
    }

    /// The reason for one segment, e.g. "much of the room moving, across the picture; many voices".
    public static func reason(_ segment: Segment, _ m: Measures) -> String {
        guard m.stepSeconds > 0 else { return "" }
        // The steps the segment covers, clamped to the series before any conversion (a saved result may be edited).
        func step(_ t: Double, _ rule: FloatingPointRoundingRule, _ count: Int) -> Int {
            let s = (t / m.stepSeconds).rounded(rule)
            return s.isFinite ? Int(min(Double(count), max(0, s))) : 0
        }
        func median(_ a: [Double?]) -> Double? {
            let (first, last) = (step(segment.start, .down, a.count), step(segment.end, .up, a.count))
            guard first < last else { return nil }
            return RobustStatistics.median(a[first..<last].compactMap { $0 })
        }
        var picture = "no picture"
        if let moving = median(m.movingShare) {
            picture = moving >= 0.2 ? "much of the room moving" : moving >= 0.1 ? "part of the room moving"
                : moving >= 0.03 ? "a little movement" : "hardly any movement"
            if moving >= 0.03, let reach = median(m.reach), reach >= 0.4 { picture += ", across the picture" }
        }
        var sound = "no sound"
        if let v = median(m.levelVariationDb) {
            sound = v >= 5.5 ? "one voice rising and falling" : v >= 2.6 ? "many voices" : "steady sound (group talk, a murmur, or quiet)"
        }
        return picture + "; " + sound
    }
}
