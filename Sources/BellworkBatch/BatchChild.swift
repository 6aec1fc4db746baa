import BellworkOutputs
import Bellwork
import Foundation
import MediaIO

/// A child process the batch runs for one lesson, leading its own process group so that a time limit or a
/// stop kills it and everything it started, and so that a Ctrl-C on the terminal reaches only the batch.
/// Standard input is /dev/null; standard output and standard error go to files (never a pipe that could
/// fill and block the child). Not `Sendable`: one batch loop owns it.
final class BatchChild {
    let pid: pid_t
    let started: Date
    private(set) var exit: Termination?

    /// How a child ended.
    enum Termination: Equatable {
        case exited(Int32)
        case signalled(Int32)

        /// The status a shell would show: the exit status, or 128 + the signal.
        var status: Int { switch self { case .exited(let s): return Int(s); case .signalled(let s): return 128 + Int(s) } }
    }

    /// Starts `executable` with `arguments` (the first is the program's name as it sees it).
    init(executable: String, arguments: [String], stdout: String, stderr: String) throws {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGQUIT] { sigaddset(&defaults, signal) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        // Never through a link planted where a work file goes.
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0o644)

        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { argument in FileName.withCString(argument) { strdup($0) } } + [nil]
        defer { for p in argv { free(p) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, executable, &actions, &attributes, argv, environ)
        guard rc == 0 else { throw BatchFileError(path: executable, reason: "cannot start: \(String(cString: strerror(rc)))") }
        pid = child
        started = Date()
    }

    /// Reaps the child if it has ended; true once it has.
    func poll() -> Bool {
        if exit != nil { return true }
        var status: Int32 = 0
        let rc = waitpid(pid, &status, WNOHANG)
        guard rc == pid else { return false }
        // WIFEXITED / WIFSIGNALED, which Swift does not import as macros.
        let signal = status & 0x7F
        exit = signal == 0 ? .exited((status >> 8) & 0xFF) : .signalled(signal)
        return true
    }

    /// How the child ended, once it has (reaped); killed first when it has run longer than `limit` seconds
    /// (`timedOut`). nil while it runs.
    func ended(limit: Double) -> (exit: Termination, timedOut: Bool)? {
        var timedOut = false
        if !poll() && Date().timeIntervalSince(started) > limit {
            kill()
            timedOut = true
        }
        return exit.map { ($0, timedOut) }
    }

    /// Kills the child's whole process group and waits for the child.
    func kill() {
        guard exit == nil else { return }
        _ = Foundation.kill(-pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7F
        exit = signal == 0 ? .exited((status >> 8) & 0xFF) : .signalled(signal)
        // Anything the child started in its group goes too.
        _ = Foundation.kill(-pid, SIGKILL)
    }

    /// Kills the process group of a child left behind by a batch that was itself killed, when `pid` is still
    /// that child (its command line names `marker`), and waits until it is gone.
    static func killOrphan(pid: Int, marker: String) {
        guard pid > 0, let cmdline = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline")) else { return }
        let words = cmdline.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        guard words.contains(marker) else { return }
        _ = Foundation.kill(-pid_t(pid), SIGKILL)
        _ = Foundation.kill(pid_t(pid), SIGKILL)
        for _ in 0..<200 {
            // Gone, or a zombie whose parent (the dead batch's reaper) has yet to collect it.
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return }
            if let close = stat.lastIndex(of: ")"), stat[stat.index(close, offsetBy: 2)] == "Z" { return }
            usleep(10_000)
        }
    }
}

/// The path of the running executable.
enum SelfExecutable {
    static var path: String {
        if let resolved = realpath("/proc/self/exe", nil) {
            defer { free(resolved) }
            return String(cString: resolved)
        }
        let argument0 = CommandLine.arguments[0]
        if argument0.contains("/") { return URL(fileURLWithPath: argument0).standardizedFileURL.path }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(dir)/\(argument0)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return argument0
    }
}
