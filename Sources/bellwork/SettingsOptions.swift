import ArgumentParser
import Bellwork
import Foundation
import MediaIO

/// The settings options `analyze` and `batch` share, and the one place a configuration is made from them.
struct SettingsOptions: ParsableArguments {
    @Option(help: "A JSON file of settings (every key, default, range and meaning: `bellwork settings`; a result's `settings` is one).")
    var config: String?

    @Option(help: "Seconds the class must stay clear of transitions to count as settled (default 30).")
    var settleSeconds: Double?

    /// The configuration file overlaid on the defaults, `--settle-seconds`, then `adjust` (a command's own
    /// options); every value checked. A bad file or value ends the command with one line and exit 64.
    func configuration(_ adjust: (inout AnalysisConfiguration) -> Void = { _ in }) throws -> AnalysisConfiguration {
        var configuration = AnalysisConfiguration()
        if let config {
            do { configuration = try AnalysisConfiguration.load(config) } catch {
                throw CLIFailure(message: "\(config): \(error)", status: ExitStatus.usage)
            }
        }
        if let settleSeconds { configuration.settleSeconds = settleSeconds }
        adjust(&configuration)
        do { try configuration.validate() } catch {
            throw CLIFailure(message: "\(error)", status: ExitStatus.usage)
        }
        return configuration
    }
}
