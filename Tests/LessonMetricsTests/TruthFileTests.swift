import Foundation
import LessonMetrics
import Testing

@Suite struct TruthFileTests {
    @Test func decodesMinimalTruth() throws {
        // The bell carries its time alone and the segments leave out confidence.
        let json = """
            {
              "schemaVersion": 1,
              "durationSeconds": 120,
              "bell": { "timeSeconds": 20 },
              "segments": [
                { "start": 0, "end": 50, "kind": "transition" },
                { "start": 50, "end": 120, "kind": "group" }
              ],
              "metrics": {
                "classStartSeconds": 20, "classEndSeconds": 120, "classSeconds": 100,
                "onTaskSeconds": 70, "timeOnTaskPercent": 70, "transitionCount": 1,
                "transitionSeconds": 30, "meanTransitionSeconds": 30, "longestTransitionSeconds": 30,
                "bellToWorkSeconds": 30
              },
              "notes": "Late settling after the bell."
            }
            """
        let truth = try ResultJSON.decode(TruthFile.self, from: Data(json.utf8))
        #expect(truth.durationSeconds == 120)
        #expect(truth.bell == Bell(timeSeconds: 20))
        #expect(truth.segments == [seg(0, 50, .transition), seg(50, 120, .group)])
        #expect(truth.metrics.bellToWorkSeconds == 30)
        #expect(truth.notes == "Late settling after the bell.")
    }

    @Test func computesMetricsWithSettleThirty() {
        // Same lesson as above: window [20, 120]; t = 50 clears [50, 80), so 30 s after the bell.
        let truth = TruthFile(
            durationSeconds: 120, bell: Bell(timeSeconds: 20),
            segments: [seg(0, 50, .transition), seg(50, 120, .group)])
        #expect(truth.metrics == Metrics(
            classStartSeconds: 20, classEndSeconds: 120, classSeconds: 100, onTaskSeconds: 70,
            timeOnTaskPercent: 70, transitionCount: 1, transitionSeconds: 30, meanTransitionSeconds: 30,
            longestTransitionSeconds: 30, bellToWorkSeconds: 30))
    }

    @Test func resultDecodesAsTruthFile() throws {
        let result = AnalysisResultTests.full
        let truth = try ResultJSON.decode(TruthFile.self, from: ResultJSON.encode(result))
        #expect(truth == TruthFile(result))
        #expect(truth.bell == Bell(timeSeconds: 62.5, source: .detected, confidence: 0.9))
        #expect(truth.segments == result.segments)
        #expect(truth.metrics == result.metrics)
        #expect(truth.notes == nil)
    }

    @Test func encodesNullBellAndLeavesOutAbsentNotes() throws {
        let truth = TruthFile(durationSeconds: 10, bell: nil, segments: [seg(0, 10, .independent)])
        let members = try jsonMembers(ResultJSON.encode(truth))
        #expect(members["bell"] == .null)
        #expect(members["notes"] == nil)
        #expect(members["segments"] == [["start": 0, "end": 10, "kind": "independent"]])
        let decoded = try ResultJSON.decode(TruthFile.self, from: ResultJSON.encode(truth))
        #expect(decoded == truth)
    }

    @Test func rejectsAnotherSchemaVersion() {
        let json = #"{"schemaVersion": 2, "durationSeconds": 1, "bell": null, "segments": [], "metrics": {}}"#
        #expect(throws: DecodingError.self) { try ResultJSON.decode(TruthFile.self, from: Data(json.utf8)) }
    }
}
