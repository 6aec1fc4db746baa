import Foundation
import Testing

/// Every input the fuzzer kept (`Fixtures/fuzz/`) gets the contract's answer: analysed, or exit 65 with one
/// line naming it; and an analysis's length comes from the media, not from a damaged stamp.
@Suite struct FuzzFindingsTests {
    static let folder = CLI.repoRoot.appendingPathComponent("Fixtures/fuzz")
    static let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
        .filter { !$0.hasSuffix(".md") }.sorted()

    @Test func thereAreFindings() { #expect(Self.files.count >= 8) }

    @Test(arguments: files)
    func answersAsTheContractSays(file: String) throws {
        let path = Self.folder.appendingPathComponent(file).path
        let run = try CLI.run(["analyze", path, "--format", "json", "--memory-limit", "1024"])
        #expect(run.status == 0 || run.status == 65, "\(file): exit \(run.status) \(run.stderr)")
        if run.status == 0 {
            let doc = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
            let duration = try #require(doc?["durationSeconds"] as? Double)
            #expect(duration < 600, "\(file): \(duration) s from a file of a few kilobytes")
        } else {
            #expect(run.stderrLines.count == 1 && run.stderr.contains(file), "\(file): \(run.stderr)")
            #expect(run.stderr.range(of: "0x[0-9a-f]{6,}", options: .regularExpression) == nil, "\(run.stderr)")
        }
    }
}
