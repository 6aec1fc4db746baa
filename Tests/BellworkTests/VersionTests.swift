import Foundation
import Testing

/// `--version` and every result say which FFmpeg libraries did the decoding (as loaded at run time).
@Suite struct VersionTests {
    @Test func versionNamesTheFFmpegLibraries() throws {
        let out = try CLI.run(["--version"])
        #expect(out.status == 0)
        let lines = out.stdout.split(separator: "\n")
        #expect(lines.first == "0.1.0", "\(out.stdout)")
        #expect(lines.count == 2 && lines[1].hasPrefix("FFmpeg ") && lines[1].contains("libavformat ")
                && lines[1].contains("libavcodec ") && lines[1].contains("libswscale "), "\(out.stdout)")
    }

    @Test func resultsCarryTheFFmpegLibraries() throws {
        let sample = CLI.repoRoot.appendingPathComponent("Fixtures/sample-lesson.mp4").path
        let out = try CLI.run(["analyze", sample, "--format", "json", "--quiet"])
        #expect(out.status == 0, "\(out.stderr)")
        let doc = try #require(JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
        let tool = try #require(doc["tool"] as? [String: Any])
        let ffmpeg = try #require(tool["ffmpeg"] as? [String: String])
        for library in ["libavformat", "libavcodec", "libavutil", "libswscale", "libswresample"] {
            #expect(ffmpeg[library]?.range(of: #"^\d+\.\d+\.\d+$"#, options: .regularExpression) != nil, "\(library): \(ffmpeg)")
        }
        #expect(ffmpeg["ffmpeg"]?.isEmpty == false)
    }
}

/// `--log-format json`: one JSON object a line, for a log shipper.
@Suite struct LogFormatTests {
    @Test func jsonLogLinesAreObjects() throws {
        let lesson = CLI.repoRoot.appendingPathComponent("Fixtures/lessons/camera_moved.mov").path
        let out = try CLI.run(["analyze", lesson, "--verbose", "--log-format", "json", "--output", "/dev/null"])
        #expect(out.status == 0, "\(out.stderr)")
        let logs = out.stderrLines.filter { $0.hasPrefix("{") }
        #expect(!logs.isEmpty, "\(out.stderr)")
        for line in logs {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["level"] is String && object?["label"] is String && object?["message"] is String
                    && object?["time"] is String, "\(line)")
        }
        // Everything else on standard error is Bellwork's own one-line messages.
        #expect(out.stderrLines.allSatisfy { $0.hasPrefix("{") || $0.hasPrefix("bellwork: ") }, "\(out.stderr)")
    }
}
