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
    /// Things a coach should know (no bell found, truncated file, silent audio, …), in plain words.
    public var warnings: [String]
    /// Wall-clock seconds per stage.
    public var timings: Timings

    public struct Timings: Sendable, Codable, Equatable {
        public var total = 0.0
        public var decode = 0.0
        public var features = 0.0
        public var segmentation = 0.0
    }
}

/// Decodes, segments and measures one lesson: the pipeline every command uses.
public enum LessonAnalyzer {
    /// Analyses the recording at `path`. `progress` receives the media seconds decoded so far and the
    /// recording's stated duration (when known), about once a second of media.
    public static func analyze(path: String, configuration: AnalysisConfiguration = AnalysisConfiguration(),
                               bell bellChoice: BellChoice = .detect, includeSignals: Bool = false,
                               progress: ((Double, Double?) -> Void)? = nil) throws(MediaError) -> LessonAnalysis {
        let started = Date()
        let reader = try MediaReader(path: path)
        let info = reader.info
        var sink = SplitFeatureSink(extractor: FeatureExtractor(
            config: configuration.segmentation, transform: RealFFT(size: configuration.segmentation.features.fftSize)))
        let report = try reader.decode(into: &sink, options: configuration.decode,
                                       progress: progress.map { p in { p($0, info.durationSeconds) } })
        let decoded = Date()
        let features = sink.extractor.finish()
        let duration = roundedTime(report.decodedSeconds)
        let found = LessonSegmentation.run(features, duration: duration, config: configuration.segmentation)
        let segmented = Date()

        var warnings = report.warnings
        var bell: Bell?
        switch bellChoice {
        case .detect:
            bell = found.bell
        case .given(let t):
            bell = Bell(timeSeconds: roundedTime(min(max(0, t), duration)), source: .given, confidence: 1)
        case .none:
            bell = nil
        case .schedule(let schedule):
            bell = found.bell
            if bell == nil {
                if let created = info.creationTime.flatMap(TimeText.parseCreationTime),
                   let t = schedule.bell(creation: created, duration: duration) {
                    bell = Bell(timeSeconds: roundedTime(t), source: .schedule, confidence: 0.5)
                } else {
                    warnings.append("no scheduled bell falls inside this recording (its creation time is \(info.creationTime ?? "unknown"))")
                }
            }
        }
        if bellChoice == .detect && bell == nil {
            warnings.append("no bell was found: the class window is the whole recording (if you know when it rang, give it with --bell m:ss)")
        }
        if info.audio == nil { warnings.append("the recording has no audio: no bell can be heard and sound does not help the segments") }
        if info.video == nil { warnings.append("the recording has no video: segments come from sound alone") }

        var segments = found.segments
        for i in segments.indices {
            segments[i].start = roundedTime(segments[i].start)
            segments[i].end = roundedTime(segments[i].end)
            segments[i].confidence = segments[i].confidence.map { min(1, max(0, $0)) } ?? 0.5
        }
        let metrics = Metrics.compute(segments: segments, bell: bell?.timeSeconds, duration: duration,
                                      settleSeconds: configuration.settleSeconds)
        let signals = includeSignals
            ? AnalysisResult.Signals(stepSeconds: features.stepSeconds, motion: features.motion, audioDb: features.audioDb)
            : nil
        let result = AnalysisResult(
            tool: .init(name: "bellwork", version: BellworkVersion.string),
            input: input(info, analysedDuration: duration),
            durationSeconds: duration,
            settings: configuration.settings,
            bell: bell,
            segments: segments,
            metrics: metrics,
            signals: signals
        )
        var timings = LessonAnalysis.Timings()
        timings.total = segmented.timeIntervalSince(started)
        timings.decode = decoded.timeIntervalSince(started) - report.sinkSeconds
        timings.features = report.sinkSeconds
        timings.segmentation = segmented.timeIntervalSince(decoded)
        return LessonAnalysis(result: result, decodeReport: report, features: features, warnings: warnings, timings: timings)
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
