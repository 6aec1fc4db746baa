import ArgumentParser
import Bellwork
import Foundation
import MediaIO

@main
struct BellworkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bellwork",
        abstract: "Honest numbers about classroom time, from a recorded lesson.",
        discussion: """
        Bellwork decodes a lesson recording, finds the bell, cuts the lesson into transitions and \
        on-task work, and reports time-on-task and bell-to-work latency.

        Examples:
          bellwork analyze lesson.mp4
          bellwork analyze lesson.mov --format html -o lesson.html
          bellwork batch /srv/uploads --out /srv/bellwork
          bellwork summary /srv/bellwork
          bellwork enqueue /srv/uploads --queue postgresql://bellwork@db/bellwork
          bellwork worker --queue postgresql://bellwork@db/bellwork --root /mnt/uploads
          bellwork render /srv/bellwork/results/smith/week1.mp4.json --format html -o week1.html
          bellwork score lesson.json coding.eaf
        """,
        version: BellworkVersion.full,
        subcommands: [AnalyzeCommand.self, ScoreCommand.self, ProbeCommand.self, DecodeCommand.self, BatchCommand.self, SummaryCommand.self, EnqueueCommand.self, WorkerCommand.self, StatusCommand.self, QueueBenchCommand.self, SettingsCommand.self, SegmentCommand.self, RenderCommand.self],
        defaultSubcommand: nil
    )

    /// The command line as the system gave it: an argument that is not UTF-8 (a file named `Le\xe7on 1.mp4`)
    /// keeps its bytes (`FileName`), where `CommandLine.arguments` would replace them and lose the file.
    static func main() {
        // A queue worker's child dies with its worker (a SIGKILL, a lost machine), so no analysis runs on for a
        // lesson whose lease is running out. The parent is watched from a thread of its own: the kernel's
        // PR_SET_PDEATHSIG follows the thread that spawned the child, and a worker spawns from a pool's threads.
        if let parent = ProcessInfo.processInfo.environment["BELLWORK_DIE_WITH_PARENT"].flatMap(Int32.init) {
            if getppid() != parent { Foundation.exit(ExitStatus.software) }
            Thread.detachNewThread {
                while getppid() == parent { usleep(250_000) }
                _exit(ExitStatus.software)
            }
        }
        let count = Int(CommandLine.argc)
        let arguments = (1..<max(count, 1)).compactMap { i in CommandLine.unsafeArgv[i].map { FileName.decode(cString: $0) } }
        main(arguments)
    }
}
