import Foundation
import LessonMetrics
import MediaIO
import Segmentation

/// A lesson's features saved by `analyze --save-features`, for `bellwork segment`: everything segmentation
/// needs (the media's description, what the decode met, the per-step features and the bell candidates)
/// and the configuration they were extracted with. Compact JSON, versioned.
public struct FeaturesFile: Codable, Sendable, Equatable {
    public static let formatName = "bellwork-features"
    public static let currentVersion = 6

    public var format = FeaturesFile.formatName
    public var version = FeaturesFile.currentVersion
    /// The Bellwork version that extracted the features.
    public var tool = BellworkVersion.string
    public var configuration: AnalysisConfiguration
    public var lesson: ExtractedLesson

    public init(configuration: AnalysisConfiguration, lesson: ExtractedLesson) {
        self.configuration = configuration
        self.lesson = lesson
    }

    private enum CodingKeys: String, CodingKey { case format, version, tool, configuration, lesson }

    /// The configuration is read as a configuration file is, over the defaults: a setting added to the
    /// segmenter or the kinds since the features were saved takes its default, so features saved once serve
    /// every later fit. A setting that no longer exists is an error (analyse again).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        format = try c.decode(String.self, forKey: .format)
        version = try c.decode(Int.self, forKey: .version)
        tool = try c.decode(String.self, forKey: .tool)
        configuration = try AnalysisConfiguration.from(try c.decode(JSONValue.self, forKey: .configuration))
        lesson = try c.decode(ExtractedLesson.self, forKey: .lesson)
    }

    private static let nonFinite = (positive: "inf", negative: "-inf", nan: "nan")

    /// The file's bytes (one line of JSON; non-finite numbers as strings).
    public func data() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: Self.nonFinite.positive, negativeInfinity: Self.nonFinite.negative, nan: Self.nonFinite.nan)
        return try encoder.encode(self)
    }

    /// Reads a features file: a missing or unreadable one is `cannotOpen`, anything else that is not a
    /// features file of this version is `notUsable`.
    public static func read(_ path: String) throws -> FeaturesFile {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw FeaturesFileError(path: path, reason: FileManager.default.fileExists(atPath: path)
                                    ? "cannot be read" : "no such file", cannotOpen: true)
        }
        struct Header: Decodable { var format: String?; var version: Int? }
        guard let header = try? JSONDecoder().decode(Header.self, from: data), header.format == formatName else {
            throw FeaturesFileError(path: path, reason: "not a features file (made by analyze --save-features)")
        }
        guard header.version == currentVersion else {
            throw FeaturesFileError(path: path, reason: "features file version \(header.version ?? 0) is not \(currentVersion): analyse the recording again")
        }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: nonFinite.positive, negativeInfinity: nonFinite.negative, nan: nonFinite.nan)
        let file: FeaturesFile
        do { file = try decoder.decode(FeaturesFile.self, from: data) } catch let error as ConfigurationError {
            // Its settings are not this version's (a setting this build does not know, or out of its range):
            // made by another build of bellwork, or edited.
            throw FeaturesFileError(path: path, reason: "made with settings this bellwork cannot take (\(error.message)): analyse the recording again")
        } catch {
            throw FeaturesFileError(path: path, reason: "a damaged features file")
        }
        if let problem = file.problem {
            throw FeaturesFileError(path: path, reason: "a damaged features file: \(problem)")
        }
        return file
    }

    /// The longest lesson a features file may describe (a day, as the decoder's timelines).
    static let longestSeconds = LessonLimits.longestSeconds

    /// What makes the file unusable (settings out of range, series of different lengths, times that are not
    /// times), or nil: a file edited or damaged by hand gets one line, never a trap in the segmenter.
    var problem: String? {
        do { try configuration.validate() } catch { return "\(error)" }
        let info = lesson.info
        guard [info.videoStreamIndex, info.audioStreamIndex].allSatisfy({ $0.map(info.streams.indices.contains) ?? true })
        else { return "its streams do not match" }
        guard info.durationSeconds.map({ (0...Self.longestSeconds).contains($0) }) ?? true else { return "its stated length is not a lesson's" }
        // The media's description goes into the result as it is: every number in it must be one JSON can hold.
        guard (try? JSONEncoder().encode(info)) != nil else { return "its media description holds a number that is not finite" }
        let f = lesson.features, step = f.stepSeconds
        guard step == configuration.segmentation.features.stepSeconds else { return "its step is not its settings' step" }
        let duration = lesson.decodeReport.decodedSeconds
        guard duration.isFinite, (0...Self.longestSeconds).contains(duration) else { return "its length is not a lesson's" }
        let n = f.motion.count
        guard Double(n) * step <= Self.longestSeconds + step else { return "too many steps" }
        let counts = [f.localMotion.count, f.globalChange.count, f.motionSpread.count, f.motionReach.count,
                      f.cameraSpeed.count, f.activeShare.count, f.luma.count, f.audioDb.count,
                      f.audioVariation.count, f.voiceDb.count, f.bellBandDb.count, f.bellShare.count]
        guard counts.allSatisfy({ $0 == n }), (f.videoMissing?.count ?? n) == n else { return "its series differ in length" }
        let numbers = f.motion + f.localMotion + f.globalChange + f.motionSpread + f.motionReach + f.cameraSpeed + f.activeShare + f.bellShare
            + (f.luma + f.audioDb + f.audioVariation + f.voiceDb + f.bellBandDb).compactMap { $0 }
        guard numbers.allSatisfy(\.isFinite) else { return "a feature is not a finite number" }
        let times = f.bellCandidates.flatMap { [$0.start, $0.end] }
        guard times.allSatisfy({ $0.isFinite && abs($0) <= Self.longestSeconds }) else { return "a bell candidate is not in time" }
        return nil
    }

    /// The configuration to segment with: the file's own, overlaid with `user` (a configuration file's
    /// JSON). Settings that shaped the features (decoding, features, bell tracker) cannot change here.
    public func configuration(overlaying user: JSONValue?) throws -> AnalysisConfiguration {
        guard let user else { return configuration }
        let result = try AnalysisConfiguration.from(user, base: configuration)
        var (mine, theirs) = (configuration.decode, result.decode)
        mine.threads = 0
        theirs.threads = 0
        let fixed = [("decode", mine == theirs), ("features", configuration.segmentation.features == result.segmentation.features),
                     ("bellTracker", configuration.segmentation.bellTracker == result.segmentation.bellTracker)]
        if let changed = fixed.first(where: { !$0.1 })?.0 {
            throw ConfigurationError(message: "the \(changed) settings shaped the saved features and cannot change in segment: analyse the recording again")
        }
        return result
    }
}

/// A features file that cannot be used: one line naming it.
public struct FeaturesFileError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var cannotOpen = false
    public var description: String { "\(path): \(reason)" }
}
