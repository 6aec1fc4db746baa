import Bellwork
import Foundation
import LessonMetrics
import Testing

/// A coach's or researcher's own coding, as their tools write it: quoted CSV, TSV, BORIS's columns, their
/// names for the kinds, one coder's ELAN tier; and a batch folder scored against its truths.
@Suite struct LabelTablesTests {
    @Test func quotedFieldsDelimitersAndLineBreaks() {
        let rows = LabelTables.rows("a,\"b, c\",\"say \"\"hi\"\"\"\r\n\n1, 2 ,\"x\ny\"\n", delimiter: ",")
        #expect(rows == [["a", "b, c", "say \"hi\""], ["1", "2", "x\ny"]])
        #expect(LabelTables.rows("start\tend\tkind\n0\t5\tgroup\n", delimiter: "\t") == [["start", "end", "kind"], ["0", "5", "group"]])
        #expect(LabelTables.delimiter(of: "start\tend\tkind\n", fileExtension: "txt") == "\t")
        #expect(LabelTables.delimiter(of: "start,end,kind\n", fileExtension: "csv") == ",")
    }

    @Test func codersNamesForTheKinds() {
        #expect(LabelTables.kind("Arrival") == .transition)
        #expect(LabelTables.kind("Group Work") == .group)
        #expect(LabelTables.kind("seat_work") == .independent)
        #expect(LabelTables.kind("Direct-Instruction") == .instruction)
        #expect(LabelTables.kind("INSTRUCTION") == .instruction)
        #expect(LabelTables.kind("recess") == nil)
    }

    /// A coder's own names, from a label map (`score --labels`): read before the usual names, keys compared as
    /// labels are; a bad line is one clear reason; a table in those names scores only with the map.
    @Test func aCodersOwnLabelMap() throws {
        let map = try LabelTables.map("# our codebook\nWarm-up = transition\nStations, group\n\nRead_Aloud\tinstruction\nArrival = instruction\n")
        #expect(LabelTables.kind("warm up", map) == .transition && LabelTables.kind("STATIONS", map) == .group)
        #expect(LabelTables.kind("read aloud", map) == .instruction && LabelTables.kind("Arrival", map) == .instruction)
        #expect(LabelTables.kind("Arrival") == .transition && LabelTables.kind("stations") == nil)
        #expect(throws: LabelMapError.self) { try LabelTables.map("Stations group\n") }
        #expect(throws: LabelMapError.self) { try LabelTables.map("Stations = recess\n") }

        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let coding = dir.appendingPathComponent("coding.csv").path
        try "start,end,kind\n0,30,Warm-up\n30,90,Stations\n90,120,Read aloud\n".write(toFile: coding, atomically: true, encoding: .utf8)
        let truth = dir.appendingPathComponent("truth.csv").path
        try "start,end,kind\n0,30,transition\n30,90,group\n90,120,instruction\n".write(toFile: truth, atomically: true, encoding: .utf8)
        let without = try CLI.run(["score", coding, truth])
        #expect(without.status == 65 && without.stderr.contains("Warm-up") && without.stderr.contains("--labels"), "\(without.stderr)")
        let file = dir.appendingPathComponent("labels.txt").path
        try "Warm-up = transition\nStations = group\nRead aloud = instruction\n".write(toFile: file, atomically: true, encoding: .utf8)
        let with = try CLI.run(["score", coding, truth, "--labels", file, "--format", "json"])
        #expect(with.status == 0, "\(with.stderr)")
        let doc = try #require(JSONSerialization.jsonObject(with: Data(with.stdout.utf8)) as? [String: Any])
        let lesson = try #require((doc["lessons"] as? [String: Any])?["coding"] as? [String: Any])
        #expect(lesson["kindAgreement"] as? Double == 1 && lesson["labelAgreement"] as? Double == 1, "\(lesson)")
        // Not a label map: a device that never ends, a folder: one line, 65, at once.
        for path in ["/dev/zero", dir.path] {
            let refused = try CLI.run(["score", coding, truth, "--labels", path])
            #expect(refused.status == 65 && refused.stderrLines.count == 1, "\(path): \(refused.stderr)")
        }
        try "Stations: group\n".write(toFile: file, atomically: true, encoding: .utf8)
        let bad = try CLI.run(["score", coding, truth, "--labels", file])
        #expect(bad.status == 65 && bad.stderrLines.count == 1 && bad.stderr.contains("line 1"), "\(bad.stderr)")
    }

    static func eaf(tiers: [(String, [(Int, Int, String)])]) -> String {
        var slots = "", annotations = "", n = 0, a = 0
        for (tier, spans) in tiers {
            annotations += "<TIER LINGUISTIC_TYPE_REF=\"default\" TIER_ID=\"\(tier)\">"
            for (t1, t2, value) in spans {
                slots += "<TIME_SLOT TIME_SLOT_ID=\"ts\(n)\" TIME_VALUE=\"\(t1)\"/><TIME_SLOT TIME_SLOT_ID=\"ts\(n + 1)\" TIME_VALUE=\"\(t2)\"/>"
                annotations += "<ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID=\"a\(a)\" TIME_SLOT_REF1=\"ts\(n)\" TIME_SLOT_REF2=\"ts\(n + 1)\"><ANNOTATION_VALUE>\(value)</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION>"
                n += 2; a += 1
            }
            annotations += "</TIER>"
        }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ANNOTATION_DOCUMENT><HEADER/><TIME_ORDER>\(slots)</TIME_ORDER>\(annotations)</ANNOTATION_DOCUMENT>"
    }

    @Test func twoCodersTiersAreScoredOneAtATime() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let doc = Self.eaf(tiers: [("coder A", [(0, 60_000, "Arrival"), (60_000, 120_000, "Group work")]),
                                   ("coder B", [(0, 30_000, "transition"), (30_000, 120_000, "independent")])])
        let path = dir.appendingPathComponent("lesson.eaf").path
        try doc.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(SegmentFiles.eafTiers(path) == ["coder A", "coder B"])
        let a = try SegmentFiles.load(path)
        #expect(a.segments.map(\.kind) == [.transition, .group] && a.segments.map(\.end) == [60, 120])
        let b = try SegmentFiles.load(path, tier: "coder B")
        #expect(b.segments.map(\.kind) == [.transition, .independent] && b.segments.first?.end == 30)
        #expect(throws: SegmentFiles.ReadError.self) { try SegmentFiles.load(path, tier: "coder C") }
        // The command says which tier it scored and how to choose another.
        let result = dir.appendingPathComponent("lesson.json").path
        let truth = try String(contentsOfFile: CLI.repoRoot.appendingPathComponent("Fixtures/lessons/typical_start.truth.json").path, encoding: .utf8)
        try truth.write(toFile: result, atomically: true, encoding: .utf8)
        let out = try CLI.run(["score", result, path])
        #expect(out.status == 0 && out.stderrLines == ["bellwork: \(path): 2 tiers of segments (coder A, coder B): scored against coder A; --tier chooses another"], "\(out.stderr)")
        let chosen = try CLI.run(["score", result, path, "--tier", "coder B"])
        #expect(chosen.status == 0 && chosen.stderr.isEmpty, "\(chosen.stderr)")
    }

    /// A result scored against its own CSV export agrees fully (the bell is a row of the export), and a batch's
    /// results (`NAME.mp4.json`) are found for their truths (`NAME.truth.json`).
    @Test func exportsAndBatchFoldersScore() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let lesson = CLI.repoRoot.appendingPathComponent("Fixtures/lessons/typical_start.mp4").path
        let results = dir.appendingPathComponent("results"), truths = dir.appendingPathComponent("truths")
        try FileManager.default.createDirectory(at: results, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: truths, withIntermediateDirectories: true)
        let json = results.appendingPathComponent("typical_start.mp4.json").path
        #expect(try CLI.run(["analyze", lesson, "--format", "json", "-o", json, "--quiet"]).status == 0)
        let csv = dir.appendingPathComponent("export.csv").path
        #expect(try CLI.run(["render", json, "--format", "csv", "-o", csv]).status == 0)
        let own = try CLI.run(["score", json, csv, "--format", "json"])
        let doc = try #require(JSONSerialization.jsonObject(with: Data(own.stdout.utf8)) as? [String: Any])
        let aggregate = try #require(doc["aggregate"] as? [String: Any])
        #expect(aggregate["meanLabelAgreement"] as? Double == 1 && aggregate["bellMisses"] as? Int == 0, "\(own.stdout)")
        // The kinds beyond the contract: against its own export, kappa 1 and nothing off the diagonal.
        let kinds = try #require(doc["kinds"] as? [String: Any])
        let pooled = try #require(kinds["pooled"] as? [String: Any])
        #expect(pooled["kappa"] as? Double == 1, "\(kinds)")
        let matrix = try #require(pooled["confusionSeconds"] as? [String: [String: Double]])
        #expect(matrix.allSatisfy { truth, row in row.allSatisfy { $0.key == truth || $0.value == 0 } }, "\(matrix)")
        #expect(matrix["transition"]?["transition"].map { $0 > 0 } == true)
        #expect((kinds["lessons"] as? [String: Any])?.count == 1)
        try FileManager.default.copyItem(atPath: CLI.repoRoot.appendingPathComponent("Fixtures/lessons/typical_start.truth.json").path,
                                         toPath: truths.appendingPathComponent("typical_start.truth.json").path)
        let folder = try CLI.run(["score", results.path, truths.path])
        #expect(folder.status == 0 && folder.stdout.contains("typical_start"), "\(folder.stdout)\(folder.stderr)")
        #expect(folder.stdout.contains("kinds: Cohen's kappa ") && folder.stdout.contains("truth (rows) by result (columns)"),
                "\(folder.stdout)")
    }
}
