import ArgumentParser
import Bellwork
import BellworkOutputs
import Foundation
import LessonMetrics
import MediaIO

struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Write a saved result (the contract's JSON) in another format: the report, chapters, annotations, a table.",
        discussion: """
        For results written earlier, by `analyze --format json` or by a batch (`results/…json`): no recording \
        is needed and nothing is analysed again. The HTML report draws the motion and sound curves when the \
        result holds its signals (`analyze --signals`); without them, the rest of the page is the same.

        Examples:
          bellwork render /srv/bellwork/results/smith/week1.mp4.json --format html -o week1.html
          bellwork render lesson.json --format vtt -o lesson.vtt
          bellwork render lesson.json --format eaf -o lesson.eaf
        """
    )

    @Argument(help: ArgumentHelp("A result file (the contract's JSON).", valueName: "RESULT"))
    var resultFile: String

    @Option(name: .shortAndLong, help: "How to write it.")
    var format: OutputFormat = .html

    @Option(name: .shortAndLong, help: "Write to this file (atomically) instead of standard output; - is standard output.")
    var output: String?

    func run() throws {
        try reportingFailures {
            guard let data = FileName.contents(of: resultFile) else {
                throw CLIFailure(message: "\(resultFile): \(FileManager.default.fileExists(atPath: resultFile) ? "cannot be read" : "no such file")",
                                 status: ExitStatus.noInput)
            }
            let result: AnalysisResult
            do { result = try ResultJSON.decode(AnalysisResult.self, from: data) } catch {
                throw CLIFailure(message: "\(resultFile): not a Bellwork result (the JSON that analyze --format json writes)", status: ExitStatus.dataError)
            }
            if let problem = result.problem {
                throw CLIFailure(message: "\(resultFile): a damaged result: \(problem)", status: ExitStatus.dataError)
            }
            let text = try format.render(LessonAnalysis(savedResult: result))
            if let output, output != "-" {
                try ResultOptions.write(Data(text.utf8), to: output)
            } else {
                print(text, terminator: "")
            }
        }
    }
}
