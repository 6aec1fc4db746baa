import ArgumentParser
import BellworkBatch

/// How many children analyse at once and what each may use: `batch` and `worker` alike.
struct ChildOptions: ParsableArguments {
    @Option(help: "Lessons analysed at once (default: one per core, each child decoding on one thread; measured best on 2 cores).")
    var jobs: Int?

    @Option(help: "Decoder threads in each child (default: every core with --jobs 1, else 1).")
    var threads: Int?

    @Option(help: "Seconds every child may take before it is killed, plus --time-limit-ratio × the lesson's duration.")
    var timeLimit: Double = 60

    @Option(help: "Seconds a child may take per second of the lesson, on top of --time-limit.")
    var timeLimitRatio: Double = 2

    @Option(help: ArgumentHelp("Each child's memory limit in MB (default: the machine's memory shared among the jobs, at most 4096; 0: none).", valueName: "MB"))
    var memoryLimit: Int?

    func validate() throws {
        if let jobs, !(1...64).contains(jobs) { throw ValidationError("--jobs must be 1 to 64.") }
        if let threads, !(0...64).contains(threads) { throw ValidationError("--threads must be 0 (every core) to 64.") }
        if let memoryLimit, !(0...1_048_576).contains(memoryLimit) { throw ValidationError("--memory-limit must be 0 (none) to 1048576 MB.") }
        if !(timeLimit > 0) || !(timeLimitRatio >= 0) { throw ValidationError("--time-limit must be greater than 0 and --time-limit-ratio 0 or more.") }
    }

    /// The jobs asked for, or one per core.
    var jobCount: Int { jobs ?? BatchOptions.defaultJobs }

    /// Each child's memory limit: asked for, or the machine's memory shared among the jobs.
    var memoryLimitMB: Int { memoryLimit ?? BatchOptions.defaultMemoryLimitMB(jobs: jobCount) }
}
