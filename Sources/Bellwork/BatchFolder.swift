import Foundation

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
            // A folder of an earlier version has the state database and no marker: adopted.
            guard names.isEmpty || folder.isRegularFile(BatchStore.fileName) else {
                throw BatchStartError(
                    message: "\(root): not a Bellwork batch folder (it holds other files and no \(markerName)); "
                        + "nothing was changed: give --out a new or empty folder",
                    status: ExitStatus.usage)
            }
        }
        do { try folder.write(Data(markerText.utf8), to: markerName) } catch {
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

    /// Writes `relative` atomically.
    func write(_ data: Data, to relative: String) throws(AtomicFile.WriteError) {
        try AtomicFile.write(data, to: path(relative))
    }
}
