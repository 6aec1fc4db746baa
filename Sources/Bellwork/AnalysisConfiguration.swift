import Foundation
import LessonMetrics
import MediaIO
import Segmentation

/// Every tunable of an analysis, in one place: how the media is decoded, how each Segmentation unit works,
/// and how the metrics are measured. As JSON (what `--config FILE` reads and what a result echoes in
/// `settings`): `settleSeconds` and `minTransitionSeconds` at the top, then one object per unit
/// (`decode`, `features`, `bellTracker`, `bellDetector`, `segmenter`, `kinds`). A file may leave out any
/// key, which keeps its default; an unknown key, a wrong type or a value out of range is an error.
public struct AnalysisConfiguration: Codable, Sendable, Equatable {
    /// How the media layer decodes (analysis width, pictures per second, audio rate, decoder shortcuts).
    public var decode: DecodeOptions
    /// Features, bell detection and segmenter settings, one group per unit.
    public var segmentation: SegmentationConfig
    /// How long the class must stay clear of transitions to count as settled (the contract's default 30 s).
    public var settleSeconds: Double

    /// The range of `settleSeconds` (the contract: more than 0).
    public static let settleRange = 0.01...3600.0

    public init() {
        var decode = DecodeOptions()
        // Analysis samples 5 pictures a second: B-frames (or, where I- and P-frames alone are too sparse, frames
        // nothing refers to) can be skipped. The loop filter is kept: with it, skipping changes no picture the
        // analysis takes (a full decode leaves the skippable frames out: `analyseSkippableFrames`), so fast and
        // full decoding give the same figures (scripts/ipad-trials.py; README, "Speed"). Skipping it saved about
        // 30 % of the CPU on H.264 with B-frames and 12-19 % on HEVC, and moved near-still lessons by up to 15 points.
        decode.skipBidirectionalFrames = true
        decode.skipNonReferenceFrames = true
        decode.skipLoopFilter = false
        decode.analyseSkippableFrames = false
        // Key-frame bursts (without B-frames and with a key frame each second, decode each key frame and the
        // analysis picture after it): motion is measured from one pair of pictures a second whatever the decoding
        // (`features.motionPairSeconds`), the pair that a burst decodes, so bursts measure what decoding every
        // frame measures (scripts/ipad-trials.py; README, "Speed").
        decode.keyframeBursts = true
        self.decode = decode
        segmentation = SegmentationConfig()
        settleSeconds = Metrics.defaultSettleSeconds
    }

    private enum Keys: String, CodingKey {
        case settleSeconds, minTransitionSeconds, decode, features, bellTracker, bellDetector, segmenter, kinds
    }

    /// The segmentation groups sit beside `settleSeconds` and `decode`, not under a key of their own. One
    /// container for all (a second container on the same encoder is not reliable in Foundation's encoder:
    /// seen as a garbage `settleSeconds` in an optimised build).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        settleSeconds = try c.decode(Double.self, forKey: .settleSeconds)
        decode = try c.decode(DecodeOptions.self, forKey: .decode)
        segmentation = SegmentationConfig()
        segmentation.minTransitionSeconds = try c.decode(Double.self, forKey: .minTransitionSeconds)
        segmentation.features = try c.decode(FeatureSettings.self, forKey: .features)
        segmentation.bellTracker = try c.decode(BellTrackerSettings.self, forKey: .bellTracker)
        segmentation.bellDetector = try c.decode(BellDetectorSettings.self, forKey: .bellDetector)
        segmentation.segmenter = try c.decode(SegmenterSettings.self, forKey: .segmenter)
        segmentation.kinds = try c.decode(KindSettings.self, forKey: .kinds)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(settleSeconds, forKey: .settleSeconds)
        try c.encode(segmentation.minTransitionSeconds, forKey: .minTransitionSeconds)
        try c.encode(decode, forKey: .decode)
        try c.encode(segmentation.features, forKey: .features)
        try c.encode(segmentation.bellTracker, forKey: .bellTracker)
        try c.encode(segmentation.bellDetector, forKey: .bellDetector)
        try c.encode(segmentation.segmenter, forKey: .segmenter)
        try c.encode(segmentation.kinds, forKey: .kinds)
    }

    /// Checks every setting; throws the first bad one (`SettingError`, which names its key).
    public func validate() throws(SettingError) {
        try require(Self.settleRange.contains(settleSeconds), "settleSeconds", "\(settleSeconds) is outside 0.01...3600")
        try decode.validate(prefix: "decode.")
        try segmentation.validate()
    }

    /// Every setting with its default (this configuration's value), range and meaning, for the docs.
    public static func descriptions() -> [SettingDescription] {
        let d = AnalysisConfiguration()
        func group<G: SettingsGroup>(_ value: G, _ prefix: String) -> [SettingDescription] {
            let values = Dictionary(uniqueKeysWithValues: G.descriptions(of: value).map { ($0.key, $0.defaultValue) })
            return G.descriptions(prefix: prefix).map { item in
                var item = item
                item.defaultValue = values[String(item.key.dropFirst(prefix.count))] ?? item.defaultValue
                return item
            }
        }
        let top = [
            SettingDescription(key: "settleSeconds", defaultValue: d.settleSeconds.settingText, range: settleRange,
                               type: "number", meaning: "How long the class must stay clear of transitions and unknown stretches to count as settled (bell to work)."),
            SettingDescription(key: "minTransitionSeconds", defaultValue: d.segmentation.minTransitionSeconds.settingText,
                               range: SegmentationConfig.minTransitionRange, type: "number",
                               meaning: "Transitions shorter than this many seconds are absorbed by their neighbours."),
        ]
        return top + group(d.decode, "decode.") + group(d.segmentation.features, "features.")
            + group(d.segmentation.bellTracker, "bellTracker.") + group(d.segmentation.bellDetector, "bellDetector.")
            + group(d.segmentation.segmenter, "segmenter.") + group(d.segmentation.kinds, "kinds.")
    }

    /// Reads a configuration file: defaults overlaid with the file's keys, then checked.
    public static func load(_ path: String) throws -> AnalysisConfiguration {
        try from(loadJSON(path))
    }

    /// A configuration file's JSON, unchecked (for `segment`, which overlays it on a features file's).
    public static func loadJSON(_ path: String) throws -> JSONValue {
        // Read as a stream, so a pipe (`--config <(...)`) works as well as a file.
        guard let handle = FileHandle(forReadingAtPath: path), let data = try? handle.readToEnd() ?? Data() else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist"
            throw ConfigurationError(message: "the configuration file \(reason)")
        }
        do { return try JSONDecoder().decode(JSONValue.self, from: data) } catch {
            throw ConfigurationError(message: "the configuration file is not JSON")
        }
    }

    /// A configuration from a JSON object of settings (a file's, or a result's `settings`).
    /// What `user` leaves out comes from `base`.
    public static func from(_ user: JSONValue, base: AnalysisConfiguration = AnalysisConfiguration()) throws -> AnalysisConfiguration {
        let defaults = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(base))
        let user = try legacy(user)
        let merged = try overlay(defaults, user, path: "")
        let configuration: AnalysisConfiguration
        do {
            configuration = try JSONDecoder().decode(AnalysisConfiguration.self, from: JSONEncoder().encode(merged))
        } catch let DecodingError.typeMismatch(type, context) {
            throw ConfigurationError(message: "setting \(keyPath(context.codingPath)): must be \(typeName(type))")
        } catch let DecodingError.valueNotFound(type, context) {
            throw ConfigurationError(message: "setting \(keyPath(context.codingPath)): must be \(typeName(type))")
        } catch {
            throw ConfigurationError(message: "setting \(culprit(user, defaults: defaults) ?? "?"): must be a whole number")
        }
        do { try configuration.validate() } catch { throw ConfigurationError(message: error.description) }
        return configuration
    }

    /// The key of the first value in `user` that does not decode on its own (a number that does not fit
    /// the setting's type: a fraction for a whole number, or out of its reach), when the decoder did not say.
    private static func culprit(_ user: JSONValue, defaults: JSONValue, path: [String] = []) -> String? {
        guard case .object(let members) = user else {
            var single: JSONValue = user
            for key in path.reversed() { single = .object([key: single]) }
            guard let merged = try? overlay(defaults, single, path: ""),
                  let data = try? JSONEncoder().encode(merged) else { return path.joined(separator: ".") }
            return (try? JSONDecoder().decode(AnalysisConfiguration.self, from: data)) == nil ? path.joined(separator: ".") : nil
        }
        for (key, value) in members.sorted(by: { $0.key < $1.key }) {
            if let found = culprit(value, defaults: defaults, path: path + [key]) { return found }
        }
        return nil
    }

    private static func keyPath(_ path: [any CodingKey]) -> String { path.map(\.stringValue).joined(separator: ".") }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type: "a whole number"
        case is Bool.Type: "true or false"
        case is Double?.Type: "a number or null"
        default: "a number"
        }
    }

    /// Files written before the settings were grouped by unit hold one `segmentation` object: each of its
    /// keys goes to the unit (or units) that own it now.
    private static func legacy(_ user: JSONValue) throws -> JSONValue {
        guard case .object(var top) = user, case .object(let old)? = top["segmentation"] else { return user }
        top["segmentation"] = nil
        let groups = try JSONDecoder().decode([String: JSONValue].self,
                                              from: JSONEncoder().encode(SegmentationConfig()))
        for (key, value) in old {
            if key == "minTransitionSeconds" { top[key] = value; continue }
            let owners = groups.compactMap { name, group -> String? in
                if case .object(let members) = group, members[key] != nil { return name }
                return nil
            }
            if owners.isEmpty && retired.contains("bellDetector." + key) { continue }
            guard !owners.isEmpty else { throw ConfigurationError(message: "unknown setting segmentation.\(key)") }
            for owner in owners {
                var members: [String: JSONValue] = [:]
                if case .object(let m)? = top[owner] { members = m }
                members[key] = value
                top[owner] = .object(members)
            }
        }
        return .object(top)
    }

    /// Settings that earlier versions had and this one has not: a file that sets them is still read, and they
    /// are ignored. The bell detector's hand-set vetoes gave way to a fitted classifier (2026-12-05).
    static let retired: Set<String> = Set(["bellMaxDecayDbPerSecond", "bellMaxPurity", "bellMinBrightShare",
                                            "bellMinSustainShare", "bellMinMeanTiltDb", "bellMaxSwingDb", "bellMinStableShare",
                                            "bellMinStandOutDb", "bellMaxHarmonicity", "bellRiseDb", "tonalMinSeconds",
                                            "tonalMinPartials", "tonalMinPartialSeconds", "tonalMinOnsetRiseDb"]
        .map { "bellDetector." + $0 })

    private static func overlay(_ base: JSONValue, _ top: JSONValue, path: String) throws -> JSONValue {
        guard case .object(var baseObject) = base else { return top }
        guard case .object(let topObject) = top else {
            throw ConfigurationError(message: "\(path.isEmpty ? "the configuration" : "setting " + path) must be a JSON object")
        }
        for (key, value) in topObject {
            let keyPath = path.isEmpty ? key : "\(path).\(key)"
            guard let existing = baseObject[key] else {
                if retired.contains(keyPath) { continue }
                throw ConfigurationError(message: "unknown setting \(keyPath)")
            }
            if case .object = value, case .object = existing {} else if case .object = value {
                throw ConfigurationError(message: "setting \(keyPath): must be \(existing == .null ? "a number or null" : "a value, not an object")")
            }
            baseObject[key] = try overlay(existing, value, path: keyPath)
        }
        return .object(baseObject)
    }

    /// Every tunable as the contract's `settings`: the configuration's own JSON, so it can be fed back as
    /// `--config`.
    public var settings: AnalysisSettings {
        let json = (try? JSONDecoder().decode([String: JSONValue].self, from: JSONEncoder().encode(self))) ?? [:]
        var other = json
        other["settleSeconds"] = nil
        other["minTransitionSeconds"] = nil
        return AnalysisSettings(settleSeconds: settleSeconds, minTransitionSeconds: segmentation.minTransitionSeconds,
                                other: other)
    }
}

public struct ConfigurationError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
