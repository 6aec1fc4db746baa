import LessonMetrics

/// The whole of Segmentation for the pipeline: from a lesson's feature series to its bell and segments.
public enum LessonSegmentation {
    /// What segmentation decided, unrounded (the result is rounded once, where it is written), and why.
    public struct Outcome: Sendable, Equatable {
        /// The bell that starts the class (`source` `.detected`), nil when there is none.
        public var bell: Bell?
        /// Segments that cover `[0, duration]` without gaps or overlaps.
        public var segments: [Segment]
        public var trace: SegmenterTrace
        public var bellDecision: BellDecision

        public init(bell: Bell?, segments: [Segment], trace: SegmenterTrace, bellDecision: BellDecision) {
            self.bell = bell
            self.segments = segments
            self.trace = trace
            self.bellDecision = bellDecision
        }
    }

    public static func run(_ series: FeatureSeries, duration: Double, config: SegmentationConfig) -> Outcome {
        let decision = BellDetector(config: config.bellDetector)
            .decide(series.bellCandidates, duration: duration,
                    context: BellContext(voiceDb: series.voiceDb, stepSeconds: series.stepSeconds))
        let (segments, trace) = Segmenter(config: config).run(series, duration: duration)
        return Outcome(bell: decision.bell, segments: segments, trace: trace, bellDecision: decision)
    }
}
