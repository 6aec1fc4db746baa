import BellworkOutputs
import Bellwork
import Foundation
import MediaIO

/// Finds the files a batch considers: folders searched recursively, files named directly, and the paths
/// of a list file. It keeps only regular files that are not hidden, not partial uploads and not modified
/// within the settle age; whether a file is a recording is decided later, by its content.
public struct BatchDiscovery {
    /// A file to consider.
    public struct Found: Equatable, Sendable {
        public var path: String
        public var relativePath: String
        public var sizeBytes: Int64
        public var mtime: Double
    }

    /// An input or a folder that could not be read, and why.
    public struct Problem: Equatable, Sendable {
        public var path: String
        public var relativePath: String
        public var reason: String
    }

    public var found: [Found] = []
    public var problems: [Problem] = []
    /// Files skipped because they may still be arriving (partial uploads, recently modified).
    public var stillArriving: [String] = []
    /// Hidden files and folders skipped.
    public var hiddenCount = 0
    /// Symbolic links in the folders searched that lead outside every folder given, skipped (unless `followLinks`).
    public var skippedLinks: [Problem] = []
    /// The real paths of the folders given: a link found in them may lead anywhere inside them.
    private var roots: [String] = []
    private var followLinks = false

    /// Name endings of uploads still in progress (browsers, rsync, curl, transfer tools).
    public static let partialSuffixes = [".part", ".crdownload", ".tmp", ".download", ".partial", ".filepart", ".opdownload", "~"]

    /// The list on standard input (`--list -`), read once and bounded as a listed file is (`FileName.contents`):
    /// its bytes, or why it could not be read (one larger than the limit: "File too large").
    public static func readStandardInput() -> (contents: Data?, error: String?) {
        guard let data = FileName.contents(descriptor: STDIN_FILENO) else { return (nil, String(cString: strerror(errno))) }
        return (data, nil)
    }

    /// Searches `inputs` (folders and files) and the paths listed in `listFile` (`-`: `listContents`, or
    /// `listError` when standard input could not be read).
    /// `settleAge`: files modified less than this many seconds ago are left for the next run. A symbolic link
    /// found in a folder that leads outside the folders given is skipped unless `followLinks`; files named
    /// directly or listed are taken wherever they lead.
    public static func run(inputs: [String], listFile: String?, listContents: Data? = nil, listError: String? = nil, settleAge: Double,
                           now: Date = Date(), followLinks: Bool = false) -> BatchDiscovery {
        var discovery = BatchDiscovery()
        discovery.followLinks = followLinks
        for input in inputs {
            var st = stat()
            if Self.statFile(absolute(input), &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR, let real = realPath(absolute(input)) {
                discovery.roots.append(real)
            }
        }
        var loose: [String] = []
        var paths = inputs
        if let listFile {
            // Read as bytes: a listed name need not be UTF-8 (`FileName`); a folder is named as such.
            var info = stat()
            let isFolder = listFile != "-" && statFile(listFile, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
            if !isFolder, let data = listFile == "-" ? listContents : FileName.contents(of: listFile) {
                paths += data.split(separator: UInt8(ascii: "\n")).map { FileName.decode($0).trimmingCharacters(in: .whitespacesAndNewlines) }
                    .filter { !$0.isEmpty && !$0.hasPrefix("#") }
            } else {
                let reason = isFolder ? "a folder, not a list of files"
                    : listFile == "-" ? listError ?? "nothing was read" : String(cString: strerror(errno))
                discovery.problems.append(Problem(path: absolute(listFile), relativePath: (listFile as NSString).lastPathComponent,
                                                  reason: "cannot read the list: " + reason))
            }
        }
        for input in paths {
            let path = absolute(input)
            var st = stat()
            guard Self.statFile(path, &st) == 0 else {
                discovery.problems.append(Problem(path: path, relativePath: (path as NSString).lastPathComponent,
                                                  reason: "cannot open: \(String(cString: strerror(errno)))"))
                continue
            }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                discovery.walk(folder: path, relative: "", settleAge: settleAge, now: now)
            } else {
                loose.append(path)
            }
        }
        // Files named directly or listed are named below their closest common folder.
        let base = commonFolder(loose)
        for path in loose {
            let relative = base.isEmpty ? String(path.drop(while: { $0 == "/" })) : String(path.dropFirst(base.count + 1))
            discovery.consider(path: path, relative: relative, settleAge: settleAge, now: now)
        }
        // One file reached twice (a folder and a list) is considered once.
        var seen = Set<String>()
        discovery.found = discovery.found.filter { seen.insert($0.path).inserted }
        return discovery
    }

    private mutating func walk(folder: String, relative: String, settleAge: Double, now: Date) {
        guard let names = Self.names(in: folder) else {
            problems.append(Problem(path: folder, relativePath: relative.isEmpty ? (folder as NSString).lastPathComponent : relative,
                                    reason: "cannot read the folder: \(String(cString: strerror(errno)))"))
            return
        }
        for name in names {
            if name.hasPrefix(".") { hiddenCount += 1; continue }
            let path = folder == "/" ? "/" + name : folder + "/" + name
            let rel = relative.isEmpty ? name : relative + "/" + name
            var st = stat()
            // Symbolic links to folders are not followed (no loops); links to files are, when they lead
            // inside the folders given or `followLinks` allows it.
            guard FileName.withCString(path, { lstat($0, &st) }) == 0 else { continue }
            if (st.st_mode & S_IFMT) == S_IFLNK && !followLinks, let target = Self.realPath(path), !isInsideRoots(target) {
                var info = stat()
                if Self.statFile(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR { continue }  // never followed
                skippedLinks.append(Problem(path: path, relativePath: rel,
                                            reason: "skipped: a symbolic link to \(target), outside the folders given (--follow-links takes it)"))
                continue
            }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                walk(folder: path, relative: rel, settleAge: settleAge, now: now)
            } else {
                consider(path: path, relative: rel, settleAge: settleAge, now: now)
            }
        }
    }

    private mutating func consider(path: String, relative: String, settleAge: Double, now: Date) {
        let name = (path as NSString).lastPathComponent
        if name.hasPrefix(".") { hiddenCount += 1; return }
        let lower = name.lowercased()
        if Self.partialSuffixes.contains(where: { lower.hasSuffix($0) }) { stillArriving.append(path); return }
        var st = stat()
        guard Self.statFile(path, &st) == 0 else {
            problems.append(Problem(path: path, relativePath: relative, reason: "cannot open: \(String(cString: strerror(errno)))"))
            return
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else { return }
        let mtime = Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9
        if now.timeIntervalSince1970 - mtime < settleAge { stillArriving.append(path); return }
        found.append(Found(path: path, relativePath: relative, sizeBytes: Int64(st.st_size), mtime: mtime))
    }

    private func isInsideRoots(_ real: String) -> Bool {
        roots.contains { real == $0 || real.hasPrefix($0 == "/" ? "/" : $0 + "/") }
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = FileName.withCString(path, { realpath($0, nil) }) else { return nil }
        defer { free(resolved) }
        return FileName.decode(cString: resolved)
    }

    /// `stat` of a name that may not be UTF-8 (`FileName`).
    static func statFile(_ path: String, _ info: inout stat) -> Int32 {
        FileName.withCString(path) { fstatat(AT_FDCWD, $0, &info, 0) }
    }

    /// The names in a folder, sorted, every one of them: a name that is not UTF-8 is kept (`FileName`), where
    /// `FileManager` leaves it out. Nil (with `errno`) when the folder cannot be read.
    static func names(in folder: String) -> [String]? {
        guard let stream = FileName.withCString(folder, { opendir($0) }) else { return nil }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in FileName.decode(raw.prefix { $0 != 0 }) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// One line on standard error for each input that could not be read and each link skipped.
    public func report() {
        for problem in problems + skippedLinks {
            FileHandle.standardError.write(Data("bellwork: \(FileName.display(problem.path)): \(FileName.display(problem.reason))\n".utf8))
        }
    }

    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    static func reason(of error: Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        // The system's words for what Foundation names by a code, never "NSCocoaErrorDomain error 256".
        let posix: [Int: Int32] = [NSFileReadNoPermissionError: EACCES, NSFileWriteNoPermissionError: EACCES,
                                   NSFileNoSuchFileError: ENOENT, NSFileReadNoSuchFileError: ENOENT,
                                   NSFileWriteOutOfSpaceError: ENOSPC, NSFileWriteVolumeReadOnlyError: EROFS,
                                   NSFileWriteFileExistsError: EEXIST]
        if ns.domain == NSCocoaErrorDomain, let code = posix[ns.code] { return String(cString: strerror(code)) }
        if ns.domain == NSCocoaErrorDomain { return "the file system refused (Foundation code \(ns.code))" }
        return ns.localizedDescription
    }

    /// The deepest folder that holds every path ("" when they share none but the root).
    static func commonFolder(_ paths: [String]) -> String {
        guard let first = paths.first else { return "" }
        var common = first.split(separator: "/").dropLast().map(String.init)
        for path in paths.dropFirst() {
            let parts = path.split(separator: "/").dropLast().map(String.init)
            var n = 0
            while n < min(common.count, parts.count) && common[n] == parts[n] { n += 1 }
            common = Array(common.prefix(n))
        }
        return common.isEmpty ? "" : "/" + common.joined(separator: "/")
    }
}
