import Foundation
import LessonMetrics
import MediaIO

/// The tool's version, as written in every result.
public enum BellworkVersion {
    public static let string = "0.1.0"

    /// What `--version` prints: Bellwork's version and the FFmpeg it runs on.
    public static var full: String { "\(string)\n\(FFmpegVersions.line)" }

    /// The result's `tool`: Bellwork's version and the FFmpeg libraries.
    public static var tool: AnalysisResult.Tool {
        var ffmpeg = ["ffmpeg": FFmpegVersions.release]
        for (name, version) in FFmpegVersions.libraries { ffmpeg[name] = version }
        return AnalysisResult.Tool(name: "bellwork", version: string, ffmpeg: ffmpeg)
    }
}

/// The CLI's exit statuses, as the contract defines them (BSD sysexits).
public enum ExitStatus {
    public static let ok: Int32 = 0
    public static let usage: Int32 = 64
    public static let dataError: Int32 = 65
    public static let noInput: Int32 = 66
    public static let software: Int32 = 70
    public static let ioError: Int32 = 74

    /// 66 when the file cannot be opened, 65 when it is not a usable lesson.
    public static func of(_ error: MediaError) -> Int32 {
        error.kind == .cannotOpen ? noInput : dataError
    }
}

/// Stable, readable JSON for everything Bellwork prints or writes.
public enum JSONOutput {
    public static func data<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    public static func string<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try data(value), as: UTF8.self)
    }
}

/// Times as people read them: `m:ss` or `h:mm:ss`.
public enum TimeText {
    public static func clock(_ seconds: Double) -> String {
        // Any number at all gives text (a saved result may hold anything): none that is not a time traps.
        guard seconds.isFinite, abs(seconds) < 1e12 else { return "–" }
        let total = Int(seconds.rounded())
        let h = total / 3600, m = (total % 3600) / 60, s = total % 60
        return h > 0 ? String(format: "%d:%02d:%02d", h, m, s) : String(format: "%d:%02d", m, s)
    }
}

/// The probe's facts as a short text for people.
public enum ProbeText {
    public static func render(_ info: MediaInfo) -> String {
        var lines: [String] = []
        lines.append("file:      \(FileName.display(info.path))")
        lines.append("size:      \(info.sizeBytes) bytes")
        lines.append("container: \(info.container)")
        if let d = info.durationSeconds {
            lines.append(String(format: "duration:  %@ (%.2f s)", TimeText.clock(d), d))
        } else {
            lines.append("duration:  unknown")
        }
        lines.append("created:   \(info.creationTime ?? "unknown")")
        for s in info.streams {
            let chosen = s.index == info.videoStreamIndex || s.index == info.audioStreamIndex ? " (chosen)" : ""
            var text = "stream \(s.index): \(s.kind.rawValue) \(s.codec)"
            switch s.kind {
            case .video:
                if let w = s.width, let h = s.height { text += " \(w)x\(h)" }
                if let r = s.averageFrameRate { text += String(format: " %.3f fps", r) }
                if s.variableFrameRate == true { text += " (variable)" }
                if let rot = s.rotationDegrees, rot != 0 { text += " rotated \(rot)°" }
                if s.isAttachedPicture { text += " cover picture" }
            case .audio:
                if let r = s.sampleRate { text += " \(r) Hz" }
                if let c = s.channels { text += " \(c) ch" }
            default: break
            }
            lines.append(text + chosen)
        }
        return lines.joined(separator: "\n")
    }
}
