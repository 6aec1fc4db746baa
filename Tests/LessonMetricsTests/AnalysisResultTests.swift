import Foundation
import LessonMetrics
import Testing

@Suite struct AnalysisResultTests {
    /// A result with no bell, no creation time, no video and no audio.
    static let bare = AnalysisResult(
        tool: .init(version: "0.1.0"),
        input: .init(
            path: "/lessons/a.wav", sizeBytes: 1024, durationSeconds: 60, container: "wav",
            creationTime: nil, video: nil, audio: nil),
        durationSeconds: 60,
        settings: .init(settleSeconds: 30, minTransitionSeconds: 8),
        bell: nil,
        segments: [seg(0, 60, .unknown, 1)],
        metrics: .init(
            classStartSeconds: 0, classEndSeconds: 60, classSeconds: 60, onTaskSeconds: 0,
            timeOnTaskPercent: 0, transitionCount: 0, transitionSeconds: 0, meanTransitionSeconds: 0,
            longestTransitionSeconds: 0, bellToWorkSeconds: nil))

    /// A result with every optional part present, times already at 0.01 s.
    static let full = AnalysisResult(
        tool: .init(version: "1.2.3"),
        input: .init(
            path: "/lessons/b.mov", sizeBytes: 123_456_789, durationSeconds: 600.04,
            container: "mov,mp4,m4a,3gp,3g2,mj2", creationTime: "2024-09-03T08:14:55Z",
            video: .init(codec: "h264", width: 1920, height: 1080, framesPerSecond: 29.97, rotationDegrees: 90),
            audio: .init(codec: "aac", sampleRate: 48000, channels: 2)),
        durationSeconds: 600.04,
        settings: .init(
            settleSeconds: 30, minTransitionSeconds: 8,
            other: ["analysisRate": 10, "motionThreshold": 2.5, "detector": "tonal", "flags": [true, .null]]),
        bell: Bell(timeSeconds: 62.5, source: .detected, confidence: 0.9),
        segments: [seg(0, 75.25, .transition, 0.8), seg(75.25, 600.04, .instruction, 0.7)],
        metrics: .init(
            classStartSeconds: 62.5, classEndSeconds: 600.04, classSeconds: 537.54, onTaskSeconds: 524.79,
            timeOnTaskPercent: 97.63, transitionCount: 1, transitionSeconds: 12.75,
            meanTransitionSeconds: 12.75, longestTransitionSeconds: 12.75, bellToWorkSeconds: 12.75),
        signals: .init(stepSeconds: 0.5, motion: [0.1, 0.2], audioDb: [-40, nil]))

    @Test func encodesExplicitNulls() throws {
        let members = try jsonMembers(ResultJSON.encode(Self.bare))
        #expect(members["bell"] == .null)
        #expect(members["metrics"]?.objectValue?["bellToWorkSeconds"] == .null)
        let input = try #require(members["input"]?.objectValue)
        #expect(input["creationTime"] == .null)
        #expect(input["video"] == .null)
        #expect(input["audio"] == .null)
    }

    @Test func warningsAndStatusFollowTheContract() throws {
        var result = Self.bare
        result.warnings = AnalysisWarning.sorted([
            AnalysisWarning(code: "no-audio", message: "no audio"),
            AnalysisWarning(code: "truncated", message: "cut off", atSeconds: 12.3456),
            AnalysisWarning(code: "too-short", message: "short"),
        ])
        result.status = AnalysisWarning.status(result.warnings)
        let members = try jsonMembers(ResultJSON.encode(result))
        #expect(members["status"] == "check")
        #expect(members["warnings"] == [["code": "too-short", "message": "short", "atSeconds": .null],
                                        ["code": "truncated", "message": "cut off", "atSeconds": 12.35],
                                        ["code": "no-audio", "message": "no audio", "atSeconds": .null]])
        #expect(AnalysisWarning.status([AnalysisWarning(code: "no-video", message: "no video")]) == "ok")
        #expect(AnalysisWarning.status([]) == "ok")
        let back = try ResultJSON.decode(AnalysisResult.self, from: ResultJSON.encode(result))
        #expect(back.warnings.map(\.code) == ["too-short", "truncated", "no-audio"] && back.status == "check")
    }

    @Test func encodesEveryRequiredKeyAndLeavesOutAbsentSignals() throws {
        let members = try jsonMembers(ResultJSON.encode(Self.bare))
        #expect(Set(members.keys) == [
            "schemaVersion", "tool", "input", "durationSeconds", "settings", "bell", "segments", "metrics",
        ])
        #expect(members["schemaVersion"] == 1)
        #expect(members["tool"] == ["name": "bellwork", "version": "0.1.0"])
        #expect(members["settings"] == ["settleSeconds": 30, "minTransitionSeconds": 8])
    }

    @Test func encodesSignalsWithNullLevels() throws {
        let members = try jsonMembers(ResultJSON.encode(Self.full))
        #expect(members["signals"] == ["stepSeconds": 0.5, "motion": [0.1, 0.2], "audioDb": [-40, .null]])
        #expect(members["bell"] == ["timeSeconds": 62.5, "source": "detected", "confidence": 0.9])
        #expect(members["settings"]?.objectValue?["detector"] == "tonal")
    }

    @Test func roundTrips() throws {
        for result in [Self.bare, Self.full] {
            let decoded = try ResultJSON.decode(AnalysisResult.self, from: ResultJSON.encode(result))
            #expect(decoded == result)
        }
    }

    @Test func roundsTimesWhenEncoding() throws {
        var result = Self.bare
        result.durationSeconds = 60.004
        result.input.durationSeconds = 59.996
        result.bell = Bell(timeSeconds: 12.3456, source: .given, confidence: 1)
        result.segments = [seg(0, 12.3456, .transition, 0.5), seg(12.3456, 60.004, .group, 0.5)]
        let decoded = try ResultJSON.decode(AnalysisResult.self, from: ResultJSON.encode(result))
        #expect(decoded.durationSeconds == 60)
        #expect(decoded.input.durationSeconds == 60)
        #expect(decoded.bell?.timeSeconds == 12.35)
        #expect(decoded.segments.map(\.end) == [12.35, 60])
        #expect(decoded.segments.map(\.start) == [0, 12.35])
    }

    @Test func textIsStableSortedAndEndsInNewline() throws {
        let first = try ResultJSON.encode(Self.full)
        let second = try ResultJSON.encode(Self.full)
        #expect(first == second)
        let text = try #require(String(data: first, encoding: .utf8))
        #expect(text.hasSuffix("}\n"))
        #expect(text.contains("\n  "))  // pretty-printed
        #expect(text.contains("/lessons/b.mov"))  // slashes left unescaped
        // Top-level keys appear in sorted order.
        let keys = ["\"bell\"", "\"durationSeconds\"", "\"input\"", "\"metrics\"", "\"schemaVersion\"",
                    "\"segments\"", "\"settings\"", "\"signals\"", "\"tool\""]
        let offsets = try keys.map { key in try #require(text.range(of: "\n  \(key)")).lowerBound }
        #expect(offsets == offsets.sorted())
    }

    @Test func rejectsAnotherSchemaVersion() throws {
        var members = try jsonMembers(ResultJSON.encode(Self.bare))
        members["schemaVersion"] = 2
        let data = try JSONEncoder().encode(JSONValue.object(members))
        #expect(throws: DecodingError.self) { try ResultJSON.decode(AnalysisResult.self, from: data) }
    }

    @Test func encodingNonFiniteNumberThrows() {
        var result = Self.bare
        result.durationSeconds = .nan
        #expect(throws: EncodingError.self) { try ResultJSON.encode(result) }
    }
}
