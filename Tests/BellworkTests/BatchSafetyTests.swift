import Bellwork
import BellworkBatch
import Foundation
import Testing

/// `bellwork batch` against careless users and attackers (issue 16): junk uploads, a foreign `--out` folder,
/// symbolic links planted in the batch folder and in the uploads, a `results/` that cannot be written.
@Suite(.serialized)
struct BatchSafetyTests {
    typealias B = BatchCLITests

    /// Every entry below `dir`, by relative path: "link -> target", "dir", or the file's content.
    static func snapshot(_ dir: URL) throws -> [String: String] {
        var entries: [String: String] = [:]
        for relative in try FileManager.default.subpathsOfDirectory(atPath: dir.path) {
            let path = dir.appendingPathComponent(relative).path
            var info = stat()
            #expect(lstat(path, &info) == 0)
            switch info.st_mode & S_IFMT {
            case S_IFLNK: entries[relative] = "link -> " + (try FileManager.default.destinationOfSymbolicLink(atPath: path))
            case S_IFDIR: entries[relative] = "dir"
            default: entries[relative] = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
            }
        }
        return entries
    }

    static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
    }

    /// Small random files that are not media: ignored, never a crashed probe (a failed lesson).
    @Test func randomJunkIsIgnoredNotCrashed() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("uploads")
        var state: UInt64 = 5000
        func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 33
        }
        for i in 0..<40 {
            let path = input.appendingPathComponent("junk-\(i).dat").path
            try B.write("", path)
            let size = 16 + Int(next() % 600)
            try Data((0..<size).map { _ in UInt8(truncatingIfNeeded: next()) }).write(to: URL(fileURLWithPath: path))
            try B.settle(path)
        }
        let out = dir.appendingPathComponent("out")
        let run = try CLI.run(["batch", input.path, "--out", out.path, "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("0 failed") && run.stdout.contains("40 other files ignored"), "\(run.stdout)")
        let rows = try B.rows(out)
        #expect(rows.values.filter { $0.status != .ignored }.map(\.relativePath) == [])
        #expect(!rows.values.contains { $0.error?.contains("crashed") == true })
    }

    /// `--out` on a folder that is not Bellwork's (not empty, no marker, no state) is refused with 64 and one line,
    /// and nothing in it is touched. A new or empty folder gets the marker; a folder of an earlier version (its
    /// state database, no marker) is adopted.
    @Test func foreignOutFolderIsRefusedAndUntouched() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in")
        try B.lesson(input.appendingPathComponent("a.mp4").path, seconds: 2)

        let foreign = dir.appendingPathComponent("thesis")
        try B.write("Chapter 1. It was a dark and stormy night.\n", foreign.appendingPathComponent("work/thesis.txt").path)
        try B.write("name,grade\nsmith,A\n", foreign.appendingPathComponent("summary.csv").path)
        let before = try Self.snapshot(foreign)
        let refused = try CLI.run(["batch", input.path, "--out", foreign.path])
        #expect(refused.status == 64, "\(refused.stderr)")
        #expect(refused.stderrLines.count == 1 && refused.stderr.contains(foreign.path), "\(refused.stderr)")
        #expect(try Self.snapshot(foreign) == before)

        let fresh = dir.appendingPathComponent("fresh")
        let empty = dir.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let earlier = dir.appendingPathComponent("earlier")
        try FileManager.default.createDirectory(at: earlier, withIntermediateDirectories: true)
        _ = try BatchStore(directory: earlier.path)
        try B.write("path,status\n", earlier.appendingPathComponent("summary.csv").path)
        // A batch killed while writing its marker leaves only the marker's temporary file.
        let killed = dir.appendingPathComponent("killed")
        try B.write("This folder", killed.appendingPathComponent("..bellwork-batch.123.456.tmp").path)
        for out in [fresh, empty, earlier, killed] {
            let run = try CLI.run(["batch", input.path, "--out", out.path, "--quiet"])
            #expect(run.status == 0, "\(out.lastPathComponent): \(run.stderr)")
            #expect(Self.isRegularFile(out.appendingPathComponent(".bellwork-batch").path), "\(out.lastPathComponent)")
            #expect(try B.rows(out)["a.mp4"]?.status == .done)
            let again = try CLI.run(["batch", input.path, "--out", out.path, "--quiet"])
            #expect(again.status == 0 && again.stdout.contains("(0 in this run)"), "\(again.stdout)\(again.stderr)")
        }
    }

    /// Links planted in the batch folder in place of its own files are replaced, never written through, and
    /// what the batch removes from `work/` is the link, not what it leads to. A link in place of `work/` itself
    /// is refused (74) with nothing outside touched.
    @Test func plantedLinksAreNotFollowed() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in")
        try B.lesson(input.appendingPathComponent("a.mp4").path, seconds: 2)
        let out = dir.appendingPathComponent("out")
        let first = try CLI.run(["batch", input.path, "--out", out.path, "--quiet"])
        #expect(first.status == 0, "\(first.stderr)")

        let outside = dir.appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: outside.appendingPathComponent("docs"), withIntermediateDirectories: true)
        let targets = ["summary.csv": "summary.txt", "work/settings.json": "settings.txt", "results/a.mp4.json": "a.txt",
                       "results/b.mp4.json": "b.txt", "work/stale.tmp": "stale.txt", "work/docs": "docs"]
        for (inside, target) in targets {
            if target != "docs" { try B.write("precious \(target)\n", outside.appendingPathComponent(target).path) }
            try? FileManager.default.removeItem(atPath: out.appendingPathComponent(inside).path)  // may not exist
        }
        try B.write("my notes\n", outside.appendingPathComponent("docs/notes.txt").path)
        for (inside, target) in targets {
            try FileManager.default.createSymbolicLink(atPath: out.appendingPathComponent(inside).path,
                                                       withDestinationPath: outside.appendingPathComponent(target).path)
        }
        let before = try Self.snapshot(outside)
        try B.lesson(input.appendingPathComponent("b.mp4").path, seconds: 2, tone: 600)
        // Other settings: a.mp4 is analysed again, so its result is written again.
        let second = try CLI.run(["batch", input.path, "--out", out.path, "--quiet", "--settle-seconds", "10"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("2 lessons analysed (2 in this run)"), "\(second.stdout)")
        #expect(try Self.snapshot(outside) == before)
        for inside in ["summary.csv", "work/settings.json", "results/a.mp4.json", "results/b.mp4.json"] {
            #expect(Self.isRegularFile(out.appendingPathComponent(inside).path), "\(inside)")
        }
        try B.checkResults(out, expected: ["a.mp4", "b.mp4"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("work").path) == ["settings.json"])

        // The work folder itself a link to the outside: refused, and the outside is left alone.
        try FileManager.default.removeItem(at: out.appendingPathComponent("work"))
        try FileManager.default.createSymbolicLink(atPath: out.appendingPathComponent("work").path,
                                                   withDestinationPath: outside.appendingPathComponent("docs").path)
        let third = try CLI.run(["batch", input.path, "--out", out.path, "--quiet"])
        #expect(third.status == 74, "\(third.stderr)")
        #expect(third.stderrLines.count == 1 && third.stderr.contains(out.appendingPathComponent("work").path), "\(third.stderr)")
        #expect(try Self.snapshot(outside) == before)
    }

    /// Links in the uploads that lead outside the folders given are skipped with one line each, and analysed
    /// only with --follow-links; links within the folders given are taken as before.
    @Test func uploadLinksLeadingOutsideAreSkipped() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in")
        try B.lesson(input.appendingPathComponent("own.mp4").path, seconds: 2)
        let outside = dir.appendingPathComponent("elsewhere")
        try B.lesson(outside.appendingPathComponent("other-teacher.mp4").path, seconds: 2, tone: 700)
        try B.write("root:x:0:0:root:/root:/bin/bash\n", outside.appendingPathComponent("passwd").path)
        let links = ["stolen.mp4": outside.appendingPathComponent("other-teacher.mp4").path,
                     "passwd.txt": outside.appendingPathComponent("passwd").path,
                     "sub/again.mp4": input.appendingPathComponent("own.mp4").path,
                     "shared": outside.path]  // a folder: never followed, nothing to say
        try FileManager.default.createDirectory(at: input.appendingPathComponent("sub"), withIntermediateDirectories: true)
        for (name, target) in links {
            try FileManager.default.createSymbolicLink(atPath: input.appendingPathComponent(name).path, withDestinationPath: target)
        }
        let out = dir.appendingPathComponent("out")
        let run = try CLI.run(["batch", input.path, "--out", out.path, "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("2 lessons analysed (2 in this run), 0 failed"), "\(run.stdout)")
        #expect(!run.stdout.contains("ignored"), "\(run.stdout)")
        for name in ["stolen.mp4", "passwd.txt"] {
            #expect(run.stderrLines.filter { $0.contains(input.appendingPathComponent(name).path) }.count == 1, "\(run.stderr)")
        }
        #expect(run.stderrLines.count == 2, "\(run.stderr)")
        var rows = try B.rows(out)
        #expect(rows["stolen.mp4"] == nil && rows["passwd.txt"] == nil)
        #expect(rows["sub/again.mp4"]?.status == .done)

        let followed = try CLI.run(["batch", input.path, "--out", out.path, "--quiet", "--follow-links"])
        #expect(followed.status == 0, "\(followed.stderr)")
        #expect(followed.stdout.contains("3 lessons analysed (1 in this run), 0 failed, 1 other files ignored"), "\(followed.stdout)")
        rows = try B.rows(out)
        #expect(rows["stolen.mp4"]?.status == .done)
        #expect(rows["passwd.txt"]?.status == .ignored)
    }

    /// A result that cannot be written (a folder stands where it goes: as root, permissions would not stop the
    /// write) ends the batch with 74 and one line naming the file; the lesson stays pending, so the next run,
    /// once the problem is gone, analyses it without --retry-failed.
    @Test func unwritableResultIs74AndLeavesTheLessonPending() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in")
        try B.lesson(input.appendingPathComponent("a.mp4").path, seconds: 3)
        try B.lesson(input.appendingPathComponent("b.mp4").path, seconds: 2, tone: 600)
        let out = dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try B.write("", out.appendingPathComponent(".bellwork-batch").path)
        let blocker = out.appendingPathComponent("results/a.mp4.json")
        try FileManager.default.createDirectory(at: blocker, withIntermediateDirectories: true)

        // One job, the longer lesson first: a.mp4's write fails, and b.mp4 is not started after it.
        let first = try CLI.run(["batch", input.path, "--out", out.path, "--quiet", "--jobs", "1"])
        #expect(first.status == 74, "\(first.stderr)")
        #expect(first.stderrLines.count == 1 && first.stderr.contains(blocker.path), "\(first.stderr)")
        var rows = try B.rows(out)
        #expect(rows["a.mp4"]?.status == .pending && rows["a.mp4"]?.attempts == 0, "\(String(describing: rows["a.mp4"]))")
        #expect(rows["b.mp4"]?.status == .pending)
        #expect(try B.csvRows(out).count == 2)

        try FileManager.default.removeItem(at: blocker)
        let second = try CLI.run(["batch", input.path, "--out", out.path, "--quiet"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("2 lessons analysed (2 in this run), 0 failed"), "\(second.stdout)")
        rows = try B.rows(out)
        #expect(rows["a.mp4"]?.status == .done && rows["a.mp4"]?.attempts == 1)
        try B.checkResults(out, expected: ["a.mp4", "b.mp4"])
    }
}
