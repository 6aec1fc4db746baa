import Bellwork
import BellworkBatch
import Foundation
import Testing

/// `bellwork batch` and `bellwork summary` as cron runs them: real processes, real files, real SQLite.
/// Serialized: each test runs batches of child processes on a 2-core machine, and time limits are measured.
@Suite(.serialized)
struct BatchCLITests {
    static let iphone = CLI.repoRoot.appendingPathComponent("Fixtures/media/jsonize__iphone_rotated_iPhone4S.mov").path
    static let media = CLI.repoRoot.appendingPathComponent("Fixtures/media").path
    static let anHourAgo = Date(timeIntervalSinceNow: -3600)

    /// A short lesson: a moving test picture and a tone.
    static func lesson(_ path: String, seconds: Int = 5, tone: Int = 440) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try CLI.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=15:duration=\(seconds)",
                        "-f", "lavfi", "-i", "sine=frequency=\(tone):duration=\(seconds)",
                        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", path])
        try settle(path)
    }

    static func copy(_ source: String, _ path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: source, toPath: path)
        try settle(path)
    }

    static func write(_ text: String, _ path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
        try settle(path)
    }

    /// Uploaded an hour ago: no longer arriving.
    static func settle(_ path: String) throws {
        try FileManager.default.setAttributes([.modificationDate: anHourAgo], ofItemAtPath: path)
    }

    /// Runs `bellwork` with extra environment variables.
    static func bellwork(_ arguments: [String], environment: [String] = [], tool: String = CLI.binary) throws -> CLI.Outcome {
        try CLI.run(environment + [tool] + arguments, executable: "/usr/bin/env")
    }

    /// Every process's command line, one a line (read from /proc, as `ps -eo args` would print them).
    static func processes() -> (stdout: String, count: Int) {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        let lines = entries.filter { Int($0) != nil }.compactMap { pid -> String? in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !data.isEmpty else { return nil }
            return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ")
        }
        return (lines.joined(separator: "\n"), lines.count)
    }

    /// The test-fault children (BELLWORK_TEST_FAULT) of this test's folder: those of tests running at the same
    /// time in other suites (the queue's workers have them too) are not this test's.
    static func faultChildren(in dir: URL) -> [String] {
        processes().stdout.split(separator: "\n").filter { $0.contains("--test-fault") && $0.contains(dir.path) }.map(String.init)
    }

    static func rows(_ out: URL) throws -> [String: BatchLesson] {
        var byName: [String: BatchLesson] = [:]
        for row in try BatchStore(directory: out.path, create: false).all() { byName[row.relativePath] = row }
        return byName
    }

    static func csvRows(_ out: URL) throws -> [String] {
        let text = try String(contentsOf: out.appendingPathComponent("summary.csv"), encoding: .utf8)
        return text.split(separator: "\n").dropFirst().map(String.init)
    }

    /// Every result in `results/` parses as the contract's JSON and names its lesson.
    static func checkResults(_ out: URL, expected: [String]) throws {
        for relative in expected {
            let data = try Data(contentsOf: out.appendingPathComponent("results/\(relative).json"))
            let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            #expect(object?["schemaVersion"] as? Int == 1, "\(relative)")
            #expect(((object?["input"] as? [String: Any])?["path"] as? String)?.hasSuffix(relative) == true, "\(relative)")
            #expect(object?["metrics"] is [String: Any], "\(relative)")
        }
    }

    // MARK: - Good and bad together

    /// Good lessons beside every bad input of the media layer's list, a child that crashes, a child that hangs
    /// and an unreadable folder: the good are analysed, the bad listed with their reasons, exit 3.
    @Test func mixedFolderAnalysesTheGoodAndListsTheBad() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path)
        let input = dir.appendingPathComponent("uploads")
        try Self.lesson(input.appendingPathComponent("smith/week1.mp4").path)
        try Self.lesson(input.appendingPathComponent("smith/week2.mkv").path, seconds: 6, tone: 660)
        try Self.copy(Self.iphone, input.appendingPathComponent("jones/phone.mov").path)
        try Self.copy(Self.iphone, input.appendingPathComponent("jones/renamed.bin").path)   // found by content
        try Self.write("", input.appendingPathComponent("bad/empty.mp4").path)
        try Self.write("Lesson plan: fractions.\n", input.appendingPathComponent("bad/text.mp4").path)
        try Self.copy("\(Self.media)/jsonize__broken-wav.wav", input.appendingPathComponent("bad/broken.wav").path)
        try Self.copy("\(Self.media)/DERIVED_iphone_rotated_first80000bytes_moov_missing.mov", input.appendingPathComponent("bad/cut.mov").path)
        try Self.write("#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n",
                       input.appendingPathComponent("bad/playlist.mp4").path)
        try Self.lesson(input.appendingPathComponent("bad/crashes.mp4").path, seconds: 2)
        try Self.lesson(input.appendingPathComponent("bad/hangs.mp4").path, seconds: 1)
        try Self.write("notes", input.appendingPathComponent("jones/notes.txt").path)          // not a recording: ignored
        try Self.write("x", input.appendingPathComponent("jones/.DS_Store").path)                // hidden
        try Self.copy(Self.iphone, input.appendingPathComponent("jones/upload.mov.part").path)  // partial upload
        try FileManager.default.copyItem(atPath: Self.iphone, toPath: input.appendingPathComponent("jones/fresh.mov").path)  // still arriving
        try Self.copy(Self.iphone, input.appendingPathComponent("private/secret.mov").path)
        try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: input.appendingPathComponent("private").path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: input.appendingPathComponent("private").path) }

        let out = dir.appendingPathComponent("batch")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let arguments = ["batch", input.path, "--out", out.path, "--jobs", "2", "--time-limit", "3", "--time-limit-ratio", "4"]
        let fault = ["BELLWORK_TEST_FAULT=crash=crashes.mp4,hang=hangs.mp4"]
        let started = Date()
        let run: CLI.Outcome
        if getuid() == 0 {
            // Root reads every folder: run the batch as an unprivileged user, with a copy of the binary it can reach.
            let tool = dir.appendingPathComponent("bellwork").path
            try FileManager.default.copyItem(atPath: CLI.binary, toPath: tool)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: tool)
            #expect(chown(out.path, 65534, 65534) == 0)
            run = try CLI.run(fault + ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", tool] + arguments,
                              executable: "/usr/bin/env")
        } else {
            run = try Self.bellwork(arguments, environment: fault)
        }
        let elapsed = Date().timeIntervalSince(started)
        #expect(run.status == 3, "\(run.stderr)")
        #expect(run.stderrLines.last == "bellwork: 8 lessons failed (reasons in \(out.path)/summary.csv)", "\(run.stderr)")
        #expect(run.stdout.contains("4 lessons analysed (4 in this run), 8 failed, 2 files still arriving (taken next run), 1 other files ignored"), "\(run.stdout)")
        // The hanging child was stopped at its limit (3 + 4 × 1 s), not waited for.
        #expect(elapsed < 60)

        let rows = try Self.rows(out)
        for good in ["smith/week1.mp4", "smith/week2.mkv", "jones/phone.mov", "jones/renamed.bin"] {
            #expect(rows[good]?.status == .done, "\(good): \(rows[good]?.error ?? "")")
            #expect(rows[good]?.attempts == 1)
            #expect(rows[good]?.timeOnTaskPercent != nil)
        }
        try Self.checkResults(out, expected: ["smith/week1.mp4", "smith/week2.mkv", "jones/phone.mov", "jones/renamed.bin"])
        let reasons: [String: String] = [
            "bad/empty.mp4": "empty", "bad/text.mp4": "not a recording", "bad/broken.wav": "not a recording",
            "bad/cut.mov": "index", "bad/playlist.mp4": "refused", "bad/crashes.mp4": "crashed (signal 6, SIGABRT)",
            "bad/hangs.mp4": "longer than its time limit of 7 s", "private": "cannot read the folder: Permission denied",
        ]
        for (name, reason) in reasons {
            #expect(rows[name]?.status == .failed, "\(name)")
            #expect(rows[name]?.error?.contains(reason) == true, "\(name): \(rows[name]?.error ?? "no error")")
            #expect(run.stderr.contains(name), "\(name) is not reported")
            #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("results/\(name).json").path))
        }
        #expect(rows["jones/notes.txt"]?.status == .ignored)
        #expect(rows["jones/fresh.mov"] == nil && rows["jones/upload.mov.part"] == nil && rows["jones/.DS_Store"] == nil)
        // summary.csv: one row per lesson and per unreadable input, with the reasons.
        let csv = try Self.csvRows(out)
        #expect(csv.count == 12)
        #expect(csv.filter { $0.contains(",done,1,results/") }.count == 4)
        #expect(csv.contains { $0.contains("crashes.mp4") && $0.contains("SIGABRT") })
        #expect(!csv.contains { $0.contains("notes.txt") })
        // No child is left behind.
        #expect(Self.faultChildren(in: dir).isEmpty, "\(Self.faultChildren(in: dir))")

        // The summary groups by folder, lessons in time order, with the reasons for the failures.
        let table = try Self.bellwork(["summary", out.path])
        #expect(table.status == 0, "\(table.stderr)")
        // The good lessons are a few seconds long: too short for their figures to mean much, so each is a row to
        // check, with its warning, and none counts in the means.
        #expect(table.stdout.hasPrefix("12 lessons: 4 analysed, 8 failed, 0 pending; 4 to check (left out of the means); 1 other files ignored\nmedia analysed: 0.00 h\n"), "\(table.stdout)")
        #expect(table.stdout.split(separator: "\n").contains { $0.contains("week1.mp4") && $0.contains("check: only") }, "\(table.stdout)")
        for folder in ["bad — 0 of 7 analysed", "jones — 2 of 2 analysed", "smith — 2 of 2 analysed", "(top folder) — 0 of 1 analysed"] {
            #expect(table.stdout.contains(folder), "\(folder)\n\(table.stdout)")
        }
        let json = try Self.bellwork(["summary", out.path, "--format", "json"])
        let report = try JSONDecoder().decode(BatchSummary.Report.self, from: Data(json.stdout.utf8))
        #expect(report.totals.done == 4 && report.totals.failed == 8 && report.totals.ignoredFiles == 1)
        #expect(report.totals.toCheck == 4 && report.totals.meanTimeOnTaskPercent == nil)
        #expect(report.folders.flatMap(\.lessons).filter { $0.status == "done" }.allSatisfy {
            $0.resultStatus == "check" && $0.warnings.first?.hasPrefix("too-short: ") == true })
        #expect(report.folders.map(\.folder) == ["", "bad", "jones", "smith"])
        let jones = try #require(report.folders.first { $0.folder == "jones" })
        // The phone's recording says 2013; the other copy has the same creation time, so names break the tie.
        #expect(jones.lessons.map(\.name) == ["phone.mov", "renamed.bin"])
        let csvReport = try Self.bellwork(["summary", out.path, "--format", "csv"])
        #expect(csvReport.stdout.split(separator: "\n").count == 13)
    }

    // MARK: - Only what changed

    /// A second run is a no-op; new content re-analyses that lesson alone; --retry-failed tries the failures
    /// again; new settings re-analyse everything.
    @Test func analysesAgainOnlyWhatChanged() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in")
        try Self.lesson(input.appendingPathComponent("t/a.mp4").path)
        try Self.lesson(input.appendingPathComponent("t/b.mp4").path, tone: 550)
        try Self.write("not media", input.appendingPathComponent("t/c.mp4").path)
        let out = dir.appendingPathComponent("out")
        let base = ["batch", input.path, "--out", out.path, "--quiet"]

        let first = try CLI.run(base)
        #expect(first.status == 3, "\(first.stderr)")
        let resultA = out.appendingPathComponent("results/t/a.mp4.json").path
        let stamp = try FileManager.default.attributesOfItem(atPath: resultA)[.modificationDate] as? Date

        let second = try CLI.run(base)
        #expect(second.status == 3)
        #expect(second.stdout.contains("2 lessons analysed (0 in this run), 1 failed"), "\(second.stdout)")
        #expect(second.stderrLines == ["bellwork: 1 lessons failed (reasons in \(out.path)/summary.csv)"])
        #expect(try FileManager.default.attributesOfItem(atPath: resultA)[.modificationDate] as? Date == stamp)
        var rows = try Self.rows(out)
        #expect(rows.values.map(\.attempts).sorted() == [1, 1, 1])

        // Touched but unchanged: not analysed again.
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -1800)], ofItemAtPath: input.appendingPathComponent("t/a.mp4").path)
        #expect(try CLI.run(base).stdout.contains("(0 in this run)"))

        // New content under the same name: that lesson alone.
        try FileManager.default.removeItem(at: input.appendingPathComponent("t/b.mp4"))
        try Self.lesson(input.appendingPathComponent("t/b.mp4").path, seconds: 7, tone: 880)
        let third = try CLI.run(base)
        #expect(third.stdout.contains("2 lessons analysed (1 in this run)"), "\(third.stdout)")
        rows = try Self.rows(out)
        #expect(abs((rows["t/b.mp4"]?.durationSeconds ?? 0) - 7) < 0.1)
        #expect(rows["t/b.mp4"]?.attempts == 1)
        #expect(try FileManager.default.attributesOfItem(atPath: resultA)[.modificationDate] as? Date == stamp)

        // The failure, fixed, is taken again only with --retry-failed... or when its content changes.
        let retry = try CLI.run(base + ["--retry-failed"])
        #expect(retry.status == 3)
        #expect(try Self.rows(out)["t/c.mp4"]?.attempts == 2)
        try FileManager.default.removeItem(at: input.appendingPathComponent("t/c.mp4"))
        try Self.lesson(input.appendingPathComponent("t/c.mp4").path, seconds: 3)
        let fixed = try CLI.run(base)
        #expect(fixed.status == 0, "\(fixed.stderr)")
        #expect(fixed.stdout.contains("3 lessons analysed (1 in this run), 0 failed"), "\(fixed.stdout)")

        // Other settings: every lesson again.
        let settled = try CLI.run(base + ["--settle-seconds", "10"])
        #expect(settled.status == 0)
        #expect(settled.stdout.contains("3 lessons analysed (3 in this run)"), "\(settled.stdout)")
        let result = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: resultA))) as? [String: Any]
        #expect((result?["settings"] as? [String: Any])?["settleSeconds"] as? Double == 10)
    }

    /// `--reports`: each lesson's HTML report beside its JSON, the same page `render` makes from that JSON, and
    /// the summary page links each lesson to its report (to its JSON when there is none).
    @Test func reportsBesideResultsAndLinkedFromTheSummary() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in")
        try Self.lesson(input.appendingPathComponent("t/a.mp4").path)
        try Self.lesson(input.appendingPathComponent("u/b.mp4").path, tone: 550)
        let out = dir.appendingPathComponent("out")
        #expect(try CLI.run(["batch", input.appendingPathComponent("t").path, "--out", out.path, "--quiet", "--reports"]).status == 0)
        let json = out.appendingPathComponent("results/a.mp4.json").path
        let page = out.appendingPathComponent("results/a.mp4.html").path
        let html = try String(contentsOfFile: page, encoding: .utf8)
        let rendered = try CLI.run(["render", json, "--format", "html"])
        #expect(rendered.status == 0 && html == rendered.stdout)
        // A second folder without --reports: its lesson links to its JSON.
        #expect(try CLI.run(["batch", input.appendingPathComponent("u").path, "--out", out.path, "--quiet"]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("results/b.mp4.html").path))
        let summary = try CLI.run(["summary", out.path, "--format", "html"])
        #expect(summary.status == 0)
        #expect(summary.stdout.contains("href=\"\(URL(fileURLWithPath: page).absoluteString)\""), "\(summary.stdout)")
        #expect(summary.stdout.contains("href=\"\(URL(fileURLWithPath: out.appendingPathComponent("results/b.mp4.json").path).absoluteString)\""))
    }

    // MARK: - Killed and stopped

    /// Killed with SIGKILL at random moments, again and again, and started again each time: every lesson ends
    /// analysed exactly once, no result is truncated, summary.csv is complete, no child is left running.
    @Test func survivesSIGKILLAtAnyMoment() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in")
        let names = (1...8).map { "teacher\($0 % 3)/lesson\($0).mp4" }
        for (i, name) in names.enumerated() {
            try Self.lesson(input.appendingPathComponent(name).path, seconds: 3 + i % 3, tone: 300 + 40 * i)
        }
        let out = dir.appendingPathComponent("out")
        var generator = SystemRandomNumberGenerator()
        var kills = 0
        var finished = false
        for round in 0..<60 {
            let batch = try BackgroundBatch(["batch", input.path, "--out", out.path, "--jobs", "2", "--quiet"])
            if round < 12 {
                // The first kills come early (a whole batch of these short lessons takes about a second), so
                // at least three land before the work is done; the later ones at any moment.
                let latest: UInt32 = round < 3 ? 100_000 : 900_000
                usleep(UInt32.random(in: 20_000...latest, using: &generator))
                // A batch that already ended is a zombie until reaped: the signal reaches no one else.
                kill(batch.pid, SIGKILL)
            }
            let status = batch.wait()
            if status == nil { kills += 1 }
            if let status {
                #expect(status == 0)
                finished = true
                break
            }
        }
        #expect(finished)
        #expect(kills >= 3)
        let rows = try Self.rows(out)
        #expect(rows.count == names.count)
        for name in names {
            #expect(rows[name]?.status == .done, "\(name)")
            #expect(rows[name]?.attempts == 1, "\(name) analysed \(rows[name]?.attempts ?? 0) times")
        }
        try Self.checkResults(out, expected: names)
        let csv = try Self.csvRows(out)
        #expect(csv.count == names.count && csv.allSatisfy { $0.contains(",done,1,results/") })
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("work").path) == ["settings.json"])
        let again = try CLI.run(["batch", input.path, "--out", out.path, "--quiet"])
        #expect(again.status == 0 && again.stdout.contains("(0 in this run)"))
        // Children orphaned by the kills were killed by the next run, or had finished.
        let ps = Self.processes()
        #expect(!ps.stdout.contains(out.path), "\(ps.stdout)")
    }

    /// The batch killed while its children run: on restart, the child that finished has its result adopted
    /// (not analysed again) and the one still hanging is killed, then its lesson analysed.
    @Test func adoptsFinishedOrphansAndKillsHangingOnes() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in")
        try Self.lesson(input.appendingPathComponent("quick.mp4").path, seconds: 3)
        try Self.lesson(input.appendingPathComponent("stuck.mp4").path, seconds: 2, tone: 500)
        let out = dir.appendingPathComponent("out")
        let batch = try BackgroundBatch(["batch", input.path, "--out", out.path, "--jobs", "2", "--quiet"],
                                        environment: ["BELLWORK_TEST_FAULT=hang=stuck.mp4"])
        var waited = 0
        func bothRunning() -> Bool { ((try? Self.rows(out)) ?? [:]).values.filter { $0.status == .running }.count == 2 }
        while !bothRunning() && waited < 600 { usleep(20_000); waited += 1 }
        #expect(bothRunning())
        let work = try #require(try Self.rows(out)["quick.mp4"]?.workFile)
        kill(batch.pid, SIGKILL)
        #expect(batch.wait() == nil)
        // The orphaned analysis finishes on its own; the orphaned hang does not.
        waited = 0
        while !FileManager.default.fileExists(atPath: work) && waited < 1500 { usleep(20_000); waited += 1 }
        #expect(FileManager.default.fileExists(atPath: work))
        #expect(!Self.faultChildren(in: dir).isEmpty)

        let restart = try CLI.run(["batch", input.path, "--out", out.path, "--quiet"])
        #expect(restart.status == 0, "\(restart.stderr)")
        #expect(restart.stdout.contains("2 lessons analysed (2 in this run)"), "\(restart.stdout)")
        let rows = try Self.rows(out)
        #expect(rows["quick.mp4"]?.status == .done && rows["quick.mp4"]?.attempts == 1)
        #expect(rows["stuck.mp4"]?.status == .done && rows["stuck.mp4"]?.attempts == 1)
        try Self.checkResults(out, expected: ["quick.mp4", "stuck.mp4"])
        #expect(Self.faultChildren(in: dir).isEmpty, "\(Self.faultChildren(in: dir))")
    }

    /// SIGTERM: running lessons go back to pending, exit 75; a second batch on the same folder meanwhile is
    /// refused with 75; the next run finishes.
    @Test func stopsCleanlyOnSIGTERM() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in")
        try Self.lesson(input.appendingPathComponent("a.mp4").path, seconds: 2)
        try Self.lesson(input.appendingPathComponent("slow.mp4").path, seconds: 2, tone: 500)
        let out = dir.appendingPathComponent("out")
        let errURL = dir.appendingPathComponent("stderr.txt")
        let batch = try BackgroundBatch(["batch", input.path, "--out", out.path, "--jobs", "1"],
                                        environment: ["BELLWORK_TEST_FAULT=hang=slow.mp4"], stderr: errURL.path)
        // Wait until the hanging child runs.
        var waited = 0
        while (try? Self.rows(out)["slow.mp4"]?.status) != .running && waited < 600 { usleep(50_000); waited += 1 }
        #expect(try Self.rows(out)["slow.mp4"]?.status == .running)

        let second = try CLI.run(["batch", input.path, "--out", out.path])
        #expect(second.status == 75)
        #expect(second.stderrLines.last?.contains("another batch is working in this folder") == true, "\(second.stderr)")

        kill(batch.pid, SIGTERM)
        #expect(batch.wait() == 75)
        let stderr = try String(contentsOf: errURL, encoding: .utf8)
        #expect(stderr.contains("bellwork: stopped: 1 lessons left for the next run"), "\(stderr)")
        var rows = try Self.rows(out)
        #expect(rows["a.mp4"]?.status == .done)
        #expect(rows["slow.mp4"]?.status == .pending && rows["slow.mp4"]?.attempts == 0)
        #expect(Self.faultChildren(in: dir).isEmpty, "\(Self.faultChildren(in: dir))")

        let resumed = try CLI.run(["batch", input.path, "--out", out.path])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("2 lessons analysed (1 in this run)"))
        rows = try Self.rows(out)
        #expect(rows["slow.mp4"]?.status == .done && rows["slow.mp4"]?.attempts == 1)
    }

    @Test func wrongCommandLinesAre64() throws {
        let noOut = try CLI.run(["batch", "/tmp"])
        #expect(noOut.status == 64 && noOut.stderr.contains("--out"))
        let noInput = try CLI.run(["batch", "--out", "/tmp/x"])
        #expect(noInput.status == 64)
        let noJobs = try CLI.run(["batch", "/tmp", "--out", "/tmp/x", "--jobs", "0"])
        #expect(noJobs.status == 64)
        let missing = try CLI.run(["summary", "/nonexistent/batch"])
        #expect(missing.status == 66 && missing.stderrLines.count == 1, "\(missing.stderr)")
        let help = try CLI.run(["batch", "--help"])
        #expect(help.stdout.contains("3   some lessons failed") && help.stdout.contains("75  stopped"))
    }
}

/// A batch started in the background, for tests that kill it: posix_spawn and waitpid, so no other reaper
/// races the test for the child's status.
struct BackgroundBatch {
    let pid: pid_t

    /// Starts `bellwork` with `arguments`, with `environment` added; standard output and error to files or /dev/null.
    /// `wrapper`: a command that runs it, e.g. `ip netns exec NAME` (it must exec `bellwork`, so `pid` is bellwork's).
    init(_ arguments: [String], environment: [String] = [], wrapper: [String] = [], stderr: String = "/dev/null") throws {
        try self.init(command: environment + wrapper + [CLI.binary] + arguments, stderr: stderr)
    }

    /// Starts any command, through /usr/bin/env (looked up in PATH, after NAME=VALUE words if any).
    init(command: [String], stderr: String = "/dev/null") throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        // Nothing else of this process's: a file another test is writing (a copied binary: "Text file busy" when
        // it runs), swift test's pipes, or a server the child restarts keeping them open.
        if let closeFrom = Self.closeFrom { _ = closeFrom(&actions, 3) }
        let words = ["/usr/bin/env"] + command
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, "/usr/bin/env", &actions, nil, argv, environ)
        guard rc == 0 else { throw CLIError("posix_spawn: \(rc)") }
        pid = child
    }

    /// glibc's posix_spawn_file_actions_addclosefrom_np (2.34), which Swift's Glibc module does not show.
    static let closeFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    /// Waits for the batch; its exit status, or nil when a signal ended it.
    func wait() -> Int32? {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return status & 0x7F == 0 ? (status >> 8) & 0xFF : nil
    }

    enum End: Equatable, CustomStringConvertible {
        case exited(Int32)
        case signalled(Int32)
        /// Still running at the deadline: killed (SIGKILL) and reaped.
        case timedOut

        var description: String {
            switch self {
            case .exited(let s): "exited with status \(s)"
            case .signalled(let s): "ended by signal \(s)"
            case .timedOut: "still running at the deadline (killed)"
            }
        }
    }

    /// Waits for the batch until `deadline`; one still running then is killed, so no test leaves it behind.
    func wait(until deadline: Date) -> End {
        var status: Int32 = 0
        while true {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { return status & 0x7F == 0 ? .exited((status >> 8) & 0xFF) : .signalled(status & 0x7F) }
            if reaped < 0 && errno != EINTR { return .timedOut }
            if Date() >= deadline {
                kill(pid, SIGKILL)
                _ = wait()
                return .timedOut
            }
            usleep(20_000)
        }
    }
}
