import Bellwork
import BellworkBatch
import Foundation
import LessonMetrics
import Testing

extension PostgresSuites {
    /// `bellwork enqueue`, `worker`, `status` and `summary --queue` over PostgreSQL as a district runs them: real
    /// processes (several workers at once, killed, stopped, on other "machines"), real files, the throwaway server
    /// `make test` starts, a fresh database per test. What became of each lesson is read back with psql, never
    /// with the code under test. Serialized: each test runs several workers and their children on a 2-core machine.
    @Suite(.serialized, .timeLimit(.minutes(8)))
    struct QueueCLITests {
        // MARK: - Helpers

        /// Copies of one short lesson (made once with ffmpeg) at `names` under `input`, settled an hour ago.
        static func lessons(_ names: [String], under input: URL, seconds: Int = 2) throws {
            let sample = input.deletingLastPathComponent().appendingPathComponent("sample-\(seconds)s.mp4")
            if !FileManager.default.fileExists(atPath: sample.path) { try BatchCLITests.lesson(sample.path, seconds: seconds) }
            for name in names { try BatchCLITests.copy(sample.path, input.appendingPathComponent(name).path) }
        }

        /// A fresh database and scratch folder, with `names` written as short lessons under `dir/in` and enqueued
        /// (the enqueue expected to succeed). `clean` drops and removes them.
        static func enqueued(_ names: [String], sourceLocation: SourceLocation = #_sourceLocation) throws
            -> (db: TestPostgres.Database, dir: URL) {
            let db = try TestPostgres.freshDatabase()
            let dir = try CLI.tempDir()
            let input = dir.appendingPathComponent("in")
            do {
                try lessons(names, under: input)
                #expect(try enqueue(input, db).status == 0, sourceLocation: sourceLocation)
            } catch {
                clean(db, dir)
                throw error
            }
            return (db, dir)
        }

        static func clean(_ db: TestPostgres.Database, _ dir: URL) {
            db.drop()
            try? FileManager.default.removeItem(at: dir)
        }

        static func enqueue(_ input: URL, _ db: TestPostgres.Database) throws -> CLI.Outcome {
            try BatchCLITests.bellwork(["enqueue", input.path, "--queue", db.url])
        }

        struct Worker {
            let name: String
            let process: BackgroundBatch
            let log: URL
        }

        /// `bellwork worker --queue URL --name NAME OPTIONS…` in the background, its standard error in
        /// `dir/NAME-N.log` (a new file each start).
        static func worker(_ name: String, queue url: String, _ options: [String], dir: URL, environment: [String] = [],
                           wrapper: [String] = []) throws -> Worker {
            var n = 0
            var log = dir.appendingPathComponent("\(name)-\(n).log")
            while FileManager.default.fileExists(atPath: log.path) {
                n += 1
                log = dir.appendingPathComponent("\(name)-\(n).log")
            }
            let process = try BackgroundBatch(["worker", "--queue", url, "--name", name] + options, environment: environment,
                                              wrapper: wrapper, stderr: log.path)
            return Worker(name: name, process: process, log: log)
        }

        /// The last lines of every log of the test, for a failure's message.
        static func logs(_ dir: URL) -> String {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasSuffix(".log") }.sorted()
            return names.map { name in
                let text = (try? String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)) ?? ""
                return "--- \(name)\n" + text.split(separator: "\n").suffix(12).joined(separator: "\n")
            }.joined(separator: "\n")
        }

        /// A lesson as the queue's tables hold it, with how many events of each kind it has.
        struct Row {
            var status: String
            var attempts: Int
            var lostLeases: Int
            var error: String?
            var durationSeconds: Double?
            var events: [String]
            func count(_ event: String) -> Int { events.filter { $0 == event }.count }
        }

        static func rows(_ db: TestPostgres.Database) throws -> [String: Row] {
            var rows: [String: Row] = [:]
            for row in try db.rows("""
                SELECT l.path, l.status, l.attempts, l.lost_leases, l.error, l.duration_seconds,
                    (SELECT coalesce(json_agg(e.event ORDER BY e.id), '[]'::json) FROM bellwork.event e WHERE e.lesson_id = l.id) AS events
                FROM bellwork.lesson l
                """) {
                rows[row["path"] as? String ?? ""] = Row(
                    status: row["status"] as? String ?? "", attempts: (row["attempts"] as? NSNumber)?.intValue ?? -1,
                    lostLeases: (row["lost_leases"] as? NSNumber)?.intValue ?? -1, error: row["error"] as? String,
                    durationSeconds: (row["duration_seconds"] as? NSNumber)?.doubleValue, events: row["events"] as? [String] ?? [])
            }
            return rows
        }

        /// Lessons by status.
        static func counts(_ db: TestPostgres.Database) throws -> [String: Int] {
            var counts: [String: Int] = [:]
            for row in try db.rows("SELECT status, count(*) AS n FROM bellwork.lesson GROUP BY status") {
                counts[row["status"] as? String ?? ""] = (row["n"] as? NSNumber)?.intValue
            }
            return counts
        }

        /// Every lesson done, each by exactly one `done` event.
        static func expectEachDoneOnce(_ db: TestPostgres.Database, _ names: [String], dir: URL,
                                       sourceLocation: SourceLocation = #_sourceLocation) throws {
            let rows = try Self.rows(db)
            #expect(Set(rows.keys) == Set(names), sourceLocation: sourceLocation)
            for name in names {
                let row = rows[name]
                #expect(row?.status == "done", "\(name): \(row?.status ?? "missing") \(row?.error ?? "")\n\(Self.logs(dir))",
                        sourceLocation: sourceLocation)
                #expect(row?.count("done") == 1, "\(name): \(row?.events ?? [])", sourceLocation: sourceLocation)
            }
        }

        /// `bellwork status --format json`.
        static func status(_ db: TestPostgres.Database) throws -> QueueStatus {
            let run = try BatchCLITests.bellwork(["status", "--queue", db.url, "--format", "json"])
            guard run.status == 0 else { throw CLIError("status: \(run.status): \(run.stderr)") }
            return try JSONDecoder().decode(QueueStatus.self, from: Data(run.stdout.utf8))
        }

        /// The command lines of the processes that name `dir` (workers and their children).
        static func processes(naming dir: URL) -> [String] {
            BatchCLITests.processes().stdout.split(separator: "\n").filter { $0.contains(dir.path) }.map(String.init)
        }

        /// Nothing left running that names `dir`, allowing a moment for children killed with their worker to go.
        static func expectNothingLeft(_ dir: URL, sourceLocation: SourceLocation = #_sourceLocation) {
            let gone = waitUntil(10) { processes(naming: dir).isEmpty }
            #expect(gone, "left running:\n\(processes(naming: dir).joined(separator: "\n"))", sourceLocation: sourceLocation)
        }

        // MARK: - Many workers, killed

        /// Three workers on forty lessons, one of them killed with SIGKILL at random moments five times and started
        /// again each time: every lesson is done exactly once (one `done` event), its result is whole in the
        /// results folder and in the queue, and nothing is left running.
        @Test func threeWorkersAndRepeatedSIGKILLsDoEveryLessonOnce() throws {
            let db = try TestPostgres.freshDatabase()
            defer { db.drop() }
            let dir = try CLI.tempDir()
            defer { try? FileManager.default.removeItem(at: dir) }
            let input = dir.appendingPathComponent("in"), out = dir.appendingPathComponent("out")
            let names = (1...40).map { String(format: "teacher%d/week%02d.mp4", $0 % 4, $0) }
            try Self.lessons(names, under: input)
            let enqueued = try Self.enqueue(input, db)
            #expect(enqueued.status == 0, "\(enqueued.stderr)")
            #expect(enqueued.stdout.contains("40 lessons in the queue from \(input.path): 40 new, 0 to analyse again, 0 unchanged"), "\(enqueued.stdout)")

            let deadline = Date().addingTimeInterval(240)
            // --max-attempts 6: five kills could abandon one lesson five times (the default 3 would fail it, rightly).
            let options = ["--jobs", "1", "--lease", "3", "--max-attempts", "6", "--poll-interval", "0.2", "--exit-when-empty",
                           "--out", out.path]
            var victim = try Self.worker("w1", queue: db.url, options, dir: dir)
            // The others once w1 has made the results folder (workersStartingTogetherShareANewResultsFolder is about
            // a folder taken by several at once).
            #expect(waitUntil(60) { FileManager.default.fileExists(atPath: out.appendingPathComponent(".bellwork-batch").path) },
                    "\(Self.logs(dir))")
            let steady = try ["w2", "w3"].map { try Self.worker($0, queue: db.url, options, dir: dir) }
            var generator = SystemRandomNumberGenerator()
            var kills = 0
            for round in 0..<5 {
                // Each kill lands while w1 holds a lesson (the first at once, the others anywhere in the next few
                // tenths of a second), so its lease is lost and taken over.
                _ = waitUntil(20, every: 0.01) {
                    (try? TestPostgres.psql(db.url, "SELECT count(*) FROM bellwork.lesson WHERE status = 'running' AND worker = 'w1'")) == "1"
                }
                if round > 0 { usleep(UInt32.random(in: 0...300_000, using: &generator)) }
                kill(victim.process.pid, SIGKILL)
                // A worker that already ended is a zombie until reaped: the signal reaches no one.
                if victim.process.wait(until: deadline) == .signalled(SIGKILL) { kills += 1 }
                victim = try Self.worker("w1", queue: db.url, options, dir: dir)
            }
            #expect(kills == 5, "w1 ended by itself before it was killed five times\n\(Self.logs(dir))")
            for worker in [victim] + steady {
                let end = worker.process.wait(until: deadline)
                #expect(end == .exited(0), "\(worker.name): \(end)\n\(Self.logs(dir))")
            }

            try Self.expectEachDoneOnce(db, names, dir: dir)
            // The kills cost leases that the others took over.
            #expect(try Self.rows(db).values.contains { $0.lostLeases > 0 }, "no lesson was taken over from w1")
            // The results folder: exactly one result a lesson (a temporary file of a write cut short by a kill aside).
            var files: [String] = []
            let results = out.appendingPathComponent("results")
            if let walk = FileManager.default.enumerator(atPath: results.path) {
                while let relative = walk.nextObject() as? String {
                    var isFolder: ObjCBool = false
                    _ = FileManager.default.fileExists(atPath: results.appendingPathComponent(relative).path, isDirectory: &isFolder)
                    if !isFolder.boolValue && !(relative as NSString).lastPathComponent.hasPrefix(".") { files.append(relative) }
                }
            }
            #expect(files.sorted() == names.map { $0 + ".json" }.sorted())
            try BatchCLITests.checkResults(out, expected: names)
            // The queue's own copy (jsonb) is the contract's JSON too.
            for row in try db.rows("SELECT path, result::text AS result FROM bellwork.lesson") {
                let path = row["path"] as? String ?? ""
                guard let text = row["result"] as? String else {
                    Issue.record("\(path): no result in the queue")
                    continue
                }
                let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
                #expect(object?["schemaVersion"] as? Int == 1, "\(path)")
                #expect(((object?["input"] as? [String: Any])?["path"] as? String)?.hasSuffix(path) == true, "\(path)")
                #expect(throws: Never.self, "\(path)") { _ = try ResultJSON.decode(AnalysisResult.self, from: Data(text.utf8)) }
            }
            let status = try Self.status(db)
            #expect(status.pending == 0 && status.running.isEmpty && status.done == 40 && status.failed == 0, "\(status)")
            Self.expectNothingLeft(dir)
        }

        /// A worker killed while it holds a lesson leaves it `running` until its lease runs out. A worker started
        /// after it with --exit-when-empty does not end while that lesson may come back: it waits for the lease,
        /// takes the lesson over and analyses it.
        @Test func exitWhenEmptyWaitsForALessonWhoseWorkerDied() throws {
            let names = ["a/stuck.mp4", "b/1.mp4", "b/2.mp4", "b/3.mp4"]
            let (db, dir) = try Self.enqueued(names)
            defer { Self.clean(db, dir) }
            let options = ["--jobs", "1", "--lease", "10", "--poll-interval", "0.2", "--work", dir.appendingPathComponent("work").path]
            let doomed = try Self.worker("doomed", queue: db.url, options, dir: dir, environment: ["BELLWORK_TEST_FAULT=hang=stuck"])
            let held = try waitUntil(60) {
                try Self.rows(db)["a/stuck.mp4"]?.status == "running" && Self.processes(naming: dir).contains { $0.contains("--test-fault") }
            }
            #expect(held, "the hanging lesson never ran\n\(Self.logs(dir))")
            kill(doomed.process.pid, SIGKILL)
            #expect(doomed.process.wait(until: Date().addingTimeInterval(30)) == .signalled(SIGKILL))

            let heir = try Self.worker("heir", queue: db.url, options + ["--exit-when-empty"], dir: dir)
            let end = heir.process.wait(until: Date().addingTimeInterval(120))
            #expect(end == .exited(0), "\(end)\n\(Self.logs(dir))")
            try Self.expectEachDoneOnce(db, names, dir: dir)
            let stuck = try Self.rows(db)["a/stuck.mp4"]
            #expect(stuck?.lostLeases == 1 && stuck?.attempts == 1, "\(String(describing: stuck))")
            #expect(try db.query("SELECT e.worker FROM bellwork.event e JOIN bellwork.lesson l ON l.id = e.lesson_id WHERE l.path = 'a/stuck.mp4' AND e.event = 'done'") == "heir")
            Self.expectNothingLeft(dir)
        }

        /// Workers of one machine started at the same moment with the same new results folder (--out): each takes
        /// the folder (creates and marks it) without undoing another's, and all of them run.
        @Test func workersStartingTogetherShareANewResultsFolder() throws {
            let db = try TestPostgres.freshDatabase()
            defer { db.drop() }
            let dir = try CLI.tempDir()
            defer { try? FileManager.default.removeItem(at: dir) }
            let input = dir.appendingPathComponent("in")
            try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
            // Five rounds of four workers on an empty queue, each round with a new folder.
            for round in 1...5 {
                let out = dir.appendingPathComponent("out\(round)")
                let options = ["--root", input.path, "--out", out.path, "--exit-when-empty", "--poll-interval", "0.2"]
                let workers = try (1...4).map { try Self.worker("r\(round)w\($0)", queue: db.url, options, dir: dir) }
                for worker in workers {
                    let end = worker.process.wait(until: Date().addingTimeInterval(60))
                    #expect(end == .exited(0), "round \(round), \(worker.name): \(end)\n\((try? String(contentsOf: worker.log, encoding: .utf8)) ?? "")")
                }
                let names = (try? FileManager.default.contentsOfDirectory(atPath: out.path)) ?? []
                #expect(names.sorted() == [".bellwork-batch", "results"], "round \(round): \(names)")
            }
        }

        // MARK: - The server goes away

        /// The server restarts (every connection closed) while two workers are midway: both wait for it, go on,
        /// and end with 0; every lesson is done once.
        @Test func workersRideOutAServerRestart() throws {
            let names = (1...16).map { "room\($0 % 2)/lesson\($0).mp4" }
            let (db, dir) = try Self.enqueued(names)
            defer { Self.clean(db, dir) }
            let started = try db.query("SELECT pg_postmaster_start_time()")

            let deadline = Date().addingTimeInterval(240)
            let options = ["--jobs", "1", "--poll-interval", "0.2", "--exit-when-empty"]
            let workers = try ["a", "b"].map { try Self.worker($0, queue: db.url, options, dir: dir) }
            var counts: [String: Int] = [:]
            let midway = try waitUntil(60, every: 0.01) {
                counts = try Self.counts(db)
                return counts["done", default: 0] >= 1 && counts["pending", default: 0] >= 2
            }
            #expect(midway, "the work was not caught midway: \(counts)")
            if midway { try TestPostgres.restartServer() }
            #expect(try db.query("SELECT pg_postmaster_start_time()") != started, "the server did not restart")

            for worker in workers {
                let end = worker.process.wait(until: deadline)
                #expect(end == .exited(0), "\(worker.name): \(end)\n\(Self.logs(dir))")
            }
            try Self.expectEachDoneOnce(db, names, dir: dir)
            Self.expectNothingLeft(dir)
        }

        // MARK: - Enqueue

        /// Two enqueues at once register each lesson once. Later, one file's new content (settled) is registered
        /// again alone, and only that lesson is analysed again.
        @Test func concurrentEnqueuesRegisterEachLessonOnce() throws {
            let db = try TestPostgres.freshDatabase()
            defer { db.drop() }
            let dir = try CLI.tempDir()
            defer { try? FileManager.default.removeItem(at: dir) }
            let input = dir.appendingPathComponent("in")
            let names = (1...20).map { "class\($0 % 3)/lesson\($0).mp4" }
            try Self.lessons(names, under: input)

            let deadline = Date().addingTimeInterval(240)
            let enqueues = try (0..<2).map {
                try BackgroundBatch(["enqueue", input.path, "--queue", db.url], stderr: dir.appendingPathComponent("enqueue-\($0).log").path)
            }
            for enqueue in enqueues {
                let end = enqueue.wait(until: deadline)
                #expect(end == .exited(0), "\(end)\n\(Self.logs(dir))")
            }
            #expect(try db.int("SELECT count(*) FROM bellwork.lesson") == 20)
            #expect(try db.int("SELECT count(*) FROM bellwork.lesson WHERE status = 'pending' AND attempts = 0") == 20)
            #expect(try db.int("SELECT count(*) FROM bellwork.settings") == 1)
            #expect(try db.query("SELECT value FROM bellwork.queue WHERE key = 'root'") == input.path)

            let options = ["--jobs", "2", "--poll-interval", "0.2", "--exit-when-empty"]
            let first = try Self.worker("first", queue: db.url, options, dir: dir)
            #expect(first.process.wait(until: deadline) == .exited(0), "\(Self.logs(dir))")
            try Self.expectEachDoneOnce(db, names, dir: dir)

            // New content under one name: a longer recording, settled half an hour ago.
            let changed = names[7]
            let path = input.appendingPathComponent(changed).path
            try BatchCLITests.lesson(path, seconds: 3, tone: 880)
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -1800)], ofItemAtPath: path)
            let again = try Self.enqueue(input, db)
            #expect(again.status == 0, "\(again.stderr)")
            #expect(again.stdout.contains("20 lessons in the queue from \(input.path): 0 new, 1 to analyse again, 19 unchanged"), "\(again.stdout)")
            #expect(try Self.counts(db) == ["pending": 1, "done": 19])

            let second = try Self.worker("second", queue: db.url, options, dir: dir)
            #expect(second.process.wait(until: deadline) == .exited(0), "\(Self.logs(dir))")
            let rows = try Self.rows(db)
            for name in names {
                let row = rows[name]
                #expect(row?.status == "done", "\(name): \(row?.error ?? "")")
                #expect(row?.count("done") == (name == changed ? 2 : 1), "\(name): \(row?.events ?? [])")
                #expect(row?.count("requeued") == (name == changed ? 1 : 0), "\(name): \(row?.events ?? [])")
            }
            #expect(abs((rows[changed]?.durationSeconds ?? 0) - 3) < 0.2, "\(String(describing: rows[changed]))")
            #expect(rows[changed]?.attempts == 1)
        }

        // MARK: - Bad lessons

        /// A lesson whose child crashes and one whose child hangs are tried --max-attempts times, then failed with
        /// their reasons; the other lessons are done meanwhile and the worker ends with 0.
        @Test func aPoisonLessonFailsAfterItsAttemptsAndBlocksNothing() throws {
            let good = ["good/a.mp4", "good/b.mp4", "good/c.mp4", "good/d.mp4"]
            let names = good + ["poison/crashes.mp4", "poison/hangs.mp4"]
            let (db, dir) = try Self.enqueued(names)
            defer { Self.clean(db, dir) }

            let worker = try Self.worker("w", queue: db.url,
                                         ["--jobs", "2", "--max-attempts", "2", "--time-limit", "2", "--time-limit-ratio", "0", "--exit-when-empty",
                                          "--poll-interval", "0.2", "--work", dir.appendingPathComponent("work").path],
                                         dir: dir, environment: ["BELLWORK_TEST_FAULT=crash=crashes.mp4,hang=hangs.mp4"])
            let end = worker.process.wait(until: Date().addingTimeInterval(240))
            #expect(end == .exited(0), "\(end)\n\(Self.logs(dir))")

            let rows = try Self.rows(db)
            for name in good {
                #expect(rows[name]?.status == "done" && rows[name]?.attempts == 1, "\(name): \(String(describing: rows[name]))")
                #expect(rows[name]?.count("done") == 1)
            }
            let crashes = rows["poison/crashes.mp4"], hangs = rows["poison/hangs.mp4"]
            #expect(crashes?.status == "failed" && crashes?.attempts == 2, "\(String(describing: crashes))")
            #expect(crashes?.error?.contains("crashed (signal 6, SIGABRT)") == true, "\(crashes?.error ?? "no error")")
            #expect(crashes?.events == ["claimed", "retry", "claimed", "failed"])
            #expect(hangs?.status == "failed" && hangs?.attempts == 2, "\(String(describing: hangs))")
            #expect(hangs?.error?.contains("longer than its time limit of 2 s") == true, "\(hangs?.error ?? "no error")")
            #expect(hangs?.events == ["claimed", "retry", "claimed", "failed"])
            let status = try Self.status(db)
            #expect(status.done == 4 && status.failed == 2 && status.pending == 0 && status.running.isEmpty, "\(status)")
            Self.expectNothingLeft(dir)
        }

        // MARK: - Other machines

        /// Workers in two network namespaces (other machines, as far as the network goes) reach the server over
        /// their links and share the lessons.
        /// scripts/netns.sh: network namespaces, a host each, joined to this one by a veth pair.
        static let netns = CLI.repoRoot.appendingPathComponent("scripts/netns.sh").path

        /// True as root; otherwise an issue saying the namespace tests need it (the CI runs as root).
        static func asRoot() -> Bool {
            if getuid() == 0 { return true }
            Issue.record("needs root, for network namespaces (scripts/netns.sh): run the tests as root, as the CI does")
            return false
        }

        /// The network between a worker and the server breaks without a reset (packets dropped): the worker does
        /// not hang on the query it was waiting for (`--answer-timeout`), waits for the queue, and once the network
        /// is back finishes every lesson, each once.
        @Test func aWorkerRidesOutABrokenNetwork() throws {
            guard Self.asRoot() else { return }
            let names = (1...8).map { "room\($0 % 2)/lesson\($0).mp4" }
            let (db, dir) = try Self.enqueued(names)
            defer { Self.clean(db, dir) }
            let netns = Self.netns
            defer { _ = try? CLI.run(["down", "bwq3", "3"], executable: netns) }
            let up = try CLI.run(["up", "bwq3", "3"], executable: netns)
            try #require(up.status == 0, "\(up.stderr)")
            let worker = try Self.worker("cut-worker", queue: db.url(host: "10.203.3.1"),
                                         ["--jobs", "1", "--poll-interval", "0.2", "--exit-when-empty", "--lease", "5", "--answer-timeout", "2"],
                                         dir: dir, wrapper: ["ip", "netns", "exec", "bwq3"])
            #expect(waitUntil(60, every: 0.02) { ((try? Self.counts(db)["done"]) ?? 0) >= 1 }, "\(Self.logs(dir))")
            #expect(try CLI.run(["cut", "bwq3", "3"], executable: netns).status == 0)
            // The worker notices within its answer timeout (it does not hang), then waits.
            #expect(waitUntil(30) { Self.logs(dir).contains("trying again") }, "\(Self.logs(dir))")
            // (The log's whole text is read at the end: Self.logs shows only its last lines.)
            sleep(3)
            #expect(try CLI.run(["mend", "bwq3", "3"], executable: netns).status == 0)
            let end = worker.process.wait(until: Date().addingTimeInterval(180))
            #expect(end == .exited(0), "\(end)\n\(Self.logs(dir))")
            let log = try String(contentsOf: dir.appendingPathComponent("cut-worker-0.log"), encoding: .utf8)
            #expect(log.contains("trying again") && log.contains("the queue is back"), "\(log)")
            try Self.expectEachDoneOnce(db, names, dir: dir)
            Self.expectNothingLeft(dir)
        }

        @Test func workersOnOtherHostsReachTheQueueOverTheNetwork() throws {
            guard Self.asRoot() else { return }
            let names = (1...8).map { "school\($0 % 2)/lesson\($0).mp4" }
            let (db, dir) = try Self.enqueued(names)
            defer { Self.clean(db, dir) }

            let netns = Self.netns
            let hosts = [(name: "bwq1", index: 1), (name: "bwq2", index: 2)]
            defer { for host in hosts { _ = try? CLI.run(["down", host.name, String(host.index)], executable: netns) } }
            for host in hosts {
                let up = try CLI.run(["up", host.name, String(host.index)], executable: netns)
                try #require(up.status == 0, "\(up.stderr)")
                #expect(up.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "10.203.\(host.index).1")
            }
            // In a namespace, 127.0.0.1 is the namespace's own: the server is not there.
            let local = try CLI.run(["ip", "netns", "exec", "bwq1", CLI.binary, "status", "--queue", db.url], executable: "/usr/bin/env")
            #expect(local.status == 75, "\(local.stdout)\(local.stderr)")

            let deadline = Date().addingTimeInterval(240)
            let options = ["--jobs", "1", "--poll-interval", "0.2", "--exit-when-empty"]
            let workers = try hosts.map {
                try Self.worker("\($0.name)-worker", queue: db.url(host: "10.203.\($0.index).1"), options, dir: dir,
                                wrapper: ["ip", "netns", "exec", $0.name])
            }
            // While they work, the server sees them come from the namespaces' addresses.
            var seen = Set<String>()
            _ = try waitUntil(60, every: 0.02) {
                for row in try db.rows("SELECT DISTINCT host(client_addr) AS a FROM pg_stat_activity WHERE datname = current_database()") {
                    if let address = row["a"] as? String { seen.insert(address) }
                }
                if seen.isSuperset(of: ["10.203.1.2", "10.203.2.2"]) { return true }
                return try Self.counts(db)["done"] == names.count
            }
            #expect(seen.isSuperset(of: ["10.203.1.2", "10.203.2.2"]), "\(seen)")
            for worker in workers {
                let end = worker.process.wait(until: deadline)
                #expect(end == .exited(0), "\(worker.name): \(end)\n\(Self.logs(dir))")
            }
            try Self.expectEachDoneOnce(db, names, dir: dir)
            let doers = try db.query("SELECT DISTINCT worker FROM bellwork.event WHERE event = 'done' ORDER BY worker")
            #expect(doers.split(separator: "\n") == ["bwq1-worker", "bwq2-worker"], "\(doers)")
            Self.expectNothingLeft(dir)
        }

        // MARK: - Stopping

        /// SIGTERM while a lesson runs: the worker stops its child, gives the lesson back (pending, not an attempt,
        /// a `released` event) and exits 0.
        @Test func sigtermReleasesRunningLessons() throws {
            let (db, dir) = try Self.enqueued(["stuck/hangs.mp4"])
            defer { Self.clean(db, dir) }

            let worker = try Self.worker("stopping", queue: db.url,
                                         ["--jobs", "1", "--poll-interval", "0.2", "--work", dir.appendingPathComponent("work").path],
                                         dir: dir, environment: ["BELLWORK_TEST_FAULT=hang=hangs.mp4"])
            let running = try waitUntil(60) {
                try Self.rows(db)["stuck/hangs.mp4"]?.status == "running" && Self.processes(naming: dir).contains { $0.contains("--test-fault") }
            }
            #expect(running, "the lesson never ran\n\(Self.logs(dir))")
            kill(worker.process.pid, SIGTERM)
            let end = worker.process.wait(until: Date().addingTimeInterval(20))
            #expect(end == .exited(0), "\(end)\n\(Self.logs(dir))")

            let row = try Self.rows(db)["stuck/hangs.mp4"]
            #expect(row?.status == "pending" && row?.attempts == 0, "\(String(describing: row))")
            #expect(row?.events == ["claimed", "released"])
            #expect(try db.query("SELECT worker FROM bellwork.event WHERE event = 'released'") == "stopping")
            let log = try String(contentsOf: worker.log, encoding: .utf8)
            #expect(log.contains("released stuck/hangs.mp4"), "\(log)")
            // The hanging child went with its worker, at once.
            #expect(Self.processes(naming: dir).isEmpty, "\(Self.processes(naming: dir))")
        }

        // MARK: - Credentials

        /// A wrong password: 74 and one line, without either password. A server that is not there: 75 and one
        /// line. The password may come from PGPASSWORD or a password file instead of the URL.
        /// TLS whenever the server offers it (the default, as libpq's `prefer`), insisted on with `sslmode=require`,
        /// the certificate checked with `verify-ca` and `verify-full` (`sslrootcert`), none with `disable`: the
        /// server's own log says which connection was encrypted (`log_connections`).
        @Test func tlsWhenTheServerOffersIt() throws {
            let db = try TestPostgres.freshDatabase()
            defer { db.drop() }
            let environment = ProcessInfo.processInfo.environment
            let log = try #require(environment["BELLWORK_TEST_POSTGRES_LOG"])
            let authority = try #require(environment["BELLWORK_TEST_POSTGRES_CA"], "with-postgres.sh names the server's certificate")
            func connections() -> [Substring] {
                let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                return text.split(separator: "\n").filter { $0.contains("connection authorized: user=bellwork database=\(db.name)") }
            }
            for (query, encrypted) in [("", true), ("?sslmode=require", true), ("?sslmode=verify-ca&sslrootcert=\(authority)", true),
                                       ("?sslmode=verify-full&sslrootcert=\(authority)", true), ("?sslmode=disable", false)] {
                let before = connections().count
                let run = try BatchCLITests.bellwork(["status", "--queue", db.url + query])
                #expect(run.status == 0, "\(query): \(run.stderr)")
                let added = connections().dropFirst(before)
                #expect(added.count == 1, "\(query): \(added)")
                #expect(added.allSatisfy { $0.contains("SSL enabled") == encrypted }, "\(query): \(added)")
            }
            // A certificate signed by someone else is refused, in one line.
            let stranger = try CLI.tempDir()
            defer { try? FileManager.default.removeItem(at: stranger) }
            let other = stranger.appendingPathComponent("other.crt").path
            let made = try CLI.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=someone-else",
                                    "-keyout", stranger.appendingPathComponent("other.key").path, "-out", other], executable: "/usr/bin/env")
            #expect(made.status == 0, "\(made.stderr)")
            let refused = try BatchCLITests.bellwork(["status", "--queue", db.url + "?sslmode=verify-ca&sslrootcert=\(other)"])
            #expect(refused.status != 0 && refused.stderrLines.count == 1, "\(refused.status) \(refused.stderr)")
            #expect(!refused.stderr.contains(db.password))
        }

        @Test func credentialsNeverShow() throws {
            let db = try TestPostgres.freshDatabase()
            defer { db.drop() }
            let dir = try CLI.tempDir()
            defer { try? FileManager.default.removeItem(at: dir) }
            let input = dir.appendingPathComponent("in")
            try Self.lessons(["a/1.mp4"], under: input)
            let wrongPassword = "not-the-password-7f3a9c"
            var parts = URLComponents(string: db.url)!
            parts.password = wrongPassword
            let wrong = parts.string!
            let secrets = [db.password, wrongPassword]
            func expectNoSecret(_ run: CLI.Outcome, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
                for secret in secrets {
                    #expect(!run.stdout.contains(secret) && !run.stderr.contains(secret), "\(what) shows a password", sourceLocation: sourceLocation)
                }
            }

            for arguments in [["worker", "--queue", wrong, "--exit-when-empty"], ["enqueue", input.path, "--queue", wrong], ["status", "--queue", wrong],
                              ["summary", "--queue", wrong]] {
                let run = try BatchCLITests.bellwork(arguments)
                #expect(run.status == 74, "\(arguments[0]): \(run.status) \(run.stderr)")
                #expect(run.stderrLines.count == 1, "\(arguments[0]): \(run.stderr)")
                #expect(run.stderr.contains("password authentication failed"), "\(arguments[0]): \(run.stderr)")
                #expect(run.stderr.contains("postgresql://bellwork@"), "\(arguments[0]): \(run.stderr)")
                expectNoSecret(run, arguments[0])
            }
            // With --root too, the worker reaches the queue before it says it started: one line, 74, no password.
            let rooted = try BatchCLITests.bellwork(["worker", "--queue", wrong, "--root", input.path, "--exit-when-empty"])
            #expect(rooted.status == 74 && rooted.stderrLines.count == 1 && rooted.stderr.contains("password authentication failed"),
                    "\(rooted.stderr)")
            expectNoSecret(rooted, "worker --root")

            // Nothing listens on port 1: cannot reach the queue, 75 (try again later).
            parts = URLComponents(string: db.url)!
            parts.port = 1
            for arguments in [["status", "--queue", parts.string!], ["enqueue", input.path, "--queue", parts.string!]] {
                let closed = try BatchCLITests.bellwork(arguments)
                #expect(closed.status == 75, "\(arguments[0]): \(closed.status) \(closed.stderr)")
                #expect(closed.stderrLines.count == 1 && closed.stderr.contains("cannot reach the queue"), "\(closed.stderr)")
                expectNoSecret(closed, "\(arguments[0]) on a closed port")
            }

            // The password from PGPASSWORD, or from a password file only its owner reads.
            let bare = db.urlWithoutPassword
            #expect(!bare.contains(db.password))
            let fromEnvironment = try BatchCLITests.bellwork(["status", "--queue", bare], environment: ["PGPASSWORD=\(db.password)"])
            #expect(fromEnvironment.status == 0, "\(fromEnvironment.stderr)")
            #expect(fromEnvironment.stdout.contains("queue     postgresql://bellwork@127.0.0.1:\(db.port)/\(db.name)"), "\(fromEnvironment.stdout)")
            expectNoSecret(fromEnvironment, "status with PGPASSWORD")
            let passfile = dir.appendingPathComponent("pgpass")
            try "127.0.0.1:\(db.port):\(db.name):bellwork:\(db.password)\n".write(to: passfile, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: passfile.path)
            let fromFile = try BatchCLITests.bellwork(["status", "--queue", bare], environment: ["-u", "PGPASSWORD", "PGPASSFILE=\(passfile.path)"])
            #expect(fromFile.status == 0, "\(fromFile.stderr)")
            expectNoSecret(fromFile, "status with PGPASSFILE")
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: passfile.path)
            let readable = try BatchCLITests.bellwork(["status", "--queue", bare], environment: ["-u", "PGPASSWORD", "PGPASSFILE=\(passfile.path)"])
            #expect(readable.status == 74 && readable.stderr.contains("PGPASSWORD"), "\(readable.status) \(readable.stderr)")
            expectNoSecret(readable, "status with a password file others can read")
        }

        // MARK: - Summary

        /// `summary --queue` lists the queue's lessons as `summary DIR` lists a batch's: CSV, JSON and HTML.
        /// A batch's folder is not a queue's, nor the other way round: each refuses the other's, 64, nothing changed.
        @Test func aBatchFolderAndAQueueFolderAreNotMixedUp() throws {
            let dir = try CLI.tempDir()
            defer { try? FileManager.default.removeItem(at: dir) }
            let input = dir.appendingPathComponent("in")
            try Self.lessons(["a/1.mp4"], under: input)
            let batchFolder = dir.appendingPathComponent("batch").path, queueFolder = dir.appendingPathComponent("queue").path
            #expect(try BatchCLITests.bellwork(["batch", input.path, "--out", batchFolder, "--quiet"]).status == 0)
            #expect(try BatchCLITests.bellwork(["enqueue", input.path, "--queue", queueFolder]).status == 0)
            let worker = try BatchCLITests.bellwork(["worker", "--queue", batchFolder, "--exit-when-empty"])
            #expect(worker.status == 64 && worker.stderr.contains("a batch's folder"), "\(worker.stderr)")
            let batch = try BatchCLITests.bellwork(["batch", input.path, "--out", queueFolder, "--quiet"])
            #expect(batch.status == 64 && batch.stderr.contains("a queue's folder"), "\(batch.stderr)")
            // The queue folder still works as a queue, on this machine.
            let local = try BatchCLITests.bellwork(["worker", "--queue", queueFolder, "--exit-when-empty", "--poll-interval", "0.2"])
            #expect(local.status == 0, "\(local.stderr)")
            let status = try BatchCLITests.bellwork(["status", "--queue", queueFolder, "--format", "json"])
            #expect(try JSONDecoder().decode(QueueStatus.self, from: Data(status.stdout.utf8)).done == 1, "\(status.stdout)")
        }

        @Test func summaryReadsTheQueue() throws {
            let names = ["smith/week1.mp4", "smith/week2.mp4", "jones/week1.mp4"]
            let (db, dir) = try Self.enqueued(names)
            defer { Self.clean(db, dir) }
            let worker = try Self.worker("w", queue: db.url, ["--jobs", "2", "--poll-interval", "0.2", "--exit-when-empty"], dir: dir)
            #expect(worker.process.wait(until: Date().addingTimeInterval(240)) == .exited(0), "\(Self.logs(dir))")

            let csv = try BatchCLITests.bellwork(["summary", "--queue", db.url, "--format", "csv"])
            #expect(csv.status == 0, "\(csv.stderr)")
            let lines = csv.stdout.split(separator: "\n").map(String.init)
            #expect(lines.first == "folder,time,lesson,durationSeconds,bellToWorkSeconds,timeOnTaskPercent,transitionCount,status,error,path,resultStatus,warnings")
            #expect(lines.count == names.count + 1, "\(csv.stdout)")
            for name in names {
                let folder = (name as NSString).deletingLastPathComponent
                #expect(lines.contains { $0.hasPrefix(folder + ",") && $0.contains(",done,") && $0.contains(name) }, "\(name)\n\(csv.stdout)")
            }

            let json = try BatchCLITests.bellwork(["summary", "--queue", db.url, "--format", "json"])
            #expect(json.status == 0, "\(json.stderr)")
            let report = try JSONDecoder().decode(BatchSummary.Report.self, from: Data(json.stdout.utf8))
            #expect(report.totals.lessons == 3 && report.totals.done == 3 && report.totals.failed == 0 && report.totals.pending == 0, "\(report.totals)")
            #expect(report.folders.map(\.folder) == ["jones", "smith"])
            #expect(report.folders.flatMap(\.lessons).allSatisfy { $0.status == "done" && $0.durationSeconds != nil })

            let html = try BatchCLITests.bellwork(["summary", "--queue", db.url, "--format", "html"])
            #expect(html.status == 0, "\(html.stderr)")
            #expect(html.stdout.contains("week2.mp4") && html.stdout.contains("jones"))
            #expect(!html.stdout.contains(db.password) && !csv.stdout.contains(db.password) && !json.stdout.contains(db.password))
        }
    }
}

extension TestPostgres.Database {
    /// psql's unaligned, tuples-only output of `sql`.
    func query(_ sql: String) throws -> String { try TestPostgres.psql(url, sql) }

    func int(_ sql: String) throws -> Int {
        let text = try query(sql)
        guard let value = Int(text) else { throw CLIError("psql: \(sql): not a number: \(text)") }
        return value
    }

    /// The rows of `sql`, each a JSON object (PostgreSQL's `json_agg`: no text to split).
    func rows(_ sql: String) throws -> [[String: Any]] {
        let text = try query("SELECT coalesce(json_agg(t), '[]'::json) FROM (\(sql)) t")
        guard let rows = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]] else {
            throw CLIError("psql: \(sql): not rows: \(text)")
        }
        return rows
    }

    /// The URL with another host (a network namespace's way to this machine).
    func url(host: String) -> String {
        var parts = URLComponents(string: url)!
        parts.host = host
        return parts.string!
    }

    var urlWithoutPassword: String {
        var parts = URLComponents(string: url)!
        parts.password = nil
        return parts.string!
    }

    var password: String { URLComponents(string: url)?.password ?? "" }

    var port: Int { URLComponents(string: url)?.port ?? 5432 }
}

extension TestPostgres {
    /// Restarts the server in place (fast: every connection is closed); returns once it accepts connections.
    static func restartServer() throws {
        guard let line = ProcessInfo.processInfo.environment["BELLWORK_TEST_POSTGRES_RESTART"], !line.isEmpty else {
            throw CLIError("BELLWORK_TEST_POSTGRES_RESTART is not set: run the tests through `make test`")
        }
        // Not with Foundation's Process: the restarted server would keep the descriptor by which Process learns
        // that its child ended, and Process would wait for the server. BackgroundBatch passes on no descriptor.
        guard BackgroundBatch.closeFrom != nil else { throw CLIError("posix_spawn_file_actions_addclosefrom_np is missing (glibc 2.34 or later)") }
        let errors = FileManager.default.temporaryDirectory.appendingPathComponent("bellwork-restart-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: errors) }
        let restart = try BackgroundBatch(command: ["/bin/sh", "-c", line], stderr: errors.path)
        let end = restart.wait(until: Date().addingTimeInterval(120))
        guard end == .exited(0) else {
            throw CLIError("restarting the server failed (\(end)): \((try? String(contentsOf: errors, encoding: .utf8)) ?? "")")
        }
    }
}

/// Polls `condition` every `interval` seconds until it holds or `seconds` have passed; whether it held.
func waitUntil(_ seconds: Double, every interval: Double = 0.05, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while true {
        if try condition() { return true }
        if Date() >= deadline { return false }
        usleep(useconds_t(interval * 1_000_000))
    }
}
