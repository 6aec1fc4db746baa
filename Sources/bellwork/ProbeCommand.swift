import ArgumentParser
import Bellwork
import Foundation
import MediaIO

struct ProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Say what a recording is: container, duration, streams, rotation.",
        discussion: """
        Opens the file as Bellwork would for analysis (local files and recording containers only) and \
        prints what it found, without decoding. The video and audio streams marked "chosen" are the ones \
        an analysis would use.

        Example:
          bellwork probe lesson.mov --format json
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Argument(help: "The recording to probe.")
    var file: String

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    @OptionGroup var common: CommonOptions

    func run() throws {
        common.setUpLogging()
        try reportingFailures {
            let info = try MediaProbe.probe(file)
            switch format {
            case .json: print(try JSONOutput.string(info))
            case .text: print(ProbeText.render(info))
            }
        }
    }
}
