import ArgumentParser
import Bellwork
import Foundation
import LessonMetrics
import MediaIO

struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Compare results with ground truth by the contract's accuracy measures.",
        discussion: """
        Scores one result against one truth, or every lesson of a folder: for each NAME.truth.json (or \
        NAME.eaf, NAME.csv) in TRUTH, the result NAME.json in RESULT. Truth may be Bellwork JSON, an ELAN \
        document or a CSV of segments, so a coach's own coding can be compared with the engine's.

        Measures (on the truth's class window, transition against everything else): label agreement \
        every 0.1 s, transition F1 at IoU >= 0.5, bell error, bell-to-work latency error, time-on-task error; \
        then the kinds: agreement every 0.1 s, and, pooled over the lessons scored, Cohen's kappa and the \
        confusion matrix (truth's kind by the result's; in JSON also per lesson, under "kinds").

        Examples:
          bellwork score lesson.json lesson.truth.json
          bellwork score results/ Fixtures/lessons/ --format json
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json }

    @Argument(help: "A result file, or a folder of NAME.json results.")
    var result: String

    @Argument(help: "A truth file, or a folder of NAME.truth.json (or .eaf, .csv) files.")
    var truth: String

    @Option(help: "Output format: table or json.")
    var format: Format = .table

    @Option(help: "The ELAN tier of segments to score against, when the truth holds several coders' tiers (default: the first).")
    var tier: String?

    @Option(help: ArgumentHelp("A coder's own names for the kinds: one 'label = kind' a line (Warm-up = transition), read before the usual names.", valueName: "FILE"))
    var labels: String?

    func run() throws {
        try reportingFailures {
            var labelMap: [String: SegmentKind] = [:]
            if let labels {
                // A label map is a few lines: a regular file of at most a megabyte (not a device or a pipe that never ends).
                var info = stat()
                guard FileName.withCString(labels, { stat($0, &info) }) == 0 else {
                    throw CLIFailure(message: "\(labels): no such file", status: ExitStatus.noInput)
                }
                guard info.st_mode & S_IFMT == S_IFREG, info.st_size <= 1 << 20 else {
                    throw CLIFailure(message: "\(labels): not a label map (a text file of at most 1 MB)", status: ExitStatus.dataError)
                }
                guard let data = FileName.contents(of: labels) else {
                    throw CLIFailure(message: "\(labels): cannot be read", status: ExitStatus.noInput)
                }
                do { labelMap = try LabelTables.map(String(decoding: data, as: UTF8.self)) } catch {
                    throw CLIFailure(message: "\(labels): \(error)", status: ExitStatus.dataError)
                }
            }
            var pairs: [(name: String, result: String, truth: String)] = []
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: truth, isDirectory: &isDir), isDir.boolValue {
                let names = try FileManager.default.contentsOfDirectory(atPath: truth).sorted()
                let results = (try? FileManager.default.contentsOfDirectory(atPath: result)) ?? []
                for file in names {
                    guard let name = Self.lessonName(file) else { continue }
                    // NAME.json, or a batch's NAME.EXT.json (the recording's name and `.json`).
                    var candidate = URL(fileURLWithPath: result).appendingPathComponent(name + ".json").path
                    if !FileManager.default.fileExists(atPath: candidate),
                       let batch = results.sorted().first(where: { r in
                           r.hasPrefix(name + ".") && r.hasSuffix(".json") && !r.hasSuffix(".truth.json")
                               && !r.dropFirst(name.count + 1).dropLast(5).contains(".")
                       }) {
                        candidate = URL(fileURLWithPath: result).appendingPathComponent(batch).path
                    }
                    guard FileManager.default.fileExists(atPath: candidate) else { continue }
                    pairs.append((name, candidate, URL(fileURLWithPath: truth).appendingPathComponent(file).path))
                }
                if pairs.isEmpty { throw CLIFailure(message: "\(result): no result matches a truth file in \(truth)", status: ExitStatus.noInput) }
            } else {
                pairs = [(URL(fileURLWithPath: result).deletingPathExtension().lastPathComponent, result, truth)]
            }
            var rows: [(String, Score)] = []
            var confusions: [(String, KindConfusion)] = []
            for p in pairs {
                let tiers = p.truth.lowercased().hasSuffix(".eaf") ? SegmentFiles.eafTiers(p.truth, labels: labelMap) : []
                if tier == nil && tiers.count > 1 {
                    FileHandle.standardError.write(Data("bellwork: \(FileName.display(p.truth)): \(tiers.count) tiers of segments (\(tiers.map(FileName.display).joined(separator: ", "))): scored against \(FileName.display(tiers[0])); --tier chooses another\n".utf8))
                }
                let r: TruthFile, t: TruthFile
                do {
                    r = try SegmentFiles.load(p.result, labels: labelMap)
                    t = try SegmentFiles.load(p.truth, tier: tier, labels: labelMap)
                } catch {
                    throw CLIFailure(message: "\(error)", status: (error as? SegmentFiles.ReadError)?.cannotOpen == true ? ExitStatus.noInput : ExitStatus.dataError)
                }
                rows.append((p.name, Accuracy.score(result: r, truth: t)))
                confusions.append((p.name, KindConfusion(result: r, truth: t)))
            }
            let aggregate = Accuracy.aggregate(rows.map(\.1))
            let pooled = confusions.map(\.1).reduce(KindConfusion(), +)
            switch format {
            case .json:
                struct Output: Encodable {
                    let lessons: [String: Score]; let aggregate: AggregateScore; let kinds: KindsOutput
                }
                let kinds = KindsOutput(lessons: Dictionary(uniqueKeysWithValues: confusions.map { ($0.0, KindsOutput.Lesson($0.1)) }),
                                        pooled: KindsOutput.Lesson(pooled))
                print(String(decoding: try ResultJSON.encode(Output(lessons: Dictionary(uniqueKeysWithValues: rows), aggregate: aggregate,
                                                                     kinds: kinds)), as: UTF8.self), terminator: "")
            case .table:
                print(ScoreTable.render(rows, aggregate) + ScoreTable.render(pooled, lessons: rows.count), terminator: "")
            }
        }
    }

    static func lessonName(_ file: String) -> String? {
        for suffix in [".truth.json", ".truth.eaf", ".truth.csv", ".truth.tsv", ".eaf", ".csv", ".tsv"] where file.hasSuffix(suffix) {
            return String(file.dropLast(suffix.count))
        }
        return nil
    }
}

/// The kinds' agreement beyond the contract's measures, in `score --format json`: per lesson and pooled over
/// all, Cohen's kappa and the confusion matrix in seconds (truth's kind, then the result's, "none" where no
/// segment is).
struct KindsOutput: Encodable {
    struct Lesson: Encodable {
        let kappa: Double?
        let confusionSeconds: [String: [String: Double]]
        init(_ c: KindConfusion) {
            kappa = c.kappa.map { ($0 * 1000).rounded() / 1000 }
            let seconds = c.seconds
            var rows: [String: [String: Double]] = [:]
            for (r, truth) in KindConfusion.labels.enumerated() {
                rows[truth] = Dictionary(uniqueKeysWithValues: KindConfusion.labels.enumerated().map { ($1, (seconds[r][$0] * 10).rounded() / 10) })
            }
            confusionSeconds = rows
        }
        func encode(to encoder: any Encoder) throws {
            enum Keys: String, CodingKey { case kappa, confusionSeconds }
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(kappa, forKey: .kappa)     // null when undefined
            try c.encode(confusionSeconds, forKey: .confusionSeconds)
        }
    }
    let lessons: [String: Lesson]
    let pooled: Lesson
}

enum ScoreTable {
    /// Cohen's kappa of the kinds and the confusion matrix (minutes), pooled over the lessons scored.
    static func render(_ pooled: KindConfusion, lessons: Int) -> String {
        let labels = KindConfusion.labels
        var out = "\nkinds" + (lessons > 1 ? ", all \(lessons) lessons pooled" : "") + ": Cohen's kappa "
            + (pooled.kappa.map { String(format: "%.3f", $0) } ?? "undefined (one kind only)")
            + "; minutes, truth (rows) by result (columns):\n"
        func cell(_ s: String, _ w: Int) -> String { s.count >= w ? s + " " : String(repeating: " ", count: w - s.count) + s }
        out += cell("", 12) + labels.map { cell($0, 12) }.joined() + "\n"
        let seconds = pooled.seconds
        for (r, truth) in labels.enumerated() where seconds[r].contains(where: { $0 > 0 }) || seconds.contains(where: { $0[r] > 0 }) {
            out += cell(truth, 12) + seconds[r].map { cell(String(format: "%.1f", $0 / 60), 12) }.joined() + "\n"
        }
        return out
    }

    static func render(_ rows: [(String, Score)], _ aggregate: AggregateScore) -> String {
        var out = "lesson                              agreement  kinds      transition F1  bell error  latency error  time-on-task error\n"
        func cell(_ s: String, _ w: Int) -> String { s.count >= w ? s + " " : s + String(repeating: " ", count: w - s.count) }
        for (name, s) in rows {
            let bell: String
            switch s.bell {
            case .noBell: bell = "no bell"
            case .found(let e): bell = String(format: "%.2f s", e)
            case .missed: bell = "missed"
            case .extra: bell = "extra"
            }
            out += cell(name, 36) + cell(String(format: "%.1f %%", 100 * s.labelAgreement), 11)
                + cell(String(format: "%.1f %%", 100 * s.kindAgreement), 11)
                + cell(String(format: "%.2f", s.transitionF1), 15) + cell(bell, 12)
                + cell(s.latencyErrorSeconds.map { String(format: "%.1f s", $0) } ?? "–", 15)
                + String(format: "%.1f pts", s.timeOnTaskErrorPoints) + "\n"
        }
        out += String(format: "\n%d lessons: mean agreement %.1f %%, mean kind agreement %.1f %%, mean transition F1 %.2f, bell misses %d, max latency error %@, max time-on-task error %@\n",
                      aggregate.lessonCount, 100 * (aggregate.meanLabelAgreement ?? 0), 100 * (aggregate.meanKindAgreement ?? 0),
                      aggregate.meanTransitionF1 ?? 0,
                      aggregate.bellMisses, aggregate.maxLatencyErrorSeconds.map { String(format: "%.1f s", $0) } ?? "–",
                      aggregate.maxTimeOnTaskErrorPoints.map { String(format: "%.1f pts", $0) } ?? "–")
        return out
    }
}
