/// The result of analysing one lesson: the contract's JSON object, version 1.
///
/// Encodes every key the schema requires, with explicit `null` for a missing bell, creation time,
/// video or audio, and times rounded to 0.01 s; `signals` is left out when nil. Decoding accepts only
/// `schemaVersion` 1. Use ``ResultJSON`` for the contract's stable text form.
public struct AnalysisResult: Sendable, Equatable, Codable {
    /// The contract version this type reads and writes.
    public static let currentSchemaVersion = 1

    /// Always ``currentSchemaVersion``.
    public var schemaVersion: Int { Self.currentSchemaVersion }
    public var tool: Tool
    /// What was analysed.
    public var input: Input
    /// The lesson's length as analysed.
    public var durationSeconds: Double
    public var settings: AnalysisSettings
    /// The bell that starts the class, or nil when there is none.
    public var bell: Bell?
    /// Consecutive segments covering `[0, durationSeconds]`.
    public var segments: [Segment]
    /// Usually `Metrics.compute(segments:bell:duration:settleSeconds:)` with `settings.settleSeconds`.
    public var metrics: Metrics
    /// The per-step series, when asked for.
    public var signals: Signals?
    /// What may make the figures wrong, most important first (empty: nothing known).
    public var warnings: [AnalysisWarning]
    /// `ok`, or `check` when a warning says the figures may be wrong (nil in results of older versions).
    public var status: String?
    /// The likeliest bells heard, best first, the chosen one included (empty: none worth showing).
    public var bellCandidates: [BellCandidateReport] = []

    public init(
        tool: Tool, input: Input, durationSeconds: Double, settings: AnalysisSettings,
        bell: Bell?, segments: [Segment], metrics: Metrics, signals: Signals? = nil,
        warnings: [AnalysisWarning] = [], status: String? = nil
    ) {
        self.tool = tool
        self.input = input
        self.durationSeconds = durationSeconds
        self.settings = settings
        self.bell = bell
        self.segments = segments
        self.metrics = metrics
        self.signals = signals
        self.warnings = warnings
        self.status = status
    }

    /// The program that wrote a result.
    public struct Tool: Sendable, Equatable, Codable {
        /// Always "bellwork" for results this program writes.
        public var name: String
        /// Semantic version, `X.Y.Z`.
        public var version: String
        /// The FFmpeg release and libraries it ran on (`ffmpeg`, `libavformat`, …: version), when known.
        public var ffmpeg: [String: String]?

        public init(name: String = "bellwork", version: String, ffmpeg: [String: String]? = nil) {
            self.name = name
            self.version = version
            self.ffmpeg = ffmpeg
        }
    }

    /// The analysed file, as probed.
    public struct Input: Sendable, Equatable, Codable {
        public var path: String
        public var sizeBytes: Int
        public var durationSeconds: Double
        /// The container format's name, such as "mov,mp4,m4a,3gp,3g2,mj2".
        public var container: String
        /// ISO 8601 creation time from the file's metadata, or nil.
        public var creationTime: String?
        /// The video stream analysed, or nil when there is none.
        public var video: Video?
        /// The audio stream analysed, or nil when there is none.
        public var audio: Audio?

        public init(
            path: String, sizeBytes: Int, durationSeconds: Double, container: String,
            creationTime: String?, video: Video?, audio: Audio?
        ) {
            self.path = path
            self.sizeBytes = sizeBytes
            self.durationSeconds = durationSeconds
            self.container = container
            self.creationTime = creationTime
            self.video = video
            self.audio = audio
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(path, forKey: .path)
            try container.encode(sizeBytes, forKey: .sizeBytes)
            try container.encode(roundedTime(durationSeconds), forKey: .durationSeconds)
            try container.encode(self.container, forKey: .container)
            // `encode`, not `encodeIfPresent`: the schema requires these keys, null when absent.
            try container.encode(creationTime, forKey: .creationTime)
            try container.encode(video, forKey: .video)
            try container.encode(audio, forKey: .audio)
        }
    }

    /// A video stream's properties.
    public struct Video: Sendable, Equatable, Codable {
        public var codec: String
        public var width: Int
        public var height: Int
        public var framesPerSecond: Double
        /// Clockwise angle a player turns the stored picture by to show it upright: 0, 90, 180 or 270.
        public var rotationDegrees: Int

        public init(codec: String, width: Int, height: Int, framesPerSecond: Double, rotationDegrees: Int) {
            self.codec = codec
            self.width = width
            self.height = height
            self.framesPerSecond = framesPerSecond
            self.rotationDegrees = rotationDegrees
        }
    }

    /// An audio stream's properties.
    public struct Audio: Sendable, Equatable, Codable {
        public var codec: String
        public var sampleRate: Int
        public var channels: Int

        public init(codec: String, sampleRate: Int, channels: Int) {
            self.codec = codec
            self.sampleRate = sampleRate
            self.channels = channels
        }
    }

    /// The per-step analysis series, one value per step, for tuning and debugging.
    public struct Signals: Sendable, Equatable, Codable {
        public var stepSeconds: Double
        public var motion: [Double]
        /// Audio level in dB; nil (JSON null) where the step has no audio level, such as silence.
        public var audioDb: [Double?]
        /// Beyond the contract's three (optional, Bellwork's own): the segmenter's smoothed transition score per
        /// step, in robust standard deviations (nil where undecided), and the threshold over which a step is more
        /// likely a transition, so a report drawn from a saved result can show why.
        public var transitionScore: [Double?]?
        public var transitionThreshold: Double?
        /// Bellwork's own too: what the report's reason for each segment is drawn from (`SegmentReasons`): the
        /// share of the picture moving beyond the camera's noise and the share that moved within 10 s (nil
        /// where the step has no picture), and the variation of the sound's level in dB (nil where none).
        public var movingShare: [Double?]?
        public var motionReach: [Double?]?
        public var levelVariationDb: [Double?]?

        public init(stepSeconds: Double, motion: [Double], audioDb: [Double?], transitionScore: [Double?]? = nil,
                    transitionThreshold: Double? = nil, movingShare: [Double?]? = nil, motionReach: [Double?]? = nil,
                    levelVariationDb: [Double?]? = nil) {
            self.stepSeconds = stepSeconds
            self.motion = motion
            self.audioDb = audioDb
            self.transitionScore = transitionScore
            self.transitionThreshold = transitionThreshold
            self.movingShare = movingShare
            self.motionReach = motionReach
            self.levelVariationDb = levelVariationDb
        }
    }

    private enum CodingKeys: String, CodingKey {
        case schemaVersion, tool, input, durationSeconds, settings, bell, segments, metrics, signals, warnings, status,
             bellCandidates
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try checkSchemaVersion(in: container, key: .schemaVersion)
        tool = try container.decode(Tool.self, forKey: .tool)
        input = try container.decode(Input.self, forKey: .input)
        durationSeconds = try container.decode(Double.self, forKey: .durationSeconds)
        settings = try container.decode(AnalysisSettings.self, forKey: .settings)
        bell = try container.decodeIfPresent(Bell.self, forKey: .bell)
        segments = try container.decode([Segment].self, forKey: .segments)
        metrics = try container.decode(Metrics.self, forKey: .metrics)
        signals = try container.decodeIfPresent(Signals.self, forKey: .signals)
        warnings = try container.decodeIfPresent([AnalysisWarning].self, forKey: .warnings) ?? []
        status = try container.decodeIfPresent(String.self, forKey: .status)
        bellCandidates = try container.decodeIfPresent([BellCandidateReport].self, forKey: .bellCandidates) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(schemaVersion, forKey: .schemaVersion)
        try container.encode(tool, forKey: .tool)
        try container.encode(input, forKey: .input)
        try container.encode(roundedTime(durationSeconds), forKey: .durationSeconds)
        try container.encode(settings, forKey: .settings)
        try container.encode(bell?.withRoundedTime, forKey: .bell)  // null when there is no bell
        try container.encode(segments.map(\.withRoundedTimes), forKey: .segments)
        try container.encode(metrics, forKey: .metrics)
        try container.encodeIfPresent(signals, forKey: .signals)  // optional: left out when nil
        try container.encodeIfPresent(warnings.isEmpty ? nil : warnings, forKey: .warnings)  // left out when none
        try container.encodeIfPresent(status, forKey: .status)
        try container.encodeIfPresent(bellCandidates.isEmpty ? nil : bellCandidates.map {
            BellCandidateReport(timeSeconds: roundedTime($0.timeSeconds), confidence: roundedTime($0.confidence), kind: $0.kind)
        }, forKey: .bellCandidates)  // left out when none
    }
}

extension Segment {
    /// This segment with its start and end at the contract's 0.01 s resolution.
    var withRoundedTimes: Segment {
        Segment(start: roundedTime(start), end: roundedTime(end), kind: kind, confidence: confidence)
    }
}

extension Bell {
    /// This bell with its time at the contract's 0.01 s resolution.
    var withRoundedTime: Bell {
        Bell(timeSeconds: roundedTime(timeSeconds), source: source, confidence: confidence)
    }
}

/// Throws unless the container's `schemaVersion` is the one this module reads: a later version may
/// rename or remove fields.
func checkSchemaVersion<Key: CodingKey>(in container: KeyedDecodingContainer<Key>, key: Key) throws {
    let version = try container.decode(Int.self, forKey: key)
    guard version == AnalysisResult.currentSchemaVersion else {
        throw DecodingError.dataCorruptedError(
            forKey: key, in: container,
            debugDescription: "schemaVersion \(version) is not supported; this reads version 1")
    }
}
