import Bellwork
import BellworkBatch
import BellworkQueue
import Foundation
import Testing

extension PostgresSuites {
    /// One suite of what every store of the batch's state must do (`LessonQueue`), run against both: SQLite in a
    /// queue folder and PostgreSQL on the throwaway server `make test` starts (scripts/with-postgres.sh).
    @Suite(.serialized)
    struct LessonQueueContractTests {
        static let stores = ["sqlite", "postgresql"]

        /// A fresh, empty queue of the kind named, and what removes it.
        static func fresh(_ kind: String) throws -> (queue: any LessonQueue, done: () -> Void) {
            if kind == "sqlite" {
                let dir = try CLI.tempDir().appendingPathComponent("queue")
                let queue = try SQLiteLessonQueue(directory: dir.path)
                return (queue, { try? FileManager.default.removeItem(at: dir.deletingLastPathComponent()) })
            }
            let database = try TestPostgres.freshDatabase()
            let queue = PostgresLessonQueue(address: try QueueAddress(database.url))
            return (queue, {
                let semaphore = DispatchSemaphore(value: 0)
                Task.detached { await queue.close(); semaphore.signal() }
                semaphore.wait()
                database.drop()
            })
        }

        static let settings = QueueSettings(hash: "xxh64:0000000000000001", configuration: Data(#"{"settleSeconds": 30}"#.utf8))
        static let otherSettings = QueueSettings(hash: "xxh64:0000000000000002", configuration: Data(#"{"settleSeconds": 60}"#.utf8))

        static func file(_ name: String, hash: String = "xxh64:aa") -> QueueFile {
            QueueFile(relativePath: name, sizeBytes: 1000, mtime: 1_700_000_000, contentHash: hash)
        }

        /// A result as a child writes it (what the queue keeps of it: the duration and the metrics).
        static func result(seconds: Double = 120) -> QueueResult {
            let json = """
                {"schemaVersion": 1, "durationSeconds": \(seconds), "input": {"path": "x.mp4"}, "status": "ok",
                 "metrics": {"classStartSeconds": 0, "classEndSeconds": \(seconds), "classSeconds": \(seconds), "onTaskSeconds": 90,
                             "timeOnTaskPercent": 75, "transitionCount": 2, "transitionSeconds": 30, "meanTransitionSeconds": 15,
                             "longestTransitionSeconds": 20, "bellToWorkSeconds": 12}}
                """
            return QueueResult(json: Data(json.utf8), analysisSeconds: 3)!
        }

        static func statuses(_ queue: any LessonQueue) async throws -> [String: BatchLesson] {
            Dictionary(uniqueKeysWithValues: try await queue.lessons().map { ($0.relativePath, $0) })
        }

        @Test(arguments: stores) func planRegistersOnceAndRequeuesOnlyWhatChanged(kind: String) async throws {
            let (queue, done) = try Self.fresh(kind)
            defer { done() }
            let files = ["a/1.mp4", "a/2.mp4", "b/3.mp4"].map { Self.file($0) }
            #expect(try await queue.plan(files, settings: Self.settings, retryFailed: false, root: "/srv/up") == QueuePlanOutcome(added: 3))
            #expect(try await queue.plan(files, settings: Self.settings, retryFailed: false, root: "/srv/up") == QueuePlanOutcome(unchanged: 3))
            #expect(try await queue.root() == "/srv/up")
            #expect(try await queue.known(["a/1.mp4", "zz.mp4"]) == ["a/1.mp4": Self.file("a/1.mp4")])

            // Analysed: a new time with the same content changes nothing; new content is analysed again.
            while let claim = try await queue.claim(worker: "w", leaseSeconds: 60, maxAttempts: 3) {
                #expect(try await queue.finish(claim, result: Self.result()))
            }
            var touched = Self.file("a/1.mp4")
            touched.mtime += 10
            let changed = Self.file("a/2.mp4", hash: "xxh64:bb")
            let outcome = try await queue.plan([touched, changed, Self.file("b/3.mp4")], settings: Self.settings, retryFailed: false, root: "/srv/up")
            #expect(outcome == QueuePlanOutcome(requeued: 1, unchanged: 2))
            var rows = try await Self.statuses(queue)
            #expect(rows["a/1.mp4"]?.status == .done && rows["a/1.mp4"]?.mtime == touched.mtime)
            #expect(rows["a/2.mp4"]?.status == .pending && rows["a/2.mp4"]?.attempts == 0)
            #expect(rows["b/3.mp4"]?.status == .done)

            // Other settings: every lesson again.
            let again = try await queue.plan([touched, changed, Self.file("b/3.mp4")], settings: Self.otherSettings, retryFailed: false, root: "/srv/up")
            #expect(again == QueuePlanOutcome(requeued: 3))
            rows = try await Self.statuses(queue)
            #expect(rows.values.allSatisfy { $0.status == .pending && $0.settingsHash == Self.otherSettings.hash })
            let claim = try #require(try await queue.claim(worker: "w", leaseSeconds: 60, maxAttempts: 3))
            #expect(claim.settings == Self.otherSettings)
        }

        @Test(arguments: stores) func claimsGoInOrderAndAClaimIsOnlyItsHoldersToEnd(kind: String) async throws {
            let (queue, done) = try Self.fresh(kind)
            defer { done() }
            _ = try await queue.plan(["1.mp4", "2.mp4"].map { Self.file($0) }, settings: Self.settings, retryFailed: false, root: "/r")
            let first = try #require(try await queue.claim(worker: "w1", leaseSeconds: 60, maxAttempts: 3))
            let second = try #require(try await queue.claim(worker: "w2", leaseSeconds: 60, maxAttempts: 3))
            #expect(first.relativePath == "1.mp4" && second.relativePath == "2.mp4")
            #expect(first.settings == Self.settings && first.sizeBytes == 1000 && first.attempts == 0)
            #expect(try await queue.claim(worker: "w3", leaseSeconds: 60, maxAttempts: 3) == nil)
            let status = try await queue.status()
            #expect(status.running.map(\.worker).sorted() == ["w1", "w2"] && status.pending == 0)

            // A forged token ends nothing; the holder's does.
            var forged = first
            forged.token &+= 1
            #expect(try await queue.renew(forged, leaseSeconds: 60) == false)
            #expect(try await queue.finish(forged, result: Self.result()) == false)
            #expect(try await queue.renew(first, leaseSeconds: 60))
            #expect(try await queue.finish(first, result: Self.result(seconds: 200)))
            #expect(try await queue.finish(first, result: Self.result()) == false, "a claim ends once")

            // Re-enqueued with new content while running: the running claim can record nothing.
            _ = try await queue.plan([Self.file("2.mp4", hash: "xxh64:new")], settings: Self.settings, retryFailed: false, root: "/r")
            #expect(try await queue.renew(second, leaseSeconds: 60) == false)
            #expect(try await queue.finish(second, result: Self.result()) == false)
            let rows = try await Self.statuses(queue)
            #expect(rows["1.mp4"]?.status == .done && rows["1.mp4"]?.durationSeconds == 200 && rows["1.mp4"]?.timeOnTaskPercent == 75)
            #expect(rows["1.mp4"]?.attempts == 1 && rows["1.mp4"]?.bellToWorkSeconds == 12)
            #expect(rows["2.mp4"]?.status == .pending)
            let status2 = try await queue.status()
            #expect(status2.done == 1 && status2.pending == 1 && status2.lessonsLastHour == 1)
            #expect(abs(status2.mediaHoursLastHour - 200.0 / 3600) < 1e-9)
        }

        @Test(arguments: stores) func failuresAreRetriedUntilTheirAttemptsRunOut(kind: String) async throws {
            let (queue, done) = try Self.fresh(kind)
            defer { done() }
            _ = try await queue.plan(["bad.mp4", "notes.txt"].map { Self.file($0) }, settings: Self.settings, retryFailed: false, root: "/r")
            var claims = 0
            var badAttempts: [Int] = []
            while let claim = try await queue.claim(worker: "w", leaseSeconds: 60, maxAttempts: 2) {
                claims += 1
                if claim.relativePath == "notes.txt" {
                    #expect(try await queue.fail(claim, .ignored(reason: "not a recording"), maxAttempts: 2))
                } else {
                    badAttempts.append(claim.attempts)
                    #expect(try await queue.fail(claim, .failed(reason: "the analysis crashed (signal 6, SIGABRT)", exitStatus: 134), maxAttempts: 2))
                }
                if claims > 10 { break }
            }
            // bad.mp4 twice (after 0, then 1 attempt), notes.txt once: three claims in all, then nothing.
            #expect(claims == 3 && badAttempts == [0, 1])
            var rows = try await Self.statuses(queue)
            #expect(rows["bad.mp4"]?.status == .failed && rows["bad.mp4"]?.attempts == 2 && rows["bad.mp4"]?.exitStatus == 134)
            #expect(rows["bad.mp4"]?.error == "the analysis crashed (signal 6, SIGABRT)")
            #expect(rows["notes.txt"]?.status == .ignored)
            #expect(try await queue.status().failed == 1)

            // --retry-failed: the failed lesson is pending again with its attempts forgotten; the ignored file stays.
            let retry = try await queue.plan(["bad.mp4", "notes.txt"].map { Self.file($0) }, settings: Self.settings, retryFailed: true, root: "/r")
            #expect(retry == QueuePlanOutcome(requeued: 1, unchanged: 1))
            rows = try await Self.statuses(queue)
            #expect(rows["bad.mp4"]?.status == .pending && rows["bad.mp4"]?.attempts == 0 && rows["notes.txt"]?.status == .ignored)
        }

        @Test(arguments: stores) func aReleasedLessonIsPendingAndNotAnAttempt(kind: String) async throws {
            let (queue, done) = try Self.fresh(kind)
            defer { done() }
            _ = try await queue.plan([Self.file("1.mp4")], settings: Self.settings, retryFailed: false, root: "/r")
            let claim = try #require(try await queue.claim(worker: "w", leaseSeconds: 60, maxAttempts: 3))
            try await queue.release(claim)
            try await queue.release(claim)
            let rows = try await Self.statuses(queue)
            #expect(rows["1.mp4"]?.status == .pending && rows["1.mp4"]?.attempts == 0)
            let again = try #require(try await queue.claim(worker: "w2", leaseSeconds: 60, maxAttempts: 3))
            #expect(again.relativePath == "1.mp4" && again.token != claim.token)
        }

        /// A worker that dies stops renewing: once its lease runs out another takes the lesson, and what the dead
        /// one would still record is refused. A lesson whose leases run out `maxAttempts` times is failed.
        @Test(arguments: stores) func anExpiredLeaseIsTakenOverAndAbandonedLessonsFail(kind: String) async throws {
            let (queue, done) = try Self.fresh(kind)
            defer { done() }
            _ = try await queue.plan([Self.file("1.mp4")], settings: Self.settings, retryFailed: false, root: "/r")
            let dead = try #require(try await queue.claim(worker: "dead", leaseSeconds: 0.3, maxAttempts: 3))
            #expect(try await queue.claim(worker: "live", leaseSeconds: 60, maxAttempts: 3) == nil, "the lease still holds")
            try await Task.sleep(nanoseconds: 600_000_000)
            let live = try #require(try await queue.claim(worker: "live", leaseSeconds: 0.3, maxAttempts: 3))
            #expect(live.relativePath == "1.mp4")
            #expect(try await queue.finish(dead, result: Self.result()) == false)
            try await Task.sleep(nanoseconds: 600_000_000)
            // Two leases ran out; the third claim's would be the third: with maxAttempts 3 it is failed instead.
            let third = try #require(try await queue.claim(worker: "w3", leaseSeconds: 0.3, maxAttempts: 3))
            try await Task.sleep(nanoseconds: 600_000_000)
            #expect(try await queue.claim(worker: "w4", leaseSeconds: 60, maxAttempts: 3) == nil)
            #expect(try await queue.finish(third, result: Self.result()) == false)
            let row = try #require(try await Self.statuses(queue)["1.mp4"])
            #expect(row.status == .failed)
            #expect(row.error?.contains("abandoned 3 times") == true, "\(row.error ?? "")")
        }

        /// A claimer that chooses its lessons (a batch: this run's, longest first) takes each only while it is pending;
        /// restarted after a kill under the same name, it takes back what it held, under new tokens, with the work file it
        /// named; a result file it wrote is the lesson's result, and a failure forgets it.
        @Test(arguments: stores) func aChosenLessonIsTakenWhilePendingAndTakenBackByItsClaimer(kind: String) async throws {
            let (queue, done) = try Self.fresh(kind)
            defer { done() }
            _ = try await queue.plan(["1.mp4", "2.mp4", "3.mp4"].map { Self.file($0) }, settings: Self.settings, retryFailed: false, root: "/r")
            let ids = try await Self.statuses(queue).compactMapValues(\.id)
            #expect(ids.count == 3)
            let chosen = try #require(try await queue.claim(lesson: ids["2.mp4"]!, worker: "batch", leaseSeconds: 60, workFile: "/w/2.json"))
            #expect(chosen.relativePath == "2.mp4" && chosen.workFile == "/w/2.json" && chosen.settings == Self.settings)
            #expect(chosen.attempts == 0 && chosen.sizeBytes == 1000 && chosen.claimedAt != nil)
            #expect(try await queue.claim(lesson: ids["2.mp4"]!, worker: "batch", leaseSeconds: 60, workFile: nil) == nil, "running")
            let next = try #require(try await queue.claim(worker: "w", leaseSeconds: 60, maxAttempts: 3))
            #expect(next.relativePath == "1.mp4" && next.workFile == nil)
            #expect(try await queue.finish(next, result: Self.result()))
            #expect(try await queue.claim(lesson: ids["1.mp4"]!, worker: "batch", leaseSeconds: 60, workFile: nil) == nil, "done")

            // Killed and started again: what it held comes back under a new token; the old one records nothing.
            #expect(try await queue.reclaim(worker: "someone else", leaseSeconds: 60).isEmpty)
            let back = try await queue.reclaim(worker: "batch", leaseSeconds: 60)
            #expect(back.map(\.id) == [chosen.id] && back.first?.token != chosen.token)
            #expect(back.first?.workFile == "/w/2.json" && back.first?.claimedAt == chosen.claimedAt)
            #expect(try await queue.renew(chosen, leaseSeconds: 60) == false)
            #expect(try await queue.finish(chosen, result: Self.result()) == false)
            var written = Self.result(seconds: 300)
            written.resultFile = "results/2.mp4.json"
            #expect(try await queue.finish(try #require(back.first), result: written))
            var rows = try await Self.statuses(queue)
            #expect(rows["2.mp4"]?.status == .done && rows["2.mp4"]?.resultFile == "results/2.mp4.json" && rows["2.mp4"]?.durationSeconds == 300)
            #expect(rows["1.mp4"]?.resultFile == "queue")
            #expect(try await queue.reclaim(worker: "batch", leaseSeconds: 60).isEmpty)

            // A failure ends the claim and forgets the result file; a released lesson can be chosen again.
            let third = try #require(try await queue.claim(lesson: ids["3.mp4"]!, worker: "batch", leaseSeconds: 60, workFile: "/w/3.json"))
            try await queue.release(third)
            let again = try #require(try await queue.claim(lesson: ids["3.mp4"]!, worker: "batch", leaseSeconds: 60, workFile: "/w/3b.json"))
            #expect(again.workFile == "/w/3b.json" && again.attempts == 0)
            #expect(try await queue.fail(again, .failed(reason: "the analysis crashed", exitStatus: 134), maxAttempts: 1))
            rows = try await Self.statuses(queue)
            #expect(rows["3.mp4"]?.status == .failed && rows["3.mp4"]?.attempts == 1 && rows["3.mp4"]?.resultFile == nil)
        }

        /// Eight claimers at once, each with its own connection: every lesson is claimed once.
        @Test(arguments: stores) func concurrentClaimersNeverShareALesson(kind: String) async throws {
            let (queue, done) = try Self.fresh(kind)
            defer { done() }
            let names = (1...40).map { "l\($0).mp4" }
            _ = try await queue.plan(names.map { Self.file($0) }, settings: Self.settings, retryFailed: false, root: "/r")
            let claimers: [any LessonQueue] = try (0..<8).map { _ in
                if let sqlite = queue as? SQLiteLessonQueue { return try SQLiteLessonQueue(directory: sqlite.directory) }
                return PostgresLessonQueue(address: (queue as! PostgresLessonQueue).address)
            }
            let taken = try await withThrowingTaskGroup(of: [String].self) { group in
                for (i, claimer) in claimers.enumerated() {
                    group.addTask {
                        var mine: [String] = []
                        while let claim = try await claimer.claim(worker: "c\(i)", leaseSeconds: 60, maxAttempts: 3) {
                            mine.append(claim.relativePath)
                            #expect(try await claimer.finish(claim, result: Self.result()))
                        }
                        await claimer.close()
                        return mine
                    }
                }
                var all: [String] = []
                for try await part in group { all += part }
                return all
            }
            #expect(taken.sorted() == names.sorted())
            #expect(try await queue.status().done == 40)
        }
    }
}
