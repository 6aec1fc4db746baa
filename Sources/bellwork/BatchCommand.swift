import ArgumentParser
import Bellwork
import BellworkBatch
import Foundation

struct BatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Analyse every lesson in folders, files or a list, unattended; pick up where a stopped run left off.",
        discussion: """
        Searches folders recursively and finds recordings by their content. Hidden files, partial uploads \
        (.part, .crdownload, .tmp, .download, .partial, …) and files modified within the last minute are left \
        for the next run. Symbolic links that lead outside the folders given are skipped, with a line each \
        (--follow-links takes them). Each lesson is analysed in a child process (this program's `analyze`) with a time \
        limit of --time-limit + --time-limit-ratio × its duration, so a crash or a hang costs that lesson only.

        DIR holds everything: .bellwork-batch (the mark of a batch folder: --out on a folder that is not new, \
        empty or marked is refused, unless an earlier version made it), bellwork.sqlite (the state: per lesson its size, time, content hash, settings \
        hash, status, attempts, error, timings and metrics), results/<relative path>.json (the result \
        contract, written atomically), and summary.csv (one row per lesson, kept current). A lesson is \
        analysed again only when its content or the settings changed, or when it failed and --retry-failed \
        is given. Killed at any moment, the next run finishes what was left.

        Exit status:
          0   every lesson was analysed
          3   some lessons failed or an input was unreadable; the rest were
              analysed (the count on standard error, reasons in summary.csv)
          64  the command line is wrong, or DIR is not a batch folder (nothing
              in it is changed)
          74  DIR cannot be written, or a result could not be written there (its
              lesson stays pending: the next run, once it can, completes it)
          75  stopped by Ctrl-C or SIGTERM, or another batch is in DIR: run again

        Examples:
          bellwork batch /srv/uploads --out /srv/bellwork
          bellwork batch --list todays-uploads.txt --out /srv/bellwork --jobs 2
          bellwork summary /srv/bellwork
        """
    )

    @OptionGroup var found: InputOptions

    @Option(help: ArgumentHelp("The batch folder: state, results and summary.", valueName: "DIR"))
    var out: String?

    @OptionGroup var children: ChildOptions

    @Flag(help: "Also write each lesson's HTML report beside its JSON result (results/NAME.html); the summary page links to it.")
    var reports = false

    @OptionGroup var settings: SettingsOptions

    @Option(help: "Seconds between status lines when standard error is not a terminal.")
    var logInterval: Double = 60

    @Flag(name: .shortAndLong, help: "Only failures and the final count on standard error.")
    var quiet = false

    @Option(help: .hidden)
    var testFault: String?

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if testFault != nil { return }
        guard out != nil else { throw ValidationError("Missing --out DIR: the folder for the state, results and summary.") }
        try found.requireSome(to: "analyse")
        if let settleSeconds = settings.settleSeconds, !(settleSeconds > 0) {
            throw ValidationError("--settle-seconds must be greater than 0.")
        }
        if !(logInterval > 0) { throw ValidationError("--log-interval must be greater than 0.") }
    }

    func run() throws {
        if let testFault {
            // The test hook's child (BELLWORK_TEST_FAULT): a crash or a hang where an analysis would run.
            if testFault == "crash" { abort() }
            while true { sleep(1000) }
        }
        common.setUpLogging()
        try reportingFailures {
            var options = BatchOptions(outputDirectory: out!)
            options.inputs = found.inputs
            options.listFile = found.list
            (options.listContents, options.listError) = found.standardInputList()
            options.jobs = children.jobCount
            options.threads = children.threads
            options.retryFailed = found.retryFailed
            options.reports = reports
            options.followLinks = found.followLinks
            options.settleAge = found.settleAge
            options.timeLimitBase = children.timeLimit
            options.timeLimitRatio = children.timeLimitRatio
            options.memoryLimitMB = children.memoryLimitMB
            options.faults = BatchOptions.faults(from: ProcessInfo.processInfo.environment)
            options.configuration = try settings.configuration()
            options.progress = quiet ? .quiet : (isatty(STDERR_FILENO) != 0 ? .terminal : .log(every: logInterval))

            let outcome: BatchOutcome
            do {
                let finalOptions = options
                outcome = try runAsync { try await BatchRunner(options: finalOptions).run() }
            } catch let error as BatchStartError {
                throw CLIFailure(message: error.message, status: error.status)
            } catch {
                throw CLIFailure(message: "\(out!): \(error)", status: ExitStatus.ioError)
            }
            var line = "\(outcome.analysed) lessons analysed (\(outcome.analysedNow) in this run), \(outcome.failed) failed"
            if outcome.pending > 0 { line += ", \(outcome.pending) pending" }
            if outcome.stillArriving > 0 { line += ", \(outcome.stillArriving) files still arriving (taken next run)" }
            if outcome.ignored > 0 { line += ", \(outcome.ignored) other files ignored" }
            print(line)
            if let unwritable = outcome.resultWriteFailure {
                throw CLIFailure(message: "\(unwritable); \(outcome.pending) lessons left pending for the next run",
                                 status: ExitStatus.ioError).report()
            }
            if outcome.stopped {
                throw CLIFailure(message: "stopped: \(outcome.pending) lessons left for the next run", status: BatchExitStatus.tryAgain).report()
            }
            if outcome.failed > 0 {
                throw CLIFailure(message: "\(outcome.failed) lessons failed (reasons in \(out!)/summary.csv)", status: BatchExitStatus.someFailed).report()
            }
        }
    }
}
