import Foundation
import Testing
@testable import Bellwork
@testable import BellworkBatch

/// The batch database opened by several processes at once: a batch starting while `bellwork summary` or a
/// second batch opens the same folder. Opening must wait for the other, never fail with "database is locked"
/// (CI once saw a batch exit 74 because a reader opened the new database while it switched to WAL).
@Suite struct BatchStoreTests {
    @Test func manyConnectionsOpeningANewDatabaseAtOnceAllSucceed() throws {
        for round in 0..<10 {
            let dir = FileManager.default.temporaryDirectory
                .appendingPathComponent("bellwork-store-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let failures = Failures()
            DispatchQueue.concurrentPerform(iterations: 8) { _ in
                do {
                    let store = try BatchStore(directory: dir.path)
                    _ = try store.all()
                } catch {
                    failures.add("\(error)")
                }
            }
            #expect(failures.list.isEmpty, "round \(round): \(failures.list)")
        }
    }
}

private final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ item: String) { lock.lock(); items.append(item); lock.unlock() }
    var list: [String] { lock.lock(); defer { lock.unlock() }; return items }
}
