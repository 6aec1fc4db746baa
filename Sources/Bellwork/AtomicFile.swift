import Foundation
import MediaIO

/// Writes a file so that readers see the old content or the new, never half of one: the data goes to a
/// temporary file beside the target, is flushed to disk, and is renamed over it.
///
/// A target that is not a regular file (`/dev/null`, `/dev/stdout`, a named pipe) is written in place:
/// renaming over it would replace the device or pipe with a plain file. A symbolic link is followed, so the
/// file it names is replaced and the link stays; with `followLinks: false` (files of a batch folder, where a
/// link may have been planted) the link itself is replaced and nothing is written through it.
public enum AtomicFile {
    public struct WriteError: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "\(path): cannot write: \(reason)" }
        public init(path: String, reason: String) {
            self.path = path
            self.reason = reason
        }
    }

    public static func write(_ data: Data, to path: String, followLinks: Bool = true) throws(WriteError) {
        var info = stat()
        // Names go to the system as their bytes (`FileName`: a name that is not UTF-8).
        if followLinks && FileName.withCString(path, { stat($0, &info) }) == 0
            && (info.st_mode & S_IFMT) != S_IFREG && (info.st_mode & S_IFMT) != S_IFDIR {
            let fd = FileName.withCString(path) { open($0, O_WRONLY | O_CLOEXEC) }
            guard fd >= 0 else { throw WriteError(path: path, reason: String(cString: strerror(errno))) }
            defer { close(fd) }
            if let failure = writeAll(data, to: fd) { throw WriteError(path: path, reason: failure) }
            return
        }
        var resolved = path
        if followLinks && FileName.withCString(path, { lstat($0, &info) }) == 0 && (info.st_mode & S_IFMT) == S_IFLNK,
           let real = FileName.withCString(path, { realpath($0, nil) }) {
            resolved = FileName.decode(cString: real)
            free(real)
        }
        let target = URL(fileURLWithPath: resolved)
        let directory = target.deletingLastPathComponent().path
        // Cut, so that a name near the file system's 255 bytes still has a temporary file beside it.
        let temporary = directory + "/.\(FileName.prefix(target.lastPathComponent, bytes: 100)).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let fd = FileName.withCString(temporary) { open($0, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644) }
        guard fd >= 0 else { throw WriteError(path: path, reason: String(cString: strerror(errno))) }
        var failure = writeAll(data, to: fd)
        if failure == nil && fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
        close(fd)
        if failure == nil && FileName.withCString(temporary, { t in FileName.withCString(resolved) { rename(t, $0) } }) != 0 {
            failure = String(cString: strerror(errno))
        }
        if let failure {
            _ = FileName.withCString(temporary) { unlink($0) }
            throw WriteError(path: path, reason: failure)
        }
        // Make the rename itself durable.
        let dirFD = FileName.withCString(directory) { open($0, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        if dirFD >= 0 { fsync(dirFD); close(dirFD) }
    }

    /// Writes all of `data` to `fd`; the reason when it cannot.
    public static func writeAll(_ data: Data, to fd: Int32) -> String? {
        data.withUnsafeBytes { raw -> String? in
            var offset = 0
            while offset < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return String(cString: strerror(errno))
                }
                offset += n
            }
            return nil
        }
    }
}
