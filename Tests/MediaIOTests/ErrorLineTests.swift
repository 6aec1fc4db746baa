import Foundation
import MediaIO
import Testing

/// An error line is one line that groups (issue 16): no FFmpeg context addresses, no second line of advice.
@Suite struct ErrorLineTests {
    @Test func ffmpegLogBecomesOneLineWithoutAddresses() {
        let error = MediaError(
            kind: .notMedia, path: "/in/lesson.ts", reason: "no picture or sound could be decoded",
            ffmpegLog: "[mpegts @ 0x5625e158d180] Could not find codec parameters for stream 0 (Video: h264 ([27][0][0][0] / 0x001B), none): unspecified size\n"
                + "Consider increasing the value for the 'analyzeduration' (0) and 'probesize' (5000000) options")
        let line = error.description
        #expect(!line.contains("\n"))
        #expect(!line.contains("0x5625e158d180") && !line.contains("@ 0x") && !line.contains("analyzeduration"), "\(line)")
        #expect(line.contains("Could not find codec parameters for stream 0 (Video: h264 ([27][0][0][0] / 0x001B), none): unspecified size"))
        #expect(FFmpegLog.oneLine("[h264 @ 0x55743a2b1c00] error while decoding MB 2 2 at 0x7ffd5e3c\nsecond") == "error while decoding MB 2 2; second")
    }

    @Test func namesAreShownEscaped() {
        let error = MediaError(kind: .notMedia, path: "/in/a\nb\u{1B}[31m.mp4", reason: "not a recording")
        #expect(error.description == "/in/a\\nb\\x1B[31m.mp4: not a recording")
    }
}
