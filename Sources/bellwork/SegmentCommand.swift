import ArgumentParser
import Bellwork
import Foundation
import LessonMetrics
import Segmentation

struct SegmentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segment",
        abstract: "Segment and measure a lesson again from its saved features, without decoding it.",
        discussion: """
        Reads a features file written by `analyze --save-features` and gives exactly the result `analyze` \
        gave (or would give with other settings). Settings of the bell detector, the segmenter and the kinds, \
        `settleSeconds` and `minTransitionSeconds` may change (`--config`, overlaid on the settings the \
        features were made with); those that shaped the features (decode, features, bellTracker) may not. \
        For tuning over many lessons: decode each once, segment as often as needed.

        Examples:
          bellwork analyze lesson.mp4 --save-features lesson.features.json
          bellwork segment lesson.features.json --format json
          bellwork segment lesson.features.json --config stricter.json --bell 1:05
        """
    )

    @Argument(help: "A features file (analyze --save-features).")
    var featuresFile: String

    @Option(help: "A JSON file of settings overlaid on those the features were made with.")
    var config: String?

    @Option(help: "Seconds the class must stay clear of transitions to count as settled.")
    var settleSeconds: Double?

    @Option(help: ArgumentHelp("A JSON file of boosted trees for the transition score, in place of the fitted ones (scripts/fit.py model --trees, for its folds).", visibility: .hidden))
    var scoreTrees: String?

    @Option(help: ArgumentHelp("A JSON file of boosted trees for the kinds, in place of the fitted ones (scripts/fit.py model --trees, for its folds).", visibility: .hidden))
    var kindTrees: String?

    @OptionGroup var bellOptions: BellOptions
    @OptionGroup var result: ResultOptions
    @OptionGroup var common: CommonOptions

    func validate() throws {
        if let settleSeconds, !(settleSeconds > 0) { throw ValidationError("--settle-seconds must be greater than 0.") }
    }

    /// Trees a fit gives for its folds (`--score-trees`, `--kind-trees`); a file that is not `what` is one line and 64.
    static func readTrees<T: Decodable>(_ path: String?, _ what: String) throws -> T? {
        guard let path else { return nil }
        do {
            return try JSONDecoder().decode(T.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw CLIFailure(message: "\(path): not a file of \(what) (scripts/fit.py model --trees): \(error.localizedDescription)",
                             status: ExitStatus.usage)
        }
    }

    func run() throws {
        common.setUpLogging()
        try reportingFailures {
            let file: FeaturesFile
            do { file = try FeaturesFile.read(featuresFile) } catch let error as FeaturesFileError {
                throw CLIFailure(message: error.description,
                                 status: error.cannotOpen ? ExitStatus.noInput : ExitStatus.dataError)
            }
            var configuration: AnalysisConfiguration
            do {
                configuration = try file.configuration(overlaying: try config.map(AnalysisConfiguration.loadJSON))
                if let settleSeconds { configuration.settleSeconds = settleSeconds }
                try configuration.validate()
            } catch {
                throw CLIFailure(message: "\(config ?? featuresFile): \(error)", status: ExitStatus.usage)
            }
            if let trees: ScoreTrees = try Self.readTrees(scoreTrees, "score trees") { configuration.segmentation.scoreTrees = trees }
            if let trees: KindTrees = try Self.readTrees(kindTrees, "kind trees") { configuration.segmentation.kindTrees = trees }
            let analysis = LessonAnalyzer.finish(file.lesson, configuration: configuration,
                                                 bell: try bellOptions.choice(), includeSignals: result.signals)
            try refuseBellOutside(analysis, choice: try bellOptions.choice())
            try result.write(analysis, name: file.lesson.info.path)
        }
    }
}
