import BellworkOutputs
import Bellwork
import Foundation
import MediaIO

/// `bellwork enqueue`: finds lessons as `batch` does (the same discovery, settle age and partial-upload rules)
/// and registers what is new or changed in a queue, by path relative to a root every worker can find.
public enum QueueEnqueue {
    public struct Outcome: Sendable, Equatable {
        public var plan = QueuePlanOutcome()
        /// Inputs that could not be read, and files outside the root.
        public var problems: [BatchDiscovery.Problem] = []
        public var stillArriving = 0
        public var root = ""
    }

    /// The root relative paths are taken from: `root` when given, else the one folder given, else the deepest
    /// folder holding every input.
    public static func root(_ root: String?, inputs: [String]) -> String {
        if let root { return BatchDiscovery.absolute(root) }
        let absolute = inputs.map(BatchDiscovery.absolute)
        var info = stat()
        let folders = absolute.filter { BatchDiscovery.statFile($0, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR }
        if absolute.count == 1, let folder = folders.first { return folder }
        // A folder counts as holding itself: its own path is a parent of a name inside it.
        let common = BatchDiscovery.commonFolder(absolute.map { folders.contains($0) ? $0 + "/." : $0 })
        return common.isEmpty ? "/" : common
    }

    public static func run(queue: any LessonQueue, inputs: [String], listFile: String?, listContents: Data?, listError: String? = nil, root: String?,
                           settleAge: Double, followLinks: Bool, settings: QueueSettings, retryFailed: Bool) async throws -> Outcome {
        var outcome = Outcome()
        outcome.root = Self.root(root, inputs: inputs)
        let discovery = BatchDiscovery.run(inputs: inputs, listFile: listFile, listContents: listContents, listError: listError, settleAge: settleAge,
                                           followLinks: followLinks)
        outcome.problems = discovery.problems + discovery.skippedLinks
        outcome.stillArriving = discovery.stillArriving.count
        var located: [(found: BatchDiscovery.Found, relative: String)] = []
        let prefix = outcome.root == "/" ? "/" : outcome.root + "/"
        for found in discovery.found {
            guard found.path.hasPrefix(prefix) else {
                outcome.problems.append(.init(path: found.path, relativePath: found.relativePath,
                                              reason: "outside the root \(outcome.root) (give --root a folder that holds it)"))
                continue
            }
            located.append((found, String(found.path.dropFirst(prefix.count))))
        }
        var files: [QueueFile] = []
        // Asked in slices, so a folder of a hundred thousand lessons is not one statement.
        for slice in stride(from: 0, to: located.count, by: 2000).map({ located[$0..<min($0 + 2000, located.count)] }) {
            let known = try await queue.known(slice.map(\.relative))
            for (found, relative) in slice {
                // Hashed only when the size or the time changed: a first enqueue over terabytes starts at once.
                if let was = known[relative], was.sizeBytes == found.sizeBytes, was.mtime == found.mtime {
                    files.append(was)
                    continue
                }
                do {
                    let hash = try BatchHash.contentHash(path: found.path)
                    files.append(QueueFile(relativePath: relative, sizeBytes: found.sizeBytes, mtime: found.mtime, contentHash: hash))
                } catch {
                    outcome.problems.append(.init(path: found.path, relativePath: relative,
                                                  reason: "cannot open: \((error as? BatchFileError)?.reason ?? "\(error)")"))
                }
            }
        }
        // Called once even with nothing found, so the queue knows its root before the first lesson.
        let slices = files.isEmpty ? [[]] : stride(from: 0, to: files.count, by: 2000).map { Array(files[$0..<min($0 + 2000, files.count)]) }
        for slice in slices {
            let part = try await queue.plan(slice, settings: settings, retryFailed: retryFailed, root: outcome.root)
            outcome.plan.added += part.added
            outcome.plan.requeued += part.requeued
            outcome.plan.unchanged += part.unchanged
        }
        return outcome
    }
}
