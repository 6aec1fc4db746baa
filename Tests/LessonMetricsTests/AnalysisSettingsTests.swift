import Foundation
import LessonMetrics
import Testing

@Suite struct AnalysisSettingsTests {
    @Test func encodesOneFlatObject() throws {
        let settings = AnalysisSettings(
            settleSeconds: 20, minTransitionSeconds: 5,
            other: ["analysisRate": 10, "settleSeconds": 99])  // the property wins over `other`
        let members = try jsonMembers(ResultJSON.encode(settings))
        #expect(members == ["settleSeconds": 20, "minTransitionSeconds": 5, "analysisRate": 10])
    }

    @Test func decodesRequiredAndOtherTunables() throws {
        let json = #"{"settleSeconds": 30, "minTransitionSeconds": 8, "bands": [300, 3000]}"#
        let settings = try ResultJSON.decode(AnalysisSettings.self, from: Data(json.utf8))
        #expect(settings.settleSeconds == 30)
        #expect(settings.minTransitionSeconds == 8)
        #expect(settings.other == ["bands": [300, 3000]])
    }

    @Test func decodingWithoutRequiredTunableThrows() {
        let missing = Data(#"{"settleSeconds": 30}"#.utf8)
        #expect(throws: DecodingError.self) { try ResultJSON.decode(AnalysisSettings.self, from: missing) }
        let wrongType = Data(#"{"settleSeconds": "30", "minTransitionSeconds": 8}"#.utf8)
        #expect(throws: DecodingError.self) { try ResultJSON.decode(AnalysisSettings.self, from: wrongType) }
    }
}
