@testable import BellworkQueue
import Foundation
import Testing

/// A query the server never answers does not hold the worker: after the answer timeout it is given up on, even
/// when the query itself never ends (PostgresNIO can leave a query on a connection closed under it waiting for
/// ever; a worker was seen to hang so, silently, through a server restart).
struct QueueAnswerTests {
    /// Something that waits until it is opened and ignores being cancelled, as such a query does.
    final class Gate: @unchecked Sendable {
        private let lock = NSLock()
        private var waiting: [CheckedContinuation<Void, Never>] = []
        private var open = false

        func wait() async {
            await withCheckedContinuation { continuation in
                let now = lock.withLock { () -> Bool in
                    if !open { waiting.append(continuation) }
                    return open
                }
                if now { continuation.resume() }
            }
        }

        func opened() {
            let all = lock.withLock { () -> [CheckedContinuation<Void, Never>] in
                open = true
                defer { waiting = [] }
                return waiting
            }
            for continuation in all { continuation.resume() }
        }
    }

    final class Flag: @unchecked Sendable {
        private let lock = NSLock()
        private var set = false
        var value: Bool { lock.withLock { set } }
        func raise() { lock.withLock { set = true } }
    }

    @Test func aQueryThatNeverEndsIsGivenUpOnAtTheTimeout() async throws {
        let gate = Gate(), timedOut = Flag(), queryEnded = Flag()
        // A safety net: the gate opens after 20 s, so that a wrong implementation (one that waits for the query)
        // fails this test instead of hanging the suite.
        let net = Task { try await Task.sleep(nanoseconds: 20_000_000_000); gate.opened() }
        defer { net.cancel(); gate.opened() }
        await #expect(throws: PostgresLessonQueue.NoAnswer.self) {
            try await PostgresLessonQueue.answered(within: 0.5, onTimeout: { timedOut.raise() }) { () async throws -> Int in
                await gate.wait()
                queryEnded.raise()
                return 1
            }
        }
        #expect(!queryEnded.value, "it waited for the query to end")
        #expect(timedOut.value)
    }

    /// An answer, or an error, in time is what the caller gets, and the timeout's action (closing the connection)
    /// never runs after it: the next query still has its connection.
    @Test func anAnswerInTimeIsReturnedAndTheConnectionKept() async throws {
        let timedOut = Flag()
        let value = try await PostgresLessonQueue.answered(within: 0.3, onTimeout: { timedOut.raise() }) { 7 }
        #expect(value == 7)
        struct Refused: Error {}
        await #expect(throws: Refused.self) {
            try await PostgresLessonQueue.answered(within: 0.3, onTimeout: { timedOut.raise() }) { () async throws -> Int in throw Refused() }
        }
        try await Task.sleep(nanoseconds: 600_000_000)
        #expect(!timedOut.value, "the timeout's action ran after the answer")
    }
}
