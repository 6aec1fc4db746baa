import BellworkOutputs
import Bellwork
import Foundation
import LessonMetrics
import MediaIO

/// The children analysing claimed lessons, for `bellwork worker` and `bellwork batch` alike: each child leads
/// its own process group under a time limit (killed with its group past it), its lesson's lease is renewed every
/// third of the lease while it runs, and how it ended is read the same way (the contract's JSON, or the child's
/// one line). What becomes of the lesson then (finished, failed, released) goes through `LessonQueue`, by the
/// caller. Not `Sendable`: one loop owns it.
final class ClaimedChildren {
    struct Job {
        var claim: QueueClaim
        var child: BatchChild
        var limit: Double
        /// The child's result file, and its standard error.
        var output: String
        var errors: String
        var renewed: Date
        /// The lesson's file on this machine.
        var path: String
    }

    /// What every child is started with.
    struct Setup {
        var executable: String
        var memoryLimitMB: Int
        var timeLimitBase: Double
        var timeLimitRatio: Double
        /// Test hook: a lesson whose path (as the caller matches it) contains a string gets a child that crashes or hangs.
        var faults: [(kind: String, match: String)]
    }

    /// How an analysis ended.
    enum Ending {
        /// The child wrote the contract's JSON (`data`).
        case result(Data, QueueResult)
        /// It did not: why, as the lesson records it.
        case failure(QueueFailure, reason: String)
    }

    let setup: Setup
    /// Removes a work file (the batch: only inside its folder, never through a link).
    let removeFile: (String) -> Void
    private(set) var jobs: [Job] = []

    init(setup: Setup, removeFile: @escaping (String) -> Void = { unlink($0) }) {
        self.setup = setup
        self.removeFile = removeFile
    }

    /// Starts the analysis of `claim`, the file at `path` (`durationSeconds` when known, for the time limit), with
    /// the configuration file `configuration`, its result to `output` and its standard error to `errors`. Throws
    /// when the child cannot start.
    func start(_ claim: QueueClaim, path: String, durationSeconds: Double?, configuration: String, output: String, errors: String,
               faultMatch: String) throws {
        let limit = setup.timeLimitBase + setup.timeLimitRatio
            * BatchOptions.plausibleSeconds(stated: durationSeconds, sizeBytes: claim.sizeBytes.map(Int.init))
        // The child's result goes to the work folder, replacing (never writing through) a link planted there.
        var arguments = ["bellwork", "analyze", path, "--format", "json", "--output", output, "--no-follow-output",
                         "--quiet", "--config", configuration, "--memory-limit", String(setup.memoryLimitMB),
                         "--cpu-limit", String(Int(limit * Double(ProcessInfo.processInfo.activeProcessorCount)))]
        if let fault = setup.faults.first(where: { faultMatch.contains($0.match) }) {
            arguments = ["bellwork", "batch", "--test-fault", fault.kind, output]
        }
        let child = try BatchChild(executable: setup.executable, arguments: arguments, stdout: "/dev/null", stderr: errors)
        jobs.append(Job(claim: claim, child: child, limit: limit, output: output, errors: errors, renewed: Date(), path: path))
    }

    /// Polls every child without waiting (so none is left a zombie while the caller waits for the queue).
    func poll() { for job in jobs { _ = job.child.poll() } }

    /// The children that ended, reaped and taken out (one past its time limit is killed first, and `timedOut`).
    func ended() -> [(job: Job, exit: BatchChild.Termination, timedOut: Bool)] {
        var ended: [(job: Job, exit: BatchChild.Termination, timedOut: Bool)] = []
        var index = 0
        while index < jobs.count {
            guard let (exit, timedOut) = jobs[index].child.ended(limit: jobs[index].limit) else { index += 1; continue }
            ended.append((jobs.remove(at: index), exit, timedOut))
        }
        return ended
    }

    /// Renews the leases due (every third of `leaseSeconds`). A child whose lesson is no longer its claimer's is
    /// stopped, its work files removed, and its job returned. A queue out of reach is tried again at the next turn
    /// (the lease has two more thirds to run).
    func renewLeases(_ queue: any LessonQueue, leaseSeconds: Double) async throws -> [Job] {
        let now = Date()
        var lost: [Job] = []
        var index = 0
        while index < jobs.count {
            guard now.timeIntervalSince(jobs[index].renewed) >= leaseSeconds / 3 else { index += 1; continue }
            let held: Bool
            do { held = try await queue.renew(jobs[index].claim, leaseSeconds: leaseSeconds) } catch is QueueUnavailable {
                index += 1
                continue
            }
            if held {
                jobs[index].renewed = now
                index += 1
            } else {
                let job = jobs.remove(at: index)
                job.child.kill()
                removeWorkFiles(job)
                lost.append(job)
            }
        }
        return lost
    }

    /// Stops every child (its whole group), removes their work files, and returns their jobs, whose claims the
    /// caller gives back.
    func stopAll() -> [Job] {
        let held = jobs
        jobs.removeAll()
        for job in held {
            job.child.kill()
            removeWorkFiles(job)
        }
        return held
    }

    /// Kills every child still running (the caller is ending on an error: their lessons' leases run out, or a
    /// restarted batch takes them back).
    func killAll() { for job in jobs { job.child.kill() } }

    func removeWorkFiles(_ job: Job) {
        removeFile(job.output)
        removeFile(job.errors)
    }

    /// How the child of `job` ended. `mayIgnore`: a file that is not media and not named like a recording is
    /// ignored (not a lesson) rather than failed.
    static func ending(of job: Job, exit: BatchChild.Termination, timedOut: Bool, mayIgnore: Bool) -> Ending {
        if exit == .exited(0), let data = FileName.contents(of: job.output),
           let result = QueueResult(json: data, analysisSeconds: Date().timeIntervalSince(job.child.started)) {
            return .result(data, result)
        }
        let reason = exit == .exited(0) ? "the analysis wrote no readable result"
            : BatchRunner.failure(exit: exit, timedOut: timedOut, limit: job.limit, stderr: job.errors, path: job.path, what: "the analysis")
        if mayIgnore && exit == .exited(ExitStatus.dataError) && !BatchRunner.namedLikeRecording(job.path) {
            return .failure(.ignored(reason: reason), reason: reason)
        }
        return .failure(.failed(reason: reason, exitStatus: exit.status), reason: reason)
    }

    /// Writes a result into a results folder as `results/<relative path>.json` (atomically), with its HTML report
    /// beside it when `reports`; returns the result's name there.
    static func writeResult(_ data: Data, relativePath: String, source: String, to folder: BatchFolder, reports: Bool) throws -> String {
        let relative = BatchRunner.resultFile(for: relativePath, source: source)
        try folder.write(data, to: relative)
        // The report is a convenience: a result it cannot be made from is still a result (the summary then links
        // to the JSON).
        if reports, let full = try? ResultJSON.decode(AnalysisResult.self, from: data),
           let page = try? OutputFormat.html.render(LessonAnalysis(savedResult: full)) {
            try folder.write(Data(page.utf8), to: BatchRunner.reportFile(for: relative))
        }
        return relative
    }
}
