import BellworkOutputs
import Bellwork
import Foundation
import MediaIO

/// The batch folder (`--out`): Bellwork's own, and marked so by a file `.bellwork-batch`, because a batch
/// replaces `summary.csv` and empties `work/` in it. A folder that is neither new, empty, marked, nor one an
/// earlier version made (it holds the state database) is someone else's: refused, and nothing in it touched.
struct BatchFolder {
    /// The marker's name, in the batch folder.
    static let markerName = ".bellwork-batch"
    static let markerText = """
        This folder is a Bellwork batch folder (bellwork batch --out): Bellwork writes, replaces and removes \
        files in it. Delete this file only with the folder.

        """

    /// The batch folder's absolute path.
    let root: String

    /// Makes `root` a batch folder, creating it when it does not exist and marking it when it is empty or was
    /// made by an earlier version; refuses (status 64) a folder that is not Bellwork's, before anything in it changes.
    static func claim(_ root: String) throws -> BatchFolder {
        let folder = BatchFolder(root: root)
        var strays: [String] = []
        var info = stat()
        if stat(root, &info) != 0 {
            guard errno == ENOENT else {
                throw BatchStartError(message: "\(root): cannot open the folder: \(String(cString: strerror(errno)))",
                                      status: ExitStatus.ioError)
            }
            do { try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true) } catch {
                throw BatchStartError(message: "\(root): cannot create the folder: \(BatchDiscovery.reason(of: error))",
                                      status: ExitStatus.ioError)
            }
        } else if info.st_mode & S_IFMT != S_IFDIR {
            throw BatchStartError(message: "\(root): not a folder", status: ExitStatus.ioError)
        } else if folder.isRegularFile(markerName) {
            return folder
        } else {
            let names: [String]
            do { names = try FileManager.default.contentsOfDirectory(atPath: root) } catch {
                throw BatchStartError(message: "\(root): cannot read the folder: \(BatchDiscovery.reason(of: error))",
                                      status: ExitStatus.ioError)
            }
            // A marker being written when the batch was killed leaves its temporary file: the folder is as empty.
            strays = names.filter { $0.hasPrefix("." + markerName + ".") && $0.hasSuffix(".tmp") }
            // A folder of an earlier version has the state database and no marker: adopted.
            guard names.count == strays.count || folder.isRegularFile(BatchStore.fileName) else {
                // Another process starting beside this one (workers sharing a results folder) marked it meanwhile.
                if folder.isRegularFile(markerName) { return folder }
                throw BatchStartError(
                    message: "\(root): not a Bellwork batch folder (it holds other files and no \(markerName)); "
                        + "nothing was changed: give --out a new or empty folder",
                    status: ExitStatus.usage)
            }
        }
        // A young one is another process's marker being written now: left to it.
        for stray in strays {
            var info = stat()
            if lstat(folder.path(stray), &info) == 0, Date().timeIntervalSince1970 - Double(info.st_mtim.tv_sec) > 60 {
                unlink(folder.path(stray))
            }
        }
        do { try folder.write(Data(markerText.utf8), to: markerName) } catch {
            if folder.isRegularFile(markerName) { return folder }
            throw BatchStartError(message: "\(error)", status: ExitStatus.ioError)
        }
        return folder
    }

    /// The absolute path of `relative` (below the batch folder).
    func path(_ relative: String) -> String { root + "/" + relative }

    /// Whether `relative` is a regular file itself (not a link to one).
    func isRegularFile(_ relative: String) -> Bool {
        var info = stat()
        return lstat(path(relative), &info) == 0 && info.st_mode & S_IFMT == S_IFREG
    }

    /// Refuses to start when one of `names` is a symbolic link (the state database would be written through it).
    func refuseLinks(_ names: [String]) throws {
        for name in names {
            var info = stat()
            if lstat(path(name), &info) == 0 && info.st_mode & S_IFMT == S_IFLNK {
                throw BatchStartError(message: "\(path(name)): a symbolic link; the batch writes only inside its folder",
                                      status: ExitStatus.ioError)
            }
        }
    }

    // MARK: - Files inside the folder, never through a link

    /// Opens the folder `components` below the batch folder (creating what is missing when `create`) and returns
    /// its descriptor. No symbolic link is followed: a link where a folder should be is an error that names it.
    func openFolder<C: Collection>(_ components: C, create: Bool) throws(AtomicFile.WriteError) -> Int32
    where C.Element == Substring {
        var fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw AtomicFile.WriteError(path: root, reason: String(cString: strerror(errno))) }
        var reached = root
        for component in components {
            let name = String(component)
            reached += "/" + name
            var code: Int32 = 0
            if name.isEmpty || name == "." || name == ".." {
                code = EINVAL
            } else if create && FileName.withCString(name, { mkdirat(fd, $0, 0o755) }) != 0 && errno != EEXIST {
                code = errno
            }
            let next = code == 0 ? FileName.withCString(name) { openat(fd, $0, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) } : -1
            if next < 0 && code == 0 { code = errno }
            var info = stat()
            let isLink = next < 0 && FileName.withCString(name, { fstatat(fd, $0, &info, AT_SYMLINK_NOFOLLOW) }) == 0
                && info.st_mode & S_IFMT == S_IFLNK
            close(fd)
            guard next >= 0 else {
                let reason = isLink ? "a symbolic link stands where a folder should be; the batch writes only inside its folder"
                    : String(cString: strerror(code))
                throw AtomicFile.WriteError(path: reached, reason: reason)
            }
            fd = next
        }
        return fd
    }

    /// Writes `relative` (below the batch folder) atomically: a temporary file beside it, flushed, renamed over
    /// it. A symbolic link in its place is replaced by the file, never written through.
    func write(_ data: Data, to relative: String) throws(AtomicFile.WriteError) {
        var parts = relative.split(separator: "/")
        guard let last = parts.popLast() else { throw AtomicFile.WriteError(path: path(relative), reason: "no file name") }
        let name = String(last)
        let dir = try openFolder(parts, create: true)
        defer { close(dir) }
        let temporary = ".\(FileName.prefix(name, bytes: 100)).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let fd = FileName.withCString(temporary) { openat(dir, $0, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644) }
        guard fd >= 0 else { throw AtomicFile.WriteError(path: path(relative), reason: String(cString: strerror(errno))) }
        var failure = AtomicFile.writeAll(data, to: fd)
        if failure == nil && fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
        close(fd)
        if failure == nil && FileName.withCString(temporary, { t in FileName.withCString(name) { renameat(dir, t, dir, $0) } }) != 0 {
            failure = errno == EISDIR ? "a folder of that name stands there" : String(cString: strerror(errno))
        }
        if let failure {
            _ = FileName.withCString(temporary) { unlinkat(dir, $0, 0) }
            throw AtomicFile.WriteError(path: path(relative), reason: failure)
        }
        fsync(dir)
    }

    /// Removes `relative` itself, if it is there: a link, never what it leads to; a folder with what it holds.
    func remove(_ relative: String) {
        var parts = relative.split(separator: "/")
        guard let last = parts.popLast(), let dir = try? openFolder(parts, create: false) else { return }
        defer { close(dir) }
        Self.removeEntry(String(last), in: dir)
    }

    /// Removes everything in the folder `relative` but the names in `keeping` (links themselves, not their targets).
    func empty(_ relative: String, keeping: Set<String>) throws(AtomicFile.WriteError) {
        let dir = try openFolder(relative.split(separator: "/"), create: true)
        defer { close(dir) }
        for name in Self.names(in: dir) where !keeping.contains(name) { Self.removeEntry(name, in: dir) }
    }

    private static func removeEntry(_ name: String, in dir: Int32) {
        FileName.withCString(name) { cName in
            var info = stat()
            guard fstatat(dir, cName, &info, AT_SYMLINK_NOFOLLOW) == 0 else { return }
            guard info.st_mode & S_IFMT == S_IFDIR else { unlinkat(dir, cName, 0); return }
            let sub = openat(dir, cName, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard sub >= 0 else { return }
            for entry in names(in: sub) { removeEntry(entry, in: sub) }
            close(sub)
            unlinkat(dir, cName, AT_REMOVEDIR)
        }
    }

    /// The names in the open folder `fd` (which stays open).
    private static func names(in fd: Int32) -> [String] {
        let copy = dup(fd)
        guard copy >= 0 else { return [] }
        guard let stream = fdopendir(copy) else { close(copy); return [] }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in FileName.decode(raw.prefix { $0 != 0 }) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
