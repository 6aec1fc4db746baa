import Foundation
import LessonMetrics

/// Shorthand for a segment in tests.
func seg(_ start: Double, _ end: Double, _ kind: SegmentKind, _ confidence: Double? = nil) -> Segment {
    Segment(start: start, end: end, kind: kind, confidence: confidence)
}

/// The members of a JSON object, to check which keys an encoding wrote.
func jsonMembers(_ data: Data) throws -> [String: JSONValue] {
    let value = try JSONDecoder().decode(JSONValue.self, from: data)
    guard case .object(let members) = value else { throw NotAnObject() }
    return members
}

struct NotAnObject: Error {}
