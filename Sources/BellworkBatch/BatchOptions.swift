import BellworkOutputs
import Bellwork
import Foundation

/// What a batch run is asked to do; every option of `bellwork batch`.
public struct BatchOptions: Sendable {
    /// Folders (searched recursively) and files.
    public var inputs: [String] = []
    /// A file of paths, one a line; `-` is `listContents`, read from standard input.
    public var listFile: String?
    /// The list itself, when it came on standard input (read once, before the run)...
    public var listContents: Data?
    /// ...or why it could not be read (more than `FileName.contentsLimit`: "File too large").
    public var listError: String?
    /// The batch folder: state, results, summary.
    public var outputDirectory: String
    /// Lessons analysed at once.
    public var jobs: Int = BatchOptions.defaultJobs
    /// Decoder threads in each child; nil: one per child when several run at once (the least CPU per lesson),
    /// FFmpeg's automatic count (every core) for a single job.
    public var threads: Int?
    /// Analyse again the lessons that failed before.
    public var retryFailed = false
    /// Also write each lesson's HTML report beside its JSON (`results/NAME.html`), linked from the summary page.
    public var reports = false
    /// Take files that symbolic links in the folders lead to outside the folders given (else skipped, with a line).
    public var followLinks = false
    /// Files modified less than this many seconds ago may still be arriving and are left for the next run.
    public var settleAge: Double = 60
    /// A child's time limit: `timeLimitBase + timeLimitRatio × the lesson's duration` seconds.
    public var timeLimitBase: Double = 60
    public var timeLimitRatio: Double = 2
    /// Each analysing child's memory limit in MB (0: none): by default the machine's memory shared among the
    /// jobs, at most 4 GB.
    public var memoryLimitMB: Int = BatchOptions.defaultMemoryLimitMB(jobs: BatchOptions.defaultJobs)
    /// The analysis settings every lesson is analysed with.
    public var configuration = AnalysisConfiguration()
    /// How progress is shown on standard error.
    public var progress: Progress = .log(every: 60)
    /// The `bellwork` executable run for each lesson.
    public var executable: String = SelfExecutable.path
    /// Test hook: lessons whose path contains a string get a child that crashes or hangs instead of
    /// analysing (`BELLWORK_TEST_FAULT=crash=STRING,hang=STRING`).
    public var faults: [(kind: String, match: String)] = []

    public enum Progress: Sendable, Equatable {
        /// One line rewritten in place.
        case terminal
        /// Plain lines: each finished lesson and a status line every so many seconds (for cron).
        case log(every: Double)
        /// Failures only.
        case quiet
    }

    /// One job per core, each child decoding on one thread. Measured on the 2-core machine (README, "Overnight
    /// batch"): one child, even decoding on every core, leaves a core idle (analysis past the decoder is one
    /// thread), so it gets through half as many lessons an hour; one decoder thread per child costs the least CPU.
    public static let defaultJobs = max(1, ProcessInfo.processInfo.activeProcessorCount)

    public init(outputDirectory: String) { self.outputDirectory = outputDirectory }

    /// The machine's memory shared among `jobs` children, at most 4 GB and at least 512 MB.
    public static func defaultMemoryLimitMB(jobs: Int) -> Int {
        let total = Int(ProcessInfo.processInfo.physicalMemory / 1_048_576)
        return max(512, min(4096, total / max(1, jobs)))
    }

    /// The seconds of media a lesson can plausibly hold, for its time limit: what its header says, but no
    /// more than its size allows at 4 kbit/s (below any real recording), nor 12 hours.
    public static func plausibleSeconds(stated: Double?, sizeBytes: Int?) -> Double {
        min(stated ?? 3600, Double(sizeBytes ?? Int.max / 1000) / 500 + 10, 12 * 3600)
    }

    /// Parses `BELLWORK_TEST_FAULT` (`crash=STRING,hang=STRING`).
    public static func faults(from environment: [String: String]) -> [(kind: String, match: String)] {
        guard let text = environment["BELLWORK_TEST_FAULT"] else { return [] }
        return text.split(separator: ",").compactMap { item in
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, ["crash", "hang"].contains(parts[0]), !parts[1].isEmpty else { return nil }
            return (parts[0], parts[1])
        }
    }
}
