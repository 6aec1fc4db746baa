import ArgumentParser
import Bellwork
import BellworkBatch
import BellworkQueue
import Foundation
import Logging
import MediaIO

/// The queue a command names: a `postgresql://` URL (PostgreSQL's environment variables and password file
/// fill in what it leaves out), or a folder of this machine (SQLite, for workers on this machine only).
struct QueueOption: ParsableArguments {
    @Option(name: .customLong("queue"),
            help: ArgumentHelp("The queue: postgresql://USER@HOST:PORT/DATABASE (PGHOST, PGUSER, PGPASSWORD, PGPASSFILE and PGSSLMODE as psql takes them; TLS when the server offers it, sslmode=require to insist), or a folder of this machine for workers on this machine only (SQLite). Default: $BELLWORK_QUEUE.",
                               valueName: "URL"))
    var url: String?

    @Option(help: ArgumentHelp("Seconds to wait for the queue's answer before counting it out of reach (a worker then waits and tries again).", valueName: "SECONDS"))
    var answerTimeout: Double = 60

    func validate() throws {
        guard answerTimeout >= 1 && answerTimeout <= 3600 else { throw ValidationError("--answer-timeout must be 1 to 3600 seconds.") }
        guard let text = resolved, !text.isEmpty else {
            throw ValidationError("Missing --queue URL (or BELLWORK_QUEUE): the PostgreSQL queue, postgresql://USER@HOST/DATABASE.")
        }
        try Self.check(text)
    }

    static func check(_ text: String) throws {
        if QueueAddress.isPostgres(text) {
            do { _ = try QueueAddress(text) } catch let invalid as QueueAddress.Invalid { throw ValidationError(invalid.description) }
        } else if text.contains("://") {
            throw ValidationError("--queue takes a postgresql:// URL or a folder")
        }
    }

    var resolved: String? { url ?? ProcessInfo.processInfo.environment["BELLWORK_QUEUE"] }

    func open() throws -> any LessonQueue { try Self.open(resolved ?? "", answerSeconds: answerTimeout) }

    static func open(_ text: String, answerSeconds: Double = 60) throws -> any LessonQueue {
        if QueueAddress.isPostgres(text) { return PostgresLessonQueue(address: try QueueAddress(text), answerSeconds: answerSeconds) }
        do { return try SQLiteLessonQueue(directory: URL(fileURLWithPath: text).standardizedFileURL.path) } catch let damaged as BatchStoreDamaged {
            throw CLIFailure(message: damaged.description, status: ExitStatus.ioError)
        } catch let refused as BatchStartError {
            throw CLIFailure(message: refused.message, status: refused.status)
        } catch {
            throw CLIFailure(message: "\(text): cannot open the queue: \(error)", status: ExitStatus.ioError)
        }
    }
}

/// Exit status of a queue that cannot be reached: try again later.
let queueUnavailableStatus: Int32 = 75

/// The result of work done on another task, read once it has signalled.
final class AsyncResultBox<T>: @unchecked Sendable {
    var result: Result<T, Error>?
}

/// Runs async work from a synchronous command, waiting for it.
func runAsync<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let box = AsyncResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        do { box.result = .success(try await body()) } catch { box.result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try box.result!.get()
}

/// Runs async work from a synchronous command, turning queue errors into one line and an exit status.
func runQueueWork<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    do { return try runAsync(body) } catch let unavailable as QueueUnavailable {
        throw CLIFailure(message: "cannot reach the queue: \(unavailable.message)", status: queueUnavailableStatus)
    } catch let error as QueueError {
        throw CLIFailure(message: error.description, status: ExitStatus.ioError)
    } catch let error as BatchStartError {
        throw CLIFailure(message: error.message, status: error.status)
    }
}

struct EnqueueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enqueue",
        abstract: "Register new and changed lessons in a PostgreSQL queue, for workers on any number of machines.",
        discussion: """
        Finds lessons as `batch` does (folders searched recursively; hidden files, partial uploads and files \
        modified within --settle-age left for the next run) and registers each by its path relative to the \
        root (--root; by default the one folder given), with its size, time and content hash, and the \
        settings to analyse it with. A lesson already registered with the same content and settings is left \
        alone, whatever became of it; a changed file, or the same one with other settings, is analysed again. \
        Two enqueues at once register each lesson once. Run it from a timer; workers take what it registers.

        Exit status: 0 registered; 3 some inputs could not be read (the rest registered); 64 the command line \
        is wrong; 74 the queue refused (a wrong password, a missing database); 75 the queue cannot be reached.

        Examples:
          bellwork enqueue /srv/uploads --queue postgresql://bellwork@db.example.org/bellwork
          find /srv/uploads -newer last-run -name '*.mp4' | bellwork enqueue --list - --root /srv/uploads --queue "$BELLWORK_QUEUE"
        """
    )

    @OptionGroup var found: InputOptions

    @OptionGroup var queue: QueueOption

    @Option(help: ArgumentHelp("The folder paths are stored relative to; each worker says where it is on its machine (worker --root). Default: the one folder given, else the deepest folder holding every input.", valueName: "DIR"))
    var root: String?

    @OptionGroup var settings: SettingsOptions

    @OptionGroup var common: CommonOptions

    func validate() throws { try found.requireSome(to: "register") }

    func run() throws {
        common.setUpLogging()
        try reportingFailures {
            let queue = try queue.open()
            let settings = try QueueSettings(configuration: try self.settings.configuration())
            let (listContents, listError) = found.standardInputList()
            let (inputs, list, root, settleAge, followLinks, retryFailed) = (found.inputs, found.list, root, found.settleAge, found.followLinks,
                                                                             found.retryFailed)
            let outcome = try runQueueWork {
                let outcome = try await QueueEnqueue.run(queue: queue, inputs: inputs, listFile: list, listContents: listContents,
                                                         listError: listError, root: root,
                                                  settleAge: settleAge, followLinks: followLinks, settings: settings, retryFailed: retryFailed)
                await queue.close()
                return outcome
            }
            for problem in outcome.problems {
                FileHandle.standardError.write(Data("bellwork: \(FileName.display(problem.path)): \(FileName.display(problem.reason))\n".utf8))
            }
            let p = outcome.plan
            var line = "\(p.added + p.requeued + p.unchanged) lessons in the queue from \(FileName.display(outcome.root)): "
                + "\(p.added) new, \(p.requeued) to analyse again, \(p.unchanged) unchanged"
            if outcome.stillArriving > 0 { line += ", \(outcome.stillArriving) files still arriving (taken next time)" }
            print(line)
            if !outcome.problems.isEmpty {
                throw CLIFailure(message: "\(outcome.problems.count) inputs could not be registered", status: BatchExitStatus.someFailed).report()
            }
        }
    }
}

struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Analyse the lessons of a PostgreSQL queue, alongside workers on other machines.",
        discussion: """
        Claims one lesson at a time per job (FOR UPDATE SKIP LOCKED) under a lease it renews while a child \
        process analyses it, then stores the contract's JSON in the queue (and, with --out, in \
        DIR/results/<relative path>.json, written atomically). A worker killed outright, or a machine that \
        loses power, leaves a lease that runs out (--lease): another worker takes the lesson. A lesson that \
        fails, crashes or hangs its child --max-attempts times is failed with its reason. The worker keeps \
        nothing of its own: start as many as there are machines. The queue's server may restart: the worker \
        waits for it and goes on.

        SIGTERM or Ctrl-C: no new lesson is claimed, running children are stopped and their lessons given \
        back (pending, not counted as attempts), and the worker exits 0. The log is a line an event (claimed, \
        analysed, failed, released), as text or JSON (--log-format json), for journald or a log shipper.

        Exit status: 0 stopped, or the queue empty with --exit-when-empty; 64 the command line is wrong; 74 \
        the queue refused (a wrong password, a newer schema) or a result could not be written to --out.

        Examples:
          bellwork worker --queue postgresql://bellwork@db.example.org/bellwork --root /mnt/uploads
          bellwork worker --queue "$BELLWORK_QUEUE" --root /srv/uploads --out /srv/bellwork --jobs 2 --log-format json
        """
    )

    @OptionGroup var queue: QueueOption

    @Option(help: ArgumentHelp("Where the enqueued root is on this machine (default: the path enqueue named).", valueName: "DIR"))
    var root: String?

    @Option(help: ArgumentHelp("Also write each result to DIR/results/<relative path>.json (a results folder; new, empty, or one Bellwork made).", valueName: "DIR"))
    var out: String?

    @Flag(help: "With --out, also write each lesson's HTML report beside its JSON result.")
    var reports = false

    @OptionGroup var children: ChildOptions

    @Option(help: ArgumentHelp("Seconds a claim holds without renewal; the worker renews it every third of that. A worker that dies leaves its lesson to others after this long.", valueName: "SECONDS"))
    var lease: Double = 60

    @Option(help: "Analyses that fail (or leases that run out) before a lesson is failed for good.")
    var maxAttempts: Int = 3

    @Option(help: ArgumentHelp("Seconds between looks at an empty queue.", valueName: "SECONDS"))
    var pollInterval: Double = 5

    @Flag(help: "End when the queue has nothing pending and nothing running on any worker (instead of waiting for more).")
    var exitWhenEmpty = false

    @Option(help: "The name the queue shows for this worker (default: host/pid).")
    var name: String?

    @Option(help: ArgumentHelp("This machine's folder for the children's files while they run (default: a new temporary folder, removed at the end).", valueName: "DIR"))
    var work: String?

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if !(lease >= 3 && lease <= 86_400) { throw ValidationError("--lease must be 3 to 86400 seconds.") }
        if !(1...100).contains(maxAttempts) { throw ValidationError("--max-attempts must be 1 to 100.") }
        if !(pollInterval > 0 && pollInterval <= 3600) { throw ValidationError("--poll-interval must be more than 0 and at most 3600 seconds.") }
    }

    func run() throws {
        common.setUpLogging(atLeast: .info)
        try reportingFailures {
            let queue = try queue.open()
            var options = WorkerOptions()
            options.root = root
            options.outputDirectory = out
            options.reports = reports
            options.jobs = children.jobCount
            options.threads = children.threads
            options.leaseSeconds = lease
            options.maxAttempts = maxAttempts
            options.pollSeconds = pollInterval
            options.exitWhenEmpty = exitWhenEmpty
            options.timeLimitBase = children.timeLimit
            options.timeLimitRatio = children.timeLimitRatio
            options.memoryLimitMB = children.memoryLimitMB
            if let name { options.name = name }
            options.workDirectory = work
            options.faults = BatchOptions.faults(from: ProcessInfo.processInfo.environment)
            let finalOptions = options
            let outcome = try runQueueWork {
                let worker = try QueueWorker(queue: queue, options: finalOptions)
                let outcome = try await worker.run()
                await queue.close()
                return outcome
            }
            if let unwritable = outcome.resultWriteFailure {
                throw CLIFailure(message: "\(unwritable); the worker stopped", status: ExitStatus.ioError).report()
            }
        }
    }
}

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "What a PostgreSQL queue holds: pending, running (where, for how long), done, failed; media hours an hour.",
        discussion: """
        Examples:
          bellwork status --queue postgresql://bellwork@db.example.org/bellwork
          bellwork status --queue "$BELLWORK_QUEUE" --format json
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json }

    @OptionGroup var queue: QueueOption

    @Option(help: "Output format: table or json.")
    var format: Format = .table

    func run() throws {
        try reportingFailures {
            let queue = try queue.open()
            let status = try runQueueWork {
                let status = try await queue.status()
                await queue.close()
                return status
            }
            switch format {
            case .json: print(try JSONOutput.string(status))
            case .table: print(Self.table(status, address: queue.location), terminator: "")
            }
        }
    }

    static func table(_ s: QueueStatus, address: String) -> String {
        var text = "queue     \(FileName.display(address)) (schema version \(s.schemaVersion))\n"
        text += "pending   \(s.pending)\n"
        text += "running   \(s.running.count)\n"
        text += "done      \(s.done)\n"
        text += "failed    \(s.failed)\n"
        if s.ignored > 0 { text += "ignored   \(s.ignored) (not recordings)\n" }
        text += String(format: "last hour %d lessons, %.2f media hours\n", s.lessonsLastHour, s.mediaHoursLastHour)
        for r in s.running {
            text += "  \(FileName.display(r.path))  on \(FileName.display(r.worker)) for \(TimeText.clock(r.seconds))\n"
        }
        return text
    }
}

/// `make bench-queue`'s measure of the queue itself (hidden): LESSONS synthetic lessons registered, then
/// CLAIMERS claimers at once, each with its own connection, claiming and finishing until none is left.
/// Prints JSON: claims (each with its finish) per second, and the wall time.
struct QueueBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "queue-bench", shouldDisplay: false)

    @OptionGroup var queue: QueueOption

    @Option var claimers = 32
    @Option var lessons = 5000

    func run() throws {
        try reportingFailures {
            let (text, claimers, lessons) = (queue.resolved ?? "", claimers, lessons)
            let settings = try QueueSettings(configuration: AnalysisConfiguration())
            let outcome = try runQueueWork {
                let setup = try QueueOption.open(text)
                let files = (0..<lessons).map {
                    QueueFile(relativePath: "bench/\($0).mp4", sizeBytes: 1_000_000, mtime: 1_700_000_000, contentHash: "xxh64:\($0)")
                }
                _ = try await setup.plan(files, settings: settings, retryFailed: false, root: "/bench")
                await setup.close()
                let json = Data(#"{"schemaVersion":1,"durationSeconds":2700,"input":{},"status":"ok","metrics":{"classStartSeconds":0,"classEndSeconds":2700,"classSeconds":2700,"onTaskSeconds":2000,"timeOnTaskPercent":74,"transitionCount":5,"transitionSeconds":700,"meanTransitionSeconds":140,"longestTransitionSeconds":300,"bellToWorkSeconds":40}}"#.utf8)
                let result = QueueResult(json: json, analysisSeconds: 1)!
                let queues = try (0..<claimers).map { _ in try QueueOption.open(text) }
                let started = Date()
                let counts = try await withThrowingTaskGroup(of: Int.self) { group in
                    for (i, q) in queues.enumerated() {
                        group.addTask {
                            var n = 0
                            while let claim = try await q.claim(worker: "bench-\(i)", leaseSeconds: 60, maxAttempts: 3) {
                                guard try await q.finish(claim, result: result) else { throw QueueError("a claim was lost") }
                                n += 1
                            }
                            await q.close()
                            return n
                        }
                    }
                    var all: [Int] = []
                    for try await n in group { all.append(n) }
                    return all
                }
                let seconds = Date().timeIntervalSince(started)
                return (counts.reduce(0, +), seconds)
            }
            let (claimed, seconds) = outcome
            print(String(format: #"{"claimers": %d, "lessons": %d, "claimed": %d, "seconds": %.3f, "claimsPerSecond": %.1f}"#,
                         claimers, lessons, claimed, seconds, Double(claimed) / seconds))
        }
    }
}
