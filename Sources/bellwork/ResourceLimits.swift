import ArgumentParser
import Foundation

/// Limits a command puts on itself before it reads anything (the batch gives them to each child), so one
/// runaway input cannot take the machine's memory or time.
struct ResourceLimits: ParsableArguments {
    @Option(help: ArgumentHelp("Stop (with an error) rather than use more than this many MB of memory (0: no limit; a batch gives each child one).", valueName: "MB"))
    var memoryLimit: Int = 0

    @Option(help: .hidden)
    var cpuLimit: Int = 0

    func validate() throws {
        if !(0...1_048_576).contains(memoryLimit) { throw ValidationError("--memory-limit must be 0 (none) to 1048576 MB.") }
        if cpuLimit < 0 { throw ValidationError("--cpu-limit must be 0 or more.") }
    }

    /// Applies the limits to this process (address space and CPU seconds).
    func apply() {
        if memoryLimit > 0 {
            let bytes = rlim_t(memoryLimit) * 1_048_576
            var limit = rlimit(rlim_cur: bytes, rlim_max: bytes)
            setrlimit(Int32(RLIMIT_AS.rawValue), &limit)
        }
        if cpuLimit > 0 {
            var limit = rlimit(rlim_cur: rlim_t(cpuLimit), rlim_max: rlim_t(cpuLimit) + 5)
            setrlimit(Int32(RLIMIT_CPU.rawValue), &limit)
        }
    }
}
