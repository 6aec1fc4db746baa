import Bellwork
@testable import BellworkBatch
import Foundation
import Testing

/// A worker's temporary work folder outlives a worker killed with SIGKILL; the next worker removes it (its owner's
/// lock is gone with the owner), and leaves a living worker's alone.
@Suite struct WorkFolderTests {
    static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    @Test func onlyTheFoldersOfWorkersThatAreGoneAreRemoved() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let live = try WorkFolder.make(in: dir.path)
        let dead = try WorkFolder.make(in: dir.path)
        close(dead.lock)  // as the kernel does when its worker dies
        let earlier = dir.appendingPathComponent("bellwork-worker.abc123").path  // no owner file: left alone
        try FileManager.default.createDirectory(atPath: earlier, withIntermediateDirectories: true)
        #expect(WorkFolder.removeStale(in: dir.path) == 1)
        #expect(Self.exists(live.path) && !Self.exists(dead.path) && Self.exists(earlier))
        close(live.lock)
        #expect(WorkFolder.removeStale(in: dir.path) == 1)
        #expect(!Self.exists(live.path) && Self.exists(earlier))
    }

    /// Real workers on a queue folder (SQLite), their temporary folder in TMPDIR: one killed outright leaves its work
    /// folder; the next one removes it, and its own at its end.
    @Test func theNextWorkerRemovesTheFolderOfOneKilled() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let tmp = dir.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        let queue = dir.appendingPathComponent("queue").path
        let uploads = dir.appendingPathComponent("uploads")
        try FileManager.default.createDirectory(at: uploads, withIntermediateDirectories: true)
        let arguments = ["worker", "--queue", queue, "--root", uploads.path, "--poll-interval", "0.2"]
        let killed = try BackgroundBatch(arguments, environment: ["TMPDIR=\(tmp.path)"])
        func folders() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: tmp.path)) ?? []).filter { $0.hasPrefix("bellwork-worker.") } }
        var waited = 0
        while folders().isEmpty && waited < 500 { usleep(20_000); waited += 1 }
        #expect(folders().count == 1)
        kill(killed.pid, SIGKILL)
        #expect(killed.wait() == nil)
        #expect(folders().count == 1, "a worker killed outright cannot remove its folder")

        let next = try BatchCLITests.bellwork(arguments + ["--exit-when-empty"], environment: ["TMPDIR=\(tmp.path)"])
        #expect(next.status == 0, "\(next.stderr)")
        #expect(folders().isEmpty, "\(folders())")
    }
}
