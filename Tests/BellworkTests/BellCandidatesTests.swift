import Foundation
import LessonMetrics
import Segmentation
import Testing
@testable import Bellwork

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

    /// One line per sounding, best first, the bell's leading whatever its confidence beside the others', dated where
    /// the sounding began (the bell where the bell was dated); none under 0.05 but the bell; at most five.
    @Test func oneCandidatePerSoundingTheBellFirst() {
        func ring(_ start: Double, partials: Double = 0) -> BellCandidate {
            BellCandidate(start: start, end: start + 2, brightShare: 1, meanRiseDb: 20, meanTiltDb: 0, meanPurity: 0,
                          sustainShare: 1, slopeDbPerSecond: 0, meanPartials: partials)
        }
        let candidates = [ring(10), ring(11, partials: 4), ring(40), ring(60), ring(70), ring(80), ring(90), ring(100), ring(500)]
        let soundings = [BellSounding(first: 0, surest: 1, confidence: 0.55), BellSounding(first: 2, surest: 2, confidence: 0.9),
                         BellSounding(first: 3, surest: 3, confidence: 0.8), BellSounding(first: 4, surest: 4, confidence: 0.7),
                         BellSounding(first: 5, surest: 5, confidence: 0.6), BellSounding(first: 6, surest: 6, confidence: 0.58),
                         BellSounding(first: 7, surest: 7, confidence: 0.03), BellSounding(first: 8, surest: 8, confidence: 0.95)]
        let decision = BellDecision(confidences: Array(repeating: 0.5, count: candidates.count), chosen: 1,
                                    bell: Bell(timeSeconds: 9.8, source: .detected, confidence: 0.55), soundings: soundings)
        let listed = LessonAnalyzer.bellCandidates(candidates, decision: decision, duration: 300)
        #expect(listed.map(\.timeSeconds) == [40, 60, 70, 80, 9.8])
        #expect(listed.map(\.confidence) == [0.9, 0.8, 0.7, 0.6, 0.55])
        #expect(listed.last?.kind == "tone")
        let unsure = BellDecision(confidences: [], chosen: nil, bell: nil, soundings: Array(soundings[6...7]))
        #expect(LessonAnalyzer.bellCandidates(candidates, decision: unsure, duration: 300).isEmpty)
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
