import Foundation
import LessonMetrics
import Testing

/// The bells heard, for a coach to pick from: `bellCandidates` in the result, the table and the report; a
/// missed bell is said to be missed, never "no bell in this recording".
@Suite struct BellCandidatesTests {
    static func lesson(_ name: String) -> String { CLI.repoRoot.appendingPathComponent("Fixtures/lessons/\(name).mp4").path }

    static func result(_ args: [String]) throws -> [String: Any] {
        let out = try CLI.run(["analyze"] + args + ["--format", "json", "--quiet"])
        #expect(out.status == 0, "\(out.stderr)")
        return try #require(JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
    }

    @Test func theChosenBellLeadsTheCandidates() throws {
        let r = try Self.result([Self.lesson("typical_start")])
        let bell = try #require(r["bell"] as? [String: Any])
        let candidates = try #require(r["bellCandidates"] as? [[String: Any]])
        #expect(!candidates.isEmpty && candidates.count <= 5)
        #expect(candidates.first?["timeSeconds"] as? Double == bell["timeSeconds"] as? Double)
        #expect(candidates.first?["confidence"] as? Double == bell["confidence"] as? Double)
        let confidences = candidates.compactMap { $0["confidence"] as? Double }
        #expect(confidences == confidences.sorted(by: >))
        #expect(candidates.allSatisfy { ["electric", "tone"].contains($0["kind"] as? String ?? "") })
        let table = try CLI.run(["analyze", Self.lesson("typical_start"), "--quiet"])
        let sure = String(format: "%.2f", try #require(bell["confidence"] as? Double))
        #expect(table.stdout.contains("Bell sounds   0:28 (\(sure), electric)"), "\(table.stdout)")
    }

    @Test func aMissedBellIsSaidToBeMissed() throws {
        let table = try CLI.run(["analyze", Self.lesson("started_after_bell"), "--quiet"])
        #expect(table.stdout.contains("Bell          no bell found"), "\(table.stdout)")
        let none = try CLI.run(["analyze", Self.lesson("started_after_bell"), "--no-bell", "--quiet"])
        #expect(none.stdout.contains("Bell          none (as asked)"), "\(none.stdout)")
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let page = dir.appendingPathComponent("r.html").path
        let html = try CLI.run(["analyze", Self.lesson("started_after_bell"), "--format", "html", "--output", page, "--quiet"])
        #expect(html.status == 0, "\(html.stderr)")
        let text = try String(contentsOfFile: page, encoding: .utf8)
        #expect(!text.contains("no bell in this recording"))
        #expect(text.contains("no bell found"))
        // The warning comes before the figures it affects.
        let warning = try #require(text.range(of: "data-code=\"no-bell-found\""))
        let figure = try #require(text.range(of: "data-metric=\"timeOnTaskPercent\""))
        #expect(warning.lowerBound < figure.lowerBound)
    }
}
