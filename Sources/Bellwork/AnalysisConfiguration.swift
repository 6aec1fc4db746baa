import Foundation
import LessonMetrics
import MediaIO
import Segmentation

/// Every tunable of an analysis, in one place: how the media is decoded, how it is segmented, and how
/// the metrics are measured. `--config FILE` reads a JSON object with any of these keys (nested
/// `decode` and `segmentation` objects, and `settleSeconds`); what it leaves out keeps its default.
public struct AnalysisConfiguration: Codable, Sendable, Equatable {
    /// How the media layer decodes (analysis width, pictures per second, audio rate, decoder shortcuts).
    public var decode: DecodeOptions
    /// Features, bell detection and segmenter thresholds.
    public var segmentation: SegmentationConfig
    /// How long the class must stay clear of transitions to count as settled (the contract's default 30 s).
    public var settleSeconds: Double

    public init() {
        var decode = DecodeOptions()
        // Analysis samples 5 pictures a second: B-frames (or, where I- and P-frames alone are too sparse,
        // frames nothing refers to) and the loop filter can be skipped (measured in benchmarks/RESULTS.md
        // against full decoding).
        decode.skipBidirectionalFrames = true
        decode.skipNonReferenceFrames = true
        decode.skipLoopFilter = true
        self.decode = decode
        segmentation = SegmentationConfig()
        settleSeconds = Metrics.defaultSettleSeconds
    }

    /// Reads a configuration file: defaults overlaid with the file's keys. Unknown keys are errors, so a
    /// misspelt threshold is never silently ignored.
    public static func load(_ path: String) throws -> AnalysisConfiguration {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist"
            throw ConfigurationError(message: "the configuration file \(reason)")
        }
        let user: JSONValue
        do { user = try JSONDecoder().decode(JSONValue.self, from: data) } catch {
            throw ConfigurationError(message: "the configuration file is not JSON")
        }
        let defaults = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(AnalysisConfiguration()))
        let merged = try overlay(defaults, user, path: "")
        return try JSONDecoder().decode(AnalysisConfiguration.self, from: JSONEncoder().encode(merged))
    }

    private static func overlay(_ base: JSONValue, _ top: JSONValue, path: String) throws -> JSONValue {
        guard case .object(var baseObject) = base else { return top }
        guard case .object(let topObject) = top else {
            throw ConfigurationError(message: "\(path.isEmpty ? "the configuration" : path) must be a JSON object")
        }
        for (key, value) in topObject {
            let keyPath = path.isEmpty ? key : "\(path).\(key)"
            guard let existing = baseObject[key] else {
                throw ConfigurationError(message: "unknown setting \(keyPath)")
            }
            baseObject[key] = try overlay(existing, value, path: keyPath)
        }
        return .object(baseObject)
    }

    /// Every tunable as the contract's `settings`.
    public var settings: AnalysisSettings {
        var other: [String: JSONValue] = [:]
        for (name, value) in segmentation.settingsDictionary() { other[name] = .number(value) }
        other["analysisWidth"] = .number(Double(decode.analysisWidth))
        other["videoSamplesPerSecond"] = decode.videoSamplesPerSecond.map { .number($0) } ?? .null
        other["audioSampleRate"] = .number(Double(decode.audioSampleRate))
        other["skipBidirectionalFrames"] = .bool(decode.skipBidirectionalFrames)
        other["minimumPictureRateFactor"] = .number(decode.minimumPictureRateFactor)
        other["skipNonReferenceFrames"] = .bool(decode.skipNonReferenceFrames)
        other["skipLoopFilter"] = .bool(decode.skipLoopFilter)
        other["fastScaler"] = .bool(decode.fastScaler)
        return AnalysisSettings(settleSeconds: settleSeconds, minTransitionSeconds: segmentation.minTransitionSeconds,
                                other: other)
    }
}

public struct ConfigurationError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
