import Foundation
import LessonMetrics
import MediaIO
import Segmentation

/// Everything one analysis produced: the contract's result, and what a person or a benchmark may want
/// to know about how it was made.
public struct LessonAnalysis: Sendable {
    public var result: AnalysisResult
    public var decodeReport: DecodeReport
    public var features: FeatureSeries
    /// What the segmenter and the bell detector decided from the features (for `--features`, `--bell-candidates`).
    public var segmentation: LessonSegmentation.Outcome
    /// Things a coach should know (no bell found, truncated file, …), most important first (as in the result).
    public var warnings: [AnalysisWarning]
    /// Wall-clock seconds per stage.
    public var timings: Timings
    /// What the report's reason for each segment is drawn from; nil when not known (a result saved without
    /// `--signals`).
    public var reasonMeasures: SegmentReasons.Measures?

    /// Where the time went, seconds (`--timings`).
    public struct Timings: Sendable, Codable, Equatable {
        /// Wall clock of the whole analysis.
        public var total = 0.0
        /// Wall clock of the decode pass without the feature sinks fed on its threads. With the video in parts
        /// decoded side by side, each part's thread ran its own sinks, so the sinks' seconds are shared out
        /// over the parts before they are taken off the wall clock (an estimate; never below 0).
        public var decode = 0.0
        /// Seconds in the feature sinks (summed over the decoding threads) and in finishing the features.
        public var features = 0.0
        /// Wall clock of the segmentation.
        public var segmentation = 0.0
    }

    public init(result: AnalysisResult, decodeReport: DecodeReport, features: FeatureSeries,
                segmentation: LessonSegmentation.Outcome, warnings: [AnalysisWarning], timings: Timings) {
        self.result = result
        self.decodeReport = decodeReport
        self.features = features
        self.segmentation = segmentation
        self.warnings = warnings
        self.timings = timings
    }

    /// A saved result as an analysis, for `bellwork render`: every output but the per-step tables comes
    /// from the result alone; the report's motion and sound curves from its `signals`, when it has them.
    public init(savedResult result: AnalysisResult) {
        let signals = result.signals
        let features = FeatureSeries(stepSeconds: signals?.stepSeconds ?? 0.5, motion: signals?.motion ?? [],
                                     audioDb: signals?.audioDb ?? [])
        let trace = SegmenterTrace(dead: [], wholePicture: [], scores: signals?.transitionScore ?? [], probabilities: [])
        self.init(result: result, decodeReport: DecodeReport(), features: features,
                  segmentation: .init(bell: result.bell, segments: result.segments, trace: trace,
                                      bellDecision: BellDecision(confidences: [], chosen: nil, bell: result.bell)),
                  warnings: result.warnings, timings: Timings())
        if let signals, let moving = signals.movingShare, let reach = signals.motionReach, let variation = signals.levelVariationDb {
            reasonMeasures = SegmentReasons.Measures(stepSeconds: signals.stepSeconds, movingShare: moving, reach: reach,
                                                     levelVariationDb: variation)
        }
    }
}

/// A lesson decoded and reduced to its features: all that segmentation needs. `FeaturesFile` keeps it, so
/// a lesson is decoded once however often it is segmented.
public struct ExtractedLesson: Sendable, Codable, Equatable {
    public var info: MediaInfo
    public var decodeReport: DecodeReport
    public var features: FeatureSeries
    /// Wall-clock seconds of the decode (features included) and of the features' last steps.
    public var decodeSeconds = 0.0
    public var finishSeconds = 0.0
    /// Seconds the sound's features took on their own thread, beside the decode (`AudioFeatureThread`).
    public var audioFeatureSeconds: Double? = nil
}

/// Decodes, segments and measures one lesson: the pipeline every command uses.
public enum LessonAnalyzer {
    /// Analyses the recording at `path`. `progress` receives the media seconds decoded so far and the
    /// recording's stated duration (when known), about once a second of media.
    public static func analyze(path: String, configuration: AnalysisConfiguration = AnalysisConfiguration(),
                               bell bellChoice: BellChoice = .detect, includeSignals: Bool = false,
                               progress: ((Double, Double?) -> Void)? = nil) throws(MediaError) -> LessonAnalysis {
        let lesson = try extract(path: path, configuration: configuration, progress: progress)
        return finish(lesson, configuration: configuration, bell: bellChoice, includeSignals: includeSignals)
    }

    /// Decodes the recording at `path` into its features.
    public static func extract(path: String, configuration: AnalysisConfiguration,
                               progress: ((Double, Double?) -> Void)? = nil) throws(MediaError) -> ExtractedLesson {
        let started = Date()
        let reader = try MediaReader(path: path)
        let info = reader.info
        let settings = configuration.segmentation
        var sink = SplitFeatureSink(extractor: FeatureExtractor(config: settings, sampleRate: configuration.decode.audioSampleRate,
                                                                transform: RealFFT(size: settings.features.fftSize),
                                                                fineTransform: settings.bellTracker.fineFftSize > 0
                                                                    ? RealFFT(size: settings.bellTracker.fineFftSize) : nil))
        let report = try reader.decode(into: &sink, options: configuration.decode,
                                       progress: progress.map { p in { p($0, info.durationSeconds) } })
        let decoded = Date()
        let (features, audioSeconds) = sink.finish()
        return ExtractedLesson(info: info, decodeReport: report, features: features,
                               decodeSeconds: decoded.timeIntervalSince(started),
                               finishSeconds: Date().timeIntervalSince(decoded), audioFeatureSeconds: audioSeconds)
    }

    /// Segments and measures an extracted lesson. Everything the result reports is rounded here, once.
    public static func finish(_ lesson: ExtractedLesson, configuration: AnalysisConfiguration,
                              bell bellChoice: BellChoice = .detect, includeSignals: Bool = false) -> LessonAnalysis {
        let started = Date()
        let (info, report, features) = (lesson.info, lesson.decodeReport, lesson.features)
        let duration = roundedTime(report.decodedSeconds)
        let found = LessonSegmentation.run(features, duration: duration, config: configuration.segmentation)
        var warnings = report.warnings.map { AnalysisWarning(code: $0.code, message: $0.message, atSeconds: $0.atSeconds) }
        let candidates = bellCandidates(features.bellCandidates, decision: found.bellDecision, duration: duration)
        let bell = chooseBell(bellChoice, detected: found.bell, candidates: candidates, info: info, duration: duration,
                              warnings: &warnings)
        if info.audio == nil {
            warnings.append(AnalysisWarning(code: "no-audio", message: "the recording has no audio: no bell can be heard and sound does not help the segments"))
        }
        if info.video == nil {
            warnings.append(AnalysisWarning(code: "no-video", message: "the recording has no video: segments come from sound alone"))
        }

        let segments = found.segments.map { s in
            Segment(start: roundedTime(s.start), end: roundedTime(s.end), kind: s.kind,
                    confidence: roundedTime(min(1, max(0, s.confidence ?? 0.5))))
        }.filter { $0.end > $0.start }
        let metrics = Metrics.compute(segments: segments, bell: bell?.timeSeconds, duration: duration,
                                      settleSeconds: configuration.settleSeconds)
        warnings += coverageWarnings(segments, metrics: metrics, duration: duration)
        warnings += viewWarnings(found.trace, stepSeconds: features.stepSeconds, duration: duration,
                                 alreadyNoClass: warnings.contains { $0.code == "no-class-in-view" })
        warnings = AnalysisWarning.sorted(warnings)
        let measures = SegmentReasons.Measures(features)
        func rounded(_ a: [Double?]) -> [Double?] { a.map { $0.map { ($0 * 1000).rounded() / 1000 } } }
        let signals = includeSignals
            ? AnalysisResult.Signals(stepSeconds: features.stepSeconds, motion: features.motion, audioDb: features.audioDb,
                                     transitionScore: rounded(found.trace.scores),
                                     transitionThreshold: configuration.segmentation.segmenter.transitionThreshold,
                                     movingShare: rounded(measures.movingShare), motionReach: rounded(measures.reach),
                                     levelVariationDb: rounded(measures.levelVariationDb))
            : nil
        var result = AnalysisResult(
            tool: BellworkVersion.tool,
            input: input(info, analysedDuration: duration),
            durationSeconds: duration,
            settings: configuration.settings,
            bell: bell,
            segments: segments,
            metrics: metrics,
            signals: signals,
            warnings: warnings,
            status: AnalysisWarning.status(warnings)
        )
        result.bellCandidates = candidates
        var timings = LessonAnalysis.Timings()
        timings.segmentation = Date().timeIntervalSince(started)
        timings.features = report.sinkSeconds + (lesson.audioFeatureSeconds ?? 0) + lesson.finishSeconds
        timings.decode = max(0, lesson.decodeSeconds - report.sinkSeconds / Double(max(1, report.videoParts)))
        timings.total = lesson.decodeSeconds + lesson.finishSeconds + timings.segmentation
        var analysis = LessonAnalysis(result: result, decodeReport: report, features: features, segmentation: found,
                                      warnings: warnings, timings: timings)
        analysis.reasonMeasures = measures
        return analysis
    }

    /// The bell the class window starts at (rounded), as the coach chose: detected, given, none, or from
    /// the school's schedule when none is heard.
    static func chooseBell(_ choice: BellChoice, detected: Bell?, candidates: [BellCandidateReport] = [], info: MediaInfo,
                           duration: Double, warnings: inout [AnalysisWarning]) -> Bell? {
        let heard = detected.map { Bell(timeSeconds: roundedTime($0.timeSeconds), source: .detected,
                                        confidence: $0.confidence.map(roundedTime)) }
        switch choice {
        case .detect:
            if heard == nil {
                let likeliest = candidates.prefix(3).map { String(format: "%@ (%.2f)", TimeText.clock($0.timeSeconds), $0.confidence) }
                let named = likeliest.isEmpty ? "" : "; the likeliest sounds were at " + likeliest.joined(separator: ", ")
                warnings.append(AnalysisWarning(code: "no-bell-found", message: "no bell was found: the class window is the whole recording (if you know when it rang, give it with --bell m:ss)" + named))
            }
            return heard
        case .given(let t):
            if t > duration {
                warnings.append(AnalysisWarning(code: "bell-outside-recording", message: String(
                    format: "the bell given (%@) is after the end of the recording (%@): the class window is empty",
                    TimeText.clock(t), TimeText.clock(duration)), atSeconds: duration))
            }
            return Bell(timeSeconds: roundedTime(min(max(0, t), duration)), source: .given, confidence: 1)
        case .none:
            return nil
        case .schedule(let schedule):
            if let heard { return heard }
            if let created = info.creationTime.flatMap(TimeText.parseCreationTime),
               let t = schedule.bell(creation: created, duration: duration) {
                return Bell(timeSeconds: roundedTime(t), source: .schedule, confidence: 0.5)
            }
            warnings.append(AnalysisWarning(code: "no-bell-found", message: "no scheduled bell falls inside this recording (its creation time is \(info.creationTime ?? "unknown"))"))
            return nil
        }
    }

    /// Soundings below this confidence are not shown (chatter and clatter are candidates too). The soundings
    /// beside the bell are calibrated on their own (`BellDetector.otherCalibration`), and few of them are the bell:
    /// on the bells' trials fitted on, none passed over was right more than about 0.18 of the time, so a lower
    /// bar than the bell's shows the likeliest of them, at their honest confidence, for a coach to check.
    public static let shownCandidateConfidence = 0.05
    /// At most this many candidates are shown.
    public static let shownCandidates = 5

    /// The likeliest bells heard, best first: one per sounding (`BellDecision.soundings`: candidates that overlap
    /// or follow within `bellEventGapSeconds` counted once, dated at the first), the chosen one included; at most
    /// `shownCandidates`, none under `shownCandidateConfidence` but the chosen one. The sounding taken for the bell
    /// shows the bell's confidence; the others theirs (`BellDetector.otherCalibration`).
    static func bellCandidates(_ candidates: [BellCandidate], decision: BellDecision, duration: Double) -> [BellCandidateReport] {
        let chosen = decision.soundings.firstIndex { $0.surest == decision.chosen }
        let scored = decision.soundings.indices.filter { candidates.indices.contains(decision.soundings[$0].first)
            && candidates.indices.contains(decision.soundings[$0].surest) && candidates[decision.soundings[$0].first].start <= duration }
            .sorted { decision.soundings[$0].confidence > decision.soundings[$1].confidence }
        var shown = scored.filter { $0 == chosen || decision.soundings[$0].confidence >= shownCandidateConfidence }
        if let chosen, let k = shown.firstIndex(of: chosen), k >= shownCandidates {
            shown.remove(at: k)
            shown.insert(chosen, at: shownCandidates - 1)
        }
        return shown.prefix(shownCandidates).map { k in
            let s = decision.soundings[k]
            let time = k == chosen ? decision.bell?.timeSeconds ?? candidates[s.first].start : candidates[s.first].start
            return BellCandidateReport(timeSeconds: max(0, time), confidence: min(1, max(0, s.confidence)),
                                       kind: candidates[s.surest].meanPartials > 0 ? "tone" : "electric")
        }
    }

    /// Below this many seconds a recording is too short for its figures to mean much.
    public static let shortestLessonSeconds = 60.0
    /// A class window at least this share unknown has no class in view.
    public static let unknownShareForNoClass = 0.9

    /// What the figures cannot tell because of what was decoded: too little media, or no class in view.
    static func coverageWarnings(_ segments: [Segment], metrics: Metrics, duration: Double) -> [AnalysisWarning] {
        var warnings: [AnalysisWarning] = []
        if duration < shortestLessonSeconds {
            warnings.append(AnalysisWarning(code: "too-short", message: String(
                format: "only %.1f s of media could be analysed: too short for the figures to mean much", duration)))
        }
        let window = metrics.classStartSeconds...max(metrics.classStartSeconds, metrics.classEndSeconds)
        let unknown = segments.filter { $0.kind == .unknown }.reduce(0.0) { sum, s in
            sum + max(0, min(s.end, window.upperBound) - max(s.start, window.lowerBound))
        }
        if metrics.classSeconds > 0 && unknown >= unknownShareForNoClass * metrics.classSeconds {
            warnings.append(AnalysisWarning(code: "no-class-in-view", message: String(
                format: "%.0f %% of the class time has no usable picture or sound (black, frozen or silent): the figures say nothing about the class",
                100 * unknown / metrics.classSeconds)))
        }
        return warnings
    }

    /// Stretches the segmenter made unknown because the camera moved, or because no class was in view.
    static func viewWarnings(_ trace: SegmenterTrace, stepSeconds: Double, duration: Double,
                             alreadyNoClass: Bool) -> [AnalysisWarning] {
        func stretches(_ flags: [Bool]) -> (first: Double, seconds: Double)? {
            guard let first = flags.firstIndex(of: true) else { return nil }
            let seconds = Double(flags.filter { $0 }.count) * stepSeconds
            return (min(Double(first) * stepSeconds, duration), min(seconds, duration))
        }
        var warnings: [AnalysisWarning] = []
        if let moving = stretches(trace.cameraMoving) {
            warnings.append(AnalysisWarning(code: "camera-moving", message: String(
                format: "the camera was moving for %.0f s (carried, panned or bumped), from %@: that time is unknown, not class time",
                moving.seconds, TimeText.clock(moving.first)), atSeconds: moving.first))
        }
        if !alreadyNoClass, let empty = stretches(trace.noClass) {
            warnings.append(AnalysisWarning(code: "no-class-in-view", message: String(
                format: "for %.0f s, from %@, nothing moved in the picture and no voices were heard: no class in view, that time is unknown",
                empty.seconds, TimeText.clock(empty.first)), atSeconds: empty.first))
        }
        return warnings
    }

    static func input(_ info: MediaInfo, analysedDuration: Double) -> AnalysisResult.Input {
        let video = info.video.map { v in
            AnalysisResult.Video(codec: v.codec, width: v.width ?? 1, height: v.height ?? 1,
                                 framesPerSecond: v.averageFrameRate ?? v.realFrameRate ?? 0,
                                 rotationDegrees: v.rotationDegrees ?? 0)
        }
        let audio = info.audio.map { a in
            AnalysisResult.Audio(codec: a.codec, sampleRate: a.sampleRate ?? 1, channels: a.channels ?? 1)
        }
        return AnalysisResult.Input(path: info.path, sizeBytes: Int(info.sizeBytes),
                                    durationSeconds: roundedTime(info.durationSeconds ?? analysedDuration),
                                    container: info.container, creationTime: info.creationTime,
                                    video: video, audio: audio)
    }
}
