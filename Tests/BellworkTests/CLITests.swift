import Foundation
import Testing

@Suite struct HelpTests {
    @Test func topLevelHelpNamesEverySubcommand() throws {
        let out = try CLI.run(["--help"])
        #expect(out.status == 0)
        for word in ["analyze", "score", "probe", "decode", "Honest numbers"] { #expect(out.stdout.contains(word)) }
    }

    @Test func analyzeHelpHasExamplesAndDefaults() throws {
        let out = try CLI.run(["analyze", "--help"])
        #expect(out.status == 0)
        #expect(out.stdout.contains("Examples:"))
        #expect(out.stdout.contains("bellwork analyze lesson.mp4 --format json --output lesson.json"))
        #expect(out.stdout.contains("default: table"))
        #expect(out.stdout.contains("--settle-seconds"))
    }

    @Test func wrongCommandLineIs64() throws {
        #expect(try CLI.run(["analyze"]).status == 64)
        #expect(try CLI.run(["analyze", "x.mp4", "--format", "pdf"]).status == 64)
        #expect(try CLI.run(["analyze", "x.mp4", "--bell", "soon"]).status == 64)
        #expect(try CLI.run(["analyze", "x.mp4", "--bell", "1:00", "--no-bell"]).status == 64)
        #expect(try CLI.run(["analyze", "x.mp4", "--settle-seconds", "0"]).status == 64)
    }
}

/// Every bad input: one line on standard error naming the file, the contract's status, nothing on stdout.
@Suite struct BadInputCLITests {
    func expect(_ args: [String], status: Int32, mentions file: String, _ words: String? = nil) throws {
        let out = try CLI.run(args)
        #expect(out.status == status, "\(args): \(out.stderr)")
        #expect(out.stderrLines.count == 1, "\(args): \(out.stderr)")
        #expect(out.stderr.contains(file))
        if let words { #expect(out.stderr.contains(words), "\(out.stderr)") }
        #expect(out.stdout.isEmpty)
    }

    @Test(arguments: ["probe", "analyze"])
    func badInputs(command: String) throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        func file(_ name: String, _ text: String) throws -> String {
            let p = dir.appendingPathComponent(name).path
            try text.write(toFile: p, atomically: true, encoding: .utf8)
            return p
        }
        let media = CLI.repoRoot.appendingPathComponent("Fixtures/media")
        try expect([command, dir.appendingPathComponent("missing.mp4").path], status: 66, mentions: "missing.mp4", "no such file")
        try expect([command, dir.path], status: 66, mentions: dir.path, "directory")
        try expect([command, try file("empty.mp4", "")], status: 65, mentions: "empty.mp4")
        try expect([command, try file("notes.mp4", "lesson notes\n")], status: 65, mentions: "notes.mp4")
        try expect([command, try file("page.mp4", "<html><body>404</body></html>\n")], status: 65, mentions: "page.mp4")
        try expect([command, media.appendingPathComponent("jsonize__broken-wav.wav").path], status: 65, mentions: "broken-wav.wav")
        try expect([command, media.appendingPathComponent("DERIVED_iphone_rotated_first80000bytes_moov_missing.mov").path],
                   status: 65, mentions: "moov_missing.mov", "incomplete")
        try expect([command, try file("playlist.mp4", "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\n/etc/hostname\n")],
                   status: 65, mentions: "playlist.mp4", "refused")
        let srt = try file("s.srt", "1\n00:00:00,000 --> 00:00:01,000\nhello\n")
        let mkv = dir.appendingPathComponent("subtitles.mkv").path
        try CLI.ffmpeg(["-i", srt, "-c:s", "copy", mkv])
        try expect([command, mkv], status: 65, mentions: "subtitles.mkv", "neither video nor audio")
    }

    /// Junk FFmpeg opens but finds no streams in: a cut-off FLV (110 bytes of a real one) and random bytes named like
    /// recordings. Exit 65 with one line, never a crash (the format context was closed twice, issue 16).
    @Test(arguments: ["probe", "analyze"])
    func junkThatOpensIs65NotACrash(command: String) throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let whole = dir.appendingPathComponent("whole.flv").path
        try CLI.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=160x120:rate=15:duration=2", "-f", "lavfi", "-i", "sine=duration=2",
                        "-c:v", "flv1", "-c:a", "mp3", "-shortest", whole])
        let cut = dir.appendingPathComponent("cut.flv")
        try Data(contentsOf: URL(fileURLWithPath: whole)).prefix(110).write(to: cut)
        try expect([command, cut.path], status: 65, mentions: "cut.flv")
        // Seeded random bytes: the same files every run; several are opened by a demuxer and then fail.
        var state: UInt64 = 224
        func next() -> UInt8 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
        for i in 0..<12 {
            let name = "random-\(i).\(["flv", "mp4", "mp3"][i % 3])"
            let file = dir.appendingPathComponent(name)
            try Data((0..<224).map { _ in next() }).write(to: file)
            try expect([command, file.path], status: 65, mentions: name)
        }
    }

    /// Root reads every file, so the unreadable case runs the tool as an unprivileged user when the tests run as root.
    @Test func unreadableFileIs66() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path)
        let path = dir.appendingPathComponent("private.mov").path
        try FileManager.default.copyItem(atPath: CLI.repoRoot.appendingPathComponent("Fixtures/media/jsonize__iphone_rotated_iPhone4S.mov").path, toPath: path)
        try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: path)
        let out: CLI.Outcome
        if getuid() == 0 {
            // The binary lives under the build folder, which an unprivileged user may not reach: copy it out.
            let tool = dir.appendingPathComponent("bellwork").path
            try FileManager.default.copyItem(atPath: CLI.binary, toPath: tool)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: tool)
            out = try CLI.run(["--reuid=65534", "--regid=65534", "--clear-groups", tool, "probe", path], executable: "/usr/bin/setpriv")
        } else {
            out = try CLI.run(["probe", path])
        }
        #expect(out.status == 66, "\(out.stderr)")
        #expect(out.stderrLines.count == 1)
        #expect(out.stderr.contains("private.mov") && out.stderr.contains("ermission denied"))
    }
}
