import Bellwork
import BellworkBatch
import Foundation
import Testing

/// Each batch child runs under a memory limit: a lesson that needs more fails with its reason, and the
/// batch goes on.
@Suite(.serialized) struct BatchLimitsTests {
    typealias B = BatchCLITests

    @Test func aChildOverItsMemoryLimitFailsAloneWithItsReason() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in")
        try B.lesson(input.appendingPathComponent("a.mp4").path, seconds: 3)
        let out = dir.appendingPathComponent("out")
        let starved = try CLI.run(["batch", input.path, "--out", out.path, "--settle-age", "0", "--memory-limit", "150", "--quiet"])
        #expect(starved.status == 3, "\(starved.stdout) \(starved.stderr)")
        let row = try #require(try B.rows(out)["a.mp4"])
        #expect(row.status == .failed && (row.error ?? "").contains("memory"), "\(row.error ?? "")")
        let enough = try CLI.run(["batch", input.path, "--out", out.path, "--settle-age", "0", "--retry-failed", "--quiet"])
        #expect(enough.status == 0, "\(enough.stderr)")
        #expect(try B.rows(out)["a.mp4"]?.status == .done)
    }

    @Test func theDefaultLimitIsAShareOfTheMachine() {
        let one = BatchOptions.defaultMemoryLimitMB(jobs: 1), many = BatchOptions.defaultMemoryLimitMB(jobs: 64)
        #expect(one <= 4096 && many >= 512 && many <= one)
    }
}
