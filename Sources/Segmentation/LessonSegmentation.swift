import LessonMetrics

/// The whole of Segmentation for the pipeline: from a lesson's feature series to its bell and segments.
public enum LessonSegmentation {
    /// The bell that starts the class (`source` `.detected`, nil when there is none) and segments that
    /// cover `[0, duration]` without gaps or overlaps.
    public static func run(_ series: FeatureSeries, duration: Double,
                           config: SegmentationConfig) -> (bell: Bell?, segments: [Segment]) {
        let bell = BellDetector(config: config.bellDetector).startingBell(series.bellCandidates, duration: duration)
        let segments = Segmenter(config: config).segments(series, duration: duration)
        return (bell, segments)
    }
}
