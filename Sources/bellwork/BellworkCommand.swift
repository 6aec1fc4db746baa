import ArgumentParser
import Bellwork
import Foundation

@main
struct BellworkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bellwork",
        abstract: "Honest numbers about classroom time, from a recorded lesson.",
        discussion: """
        Bellwork decodes a lesson recording, finds the bell, cuts the lesson into transitions and \
        on-task work, and reports time-on-task and bell-to-work latency.

        Examples:
          bellwork probe lesson.mp4
          bellwork probe lesson.mov --format json
        """,
        version: BellworkVersion.string,
        subcommands: [AnalyzeCommand.self, ScoreCommand.self, ProbeCommand.self, DecodeCommand.self, BatchCommand.self, SummaryCommand.self, SettingsCommand.self, SegmentCommand.self],
        defaultSubcommand: nil
    )
}
