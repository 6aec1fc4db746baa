import Bellwork
import BellworkBatch
import Foundation
import Testing

/// What discovery keeps and what it leaves for later.
struct BatchDiscoveryTests {
    @Test func skipsHiddenPartialAndRecentFiles() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fm = FileManager.default
        try fm.createDirectory(at: dir.appendingPathComponent("smith/.cache"), withIntermediateDirectories: true)
        let old = Date(timeIntervalSinceNow: -3600)
        for name in ["smith/a.mp4", "smith/b.dat", "smith/.hidden.mp4", "smith/.cache/c.mp4", "smith/d.mp4.part",
                     "smith/e.MP4.crdownload", "smith/f.tmp", "smith/g.download", "smith/h.partial", "top.mov"] {
            let path = dir.appendingPathComponent(name).path
            #expect(fm.createFile(atPath: path, contents: Data("x".utf8)))
            try fm.setAttributes([.modificationDate: old], ofItemAtPath: path)
        }
        #expect(fm.createFile(atPath: dir.appendingPathComponent("smith/fresh.mp4").path, contents: Data("x".utf8)))

        let found = BatchDiscovery.run(inputs: [dir.path], listFile: nil, settleAge: 60)
        #expect(found.found.map(\.relativePath) == ["smith/a.mp4", "smith/b.dat", "top.mov"])
        #expect(found.stillArriving.count == 6)
        #expect(found.hiddenCount == 2)
        #expect(found.problems.isEmpty)

        // Files named directly or listed are named below their closest common folder; missing ones are problems.
        let list = dir.appendingPathComponent("list.txt").path
        try "\(dir.path)/smith/a.mp4\n# a comment\n\n\(dir.path)/top.mov\n\(dir.path)/nowhere.mp4\n".write(toFile: list, atomically: true, encoding: .utf8)
        try fm.setAttributes([.modificationDate: old], ofItemAtPath: list)
        let listed = BatchDiscovery.run(inputs: [], listFile: list, settleAge: 60)
        #expect(listed.found.map(\.relativePath) == ["smith/a.mp4", "top.mov"])
        #expect(listed.problems.map(\.relativePath) == ["nowhere.mp4"])
        #expect(listed.problems.first?.reason.contains("No such file") == true)
    }

    /// `--list -`: the paths come on standard input (from `find`, a script, a pipe).
    @Test func aListOnStandardInput() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("batch").path
        let sample = CLI.repoRoot.appendingPathComponent("Fixtures/sample-lesson.mp4").path
        let run = try CLI.run(["batch", "--list", "-", "--out", out, "--settle-age", "0", "--jobs", "1"],
                              stdin: Data("# today's uploads\n\(sample)\n".utf8))
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("1 lessons analysed"), "\(run.stdout)")
    }
}
