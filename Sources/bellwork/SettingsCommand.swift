import ArgumentParser
import Bellwork
import Foundation
import MediaIO

struct SettingsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settings",
        abstract: "List every analysis setting: its key, default, range and meaning.",
        discussion: """
        Every setting is declared once, beside the unit that uses it; this list is made from those \
        declarations. A configuration file (`analyze --config FILE`) is a JSON object of any of these keys, \
        grouped as the keys are (`{"segmenter": {"transitionThreshold": 2.5}}`); a result's `settings` is \
        one. `--format json` prints the defaults as such a file, to edit.

        Examples:
          bellwork settings
          bellwork settings --format json > my-settings.json
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case markdown, json
    }

    @Option(help: "markdown: a table of every setting; json: the default configuration file.")
    var format: Format = .markdown

    func run() throws {
        switch format {
        case .json:
            print(try JSONOutput.string(AnalysisConfiguration()))
        case .markdown:
            print(Self.markdown(), terminator: "")
        }
    }

    /// The table of every setting, as `docs/SETTINGS.md` holds it.
    static func markdown() -> String {
        var text = """
        # Analysis settings

        Made by `bellwork settings` from the declarations in the sources (one per setting, beside the unit \
        that uses it); do not edit by hand. A configuration file (`--config FILE`) is a JSON object of any \
        of these keys, nested as the dots show; what it leaves out keeps its default. Why a default is what \
        it is: `docs/TUNING.md`.

        | key | default | allowed | meaning |
        | --- | --- | --- | --- |

        """
        for item in AnalysisConfiguration.descriptions() {
            let allowed = item.range.map { "\($0.lowerBound.settingText) to \($0.upperBound.settingText)" } ?? item.type
            let meaning = item.meaning.replacingOccurrences(of: "|", with: "\\|")
            text += "| `\(item.key)` | \(item.defaultValue) | \(allowed) | \(meaning) |\n"
        }
        return text
    }
}
