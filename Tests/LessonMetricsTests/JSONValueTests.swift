import Foundation
import LessonMetrics
import Testing

@Suite struct JSONValueTests {
    @Test func decodesEveryKind() throws {
        let json = #"{"a": null, "b": true, "c": 1.5, "d": "x", "e": [1, false], "f": {"g": -2}}"#
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
        #expect(value == [
            "a": .null, "b": true, "c": 1.5, "d": "x", "e": [1, false], "f": ["g": -2],
        ])
    }

    @Test func roundTrips() throws {
        let value: JSONValue = ["list": [1, 2.25, "three", .null, ["nested": true]], "empty": [:]]
        let decoded = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
        #expect(decoded == value)
    }

    @Test func encodesAnyEncodable() throws {
        struct Config: Encodable {
            var rate = 10.0
            var name = "tonal"
            var enabled = false
        }
        let value = try JSONValue(encoding: Config())
        #expect(value == ["rate": 10, "name": "tonal", "enabled": false])
        #expect(value.objectValue?["rate"]?.doubleValue == 10)
        #expect(value.doubleValue == nil)
    }
}
