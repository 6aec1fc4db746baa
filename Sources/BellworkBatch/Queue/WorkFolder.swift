import Bellwork
import Foundation

/// A worker's own temporary work folder, `bellwork-worker.XXXXXX` in the temporary folder, holding a file `.owner`
/// the worker keeps locked (`flock`) while it lives. The kernel drops the lock when the worker dies, however it dies,
/// so a folder whose `.owner` can be locked belongs to a worker that is gone (a SIGKILL, a power cut): the next
/// worker removes it. A lock, not a process id: it means the same in another PID namespace sharing the folder, and
/// a reused id cannot keep a dead worker's folder.
enum WorkFolder {
    static let prefix = "bellwork-worker."
    static let ownerName = ".owner"

    /// Makes a new work folder in `parent`, locked as this process's: its path, and the lock's descriptor (held open
    /// while the worker lives; closing it lets the folder be taken for stale).
    static func make(in parent: String) throws -> (path: String, lock: Int32) {
        var template = Array((parent + "/" + prefix + "XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw failure(parent) }
        let path = String(cString: made)
        // Locked under another name, then renamed: no one ever sees an unlocked `.owner` of a living worker.
        let making = path + "/" + ownerName + ".new"
        let fd = open(making, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0, flock(fd, LOCK_EX | LOCK_NB) == 0, rename(making, path + "/" + ownerName) == 0 else {
            let error = failure(parent)
            if fd >= 0 { close(fd) }
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
        return (path, fd)
    }

    /// Removes the work folders in `parent` (this user's) whose worker is gone; returns how many. A folder without
    /// `.owner` (one being made, or an earlier version's) is left alone.
    @discardableResult
    static func removeStale(in parent: String) -> Int {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: parent) else { return 0 }
        var removed = 0
        for name in names where name.hasPrefix(prefix) {
            let path = parent + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_uid == geteuid() else { continue }
            let fd = open(path + "/" + ownerName, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else { continue }
            defer { close(fd) }
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { continue }
            if (try? FileManager.default.removeItem(atPath: path)) != nil { removed += 1 }
        }
        return removed
    }

    private static func failure(_ parent: String) -> BatchStartError {
        BatchStartError(message: "cannot make a work folder in \(parent): \(String(cString: strerror(errno)))", status: ExitStatus.ioError)
    }
}
