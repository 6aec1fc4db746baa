import Bellwork
import BellworkBatch
import Foundation
import MediaIO
import Testing

/// Names as uploads have them (issue 16): not UTF-8, with newlines and control characters, 240 bytes long,
/// beside a folder of their result's name, without an extension.
@Suite(.serialized)
struct FileNameTests {
    static let injected = "evil\n00:00.000 --> 00:05.000\nINJECTED\u{1}\u{1B}[31m.mp4"

    @Test func namesKeepTheirBytesAndAreShownEscaped() {
        let raw: [UInt8] = Array("Le".utf8) + [0xE7] + Array("on 1.mp4".utf8)
        let name = FileName.decode(raw)
        #expect(FileName.bytes(name) == raw)
        #expect(FileName.display(name) == "Le\\xE7on 1.mp4")
        #expect(FileName.bytes("Leçon 1.mp4") == Array("Leçon 1.mp4".utf8))
        #expect(FileName.decode(Array("Leçon 1.mp4".utf8)) == "Leçon 1.mp4")
        #expect(FileName.display(Self.injected) == "evil\\n00:00.000 --> 00:05.000\\nINJECTED\\x01\\x1B[31m.mp4")
        let overlong: [UInt8] = [0xC0, 0xAF, 0xED, 0xA0, 0x80, 0xF4, 0x90, 0x80, 0x80]
        #expect(FileName.bytes(FileName.decode(overlong)) == overlong)
    }

    /// `sh -c` runs bellwork, so a name that is not UTF-8 reaches it as bytes (`printf '\347'`).
    static func shell(_ script: String) throws -> CLI.Outcome {
        try CLI.run(["-c", script, CLI.binary], executable: "/bin/sh")
    }

    @Test func analyzeOpensANameThatIsNotUTF8() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try BatchCLITests.lesson(dir.appendingPathComponent("lesson.mp4").path, seconds: 4)
        let made = try Self.shell("cd '\(dir.path)' && cp lesson.mp4 \"$(printf 'Le\\347on 1.mp4')\"")
        #expect(made.status == 0)
        let table = try Self.shell("cd '\(dir.path)' && exec \"$0\" analyze \"$(printf 'Le\\347on 1.mp4')\"")
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("Le\\xE7on 1.mp4"), "\(table.stdout)")
        let json = try Self.shell("cd '\(dir.path)' && exec \"$0\" analyze \"$(printf 'Le\\347on 1.mp4')\" --format json")
        #expect(json.status == 0, "\(json.stderr)")
        let missing = try Self.shell("cd '\(dir.path)' && exec \"$0\" analyze \"$(printf 'Gar\\347on.mp4')\"")
        #expect(missing.status == 66 && missing.stderr.contains("Gar\\xE7on.mp4") && missing.stderrLines.count == 1, "\(missing.stderr)")
    }

    @Test func namesAreEscapedInVTTAndEAF() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let lesson = dir.appendingPathComponent(Self.injected).path
        try BatchCLITests.lesson(dir.appendingPathComponent("lesson.mp4").path, seconds: 4)
        try FileManager.default.copyItem(atPath: dir.appendingPathComponent("lesson.mp4").path, toPath: lesson)
        let vtt = dir.appendingPathComponent("out.vtt").path, eaf = dir.appendingPathComponent("out.eaf").path
        #expect(try CLI.run(["analyze", lesson, "--format", "vtt", "-o", vtt]).status == 0)
        #expect(try CLI.run(["analyze", lesson, "--format", "eaf", "-o", eaf]).status == 0)
        let json = try CLI.run(["analyze", lesson, "--format", "json"])
        let doc = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        let segments = (doc["segments"] as! [[String: Any]]).filter { ($0["end"] as! Double) > ($0["start"] as! Double) }
        let cues = try CLI.python("import sys, webvtt\nfor c in webvtt.read(sys.argv[1]): print(c.start + '|' + c.text)", [vtt])
        #expect(cues.status == 0, "\(cues.stderr)")
        #expect(cues.stdout.split(separator: "\n").count == segments.count, "\(cues.stdout)")
        #expect(!cues.stdout.contains("INJECTED"))
        let elan = try CLI.python("import sys, pympi\ne = pympi.Elan.Eaf(sys.argv[1])\nprint(len(e.get_annotation_data_for_tier('segments')))", [eaf])
        #expect(elan.status == 0, "\(elan.stderr)")
        #expect(elan.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == String(segments.count))
    }

    @Test func batchTakesEveryName() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let inputs = dir.appendingPathComponent("in").path, out = dir.appendingPathComponent("out")
        let source = dir.appendingPathComponent("lesson.mp4").path
        try BatchCLITests.lesson(source, seconds: 4)
        let long = String(repeating: "a", count: 240) + ".mp4"
        for name in [Self.injected, long, "y.mp4", "y.mp4.json/z.mp4", "noext"] {
            try BatchCLITests.copy(source, inputs + "/" + name)
        }
        try BatchCLITests.write("a note, not media", inputs + "/README")
        let made = try Self.shell("cp '\(source)' \"$(printf '\(inputs)/Le\\347on 1.mp4')\" && touch -d '1 hour ago' '\(inputs)'/Le*")
        #expect(made.status == 0)

        let run = try BatchCLITests.bellwork(["batch", inputs, "--out", out.path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("6 lessons analysed") && run.stdout.contains("1 other files ignored"), "\(run.stdout)")
        #expect(!run.stderr.contains("\u{1B}") && !run.stderr.contains("\u{1}"))
        #expect(run.stderrLines.allSatisfy { $0.hasPrefix("bellwork: ") }, "\(run.stderr)")
        #expect(run.stderr.contains("Le\\xE7on 1.mp4"))
        let rows = try BatchCLITests.rows(out)
        #expect(rows.values.filter { $0.status == .done }.count == 6)
        for row in rows.values where row.status == .done {
            let file = try #require(row.resultFile)
            #expect(FileName.contents(of: out.path + "/" + file) != nil, "\(file)")
        }
        #expect(Set(rows.values.compactMap(\.resultFile)).count == 6)

        let summary = try BatchCLITests.bellwork(["summary", out.path])
        #expect(summary.status == 0)
        #expect(!summary.stdout.contains("\u{1B}") && !summary.stdout.split(separator: "\n").contains { $0.hasPrefix("00:00.000") })
        #expect(summary.stdout.contains("Le\\xE7on 1.mp4"))
        let csv = try BatchCLITests.csvRows(out)
        #expect(csv.count == 6, "\(csv)")
    }
}

extension FileNameTests {
    /// `--list` naming a folder (`y.mp4.json/`) is one plain line, not a Foundation error; a listed name that
    /// is not UTF-8 is analysed.
    @Test func listFileIsReadAsBytes() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("y.mp4.json"), withIntermediateDirectories: true)
        let folderList = try BatchCLITests.bellwork(["batch", "--list", dir.appendingPathComponent("y.mp4.json").path,
                                                     "--out", dir.appendingPathComponent("out1").path, "--quiet"])
        #expect(folderList.stderr.contains("y.mp4.json: cannot read the list: a folder"), "\(folderList.stderr)")
        #expect(!folderList.stderr.contains("NSCocoaErrorDomain"))

        let source = dir.appendingPathComponent("lesson.mp4").path
        try BatchCLITests.lesson(source, seconds: 3)
        let made = try Self.shell("""
            cd '\(dir.path)' && cp lesson.mp4 "$(printf 'Le\\347on.mp4')" && touch -d '1 hour ago' Le* \
            && printf '%s/Le\\347on.mp4\\n' "$PWD" > list.txt
            """)
        #expect(made.status == 0, "\(made.stderr)")
        let run = try BatchCLITests.bellwork(["batch", "--list", dir.appendingPathComponent("list.txt").path,
                                              "--out", dir.appendingPathComponent("out2").path, "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("1 lessons analysed"), "\(run.stdout)")
    }
}

extension FileNameTests {
    /// Every failure line stays one line whatever name it quotes: an output in a missing folder `x\ny/`, and
    /// `probe` shows the name escaped.
    @Test func failureLinesQuoteNamesEscaped() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let lesson = dir.appendingPathComponent("a\u{1B}[2J\nb.mp4").path
        try BatchCLITests.lesson(lesson, seconds: 2)
        let output = dir.appendingPathComponent("x\ny/out.json").path
        let unwritable = try CLI.run(["analyze", lesson, "--format", "json", "-o", output])
        #expect(unwritable.status == 74, "\(unwritable.stderr)")
        #expect(unwritable.stderrLines.count == 1 && unwritable.stderr.contains("x\\ny/out.json"), "\(unwritable.stderr)")
        let probe = try CLI.run(["probe", lesson])
        #expect(probe.status == 0 && probe.stdout.contains("a\\x1B[2J\\nb.mp4") && !probe.stdout.contains("\u{1B}"), "\(probe.stdout)")
    }
}

extension FileNameTests {
    /// `-o` takes a name of 250 bytes (its temporary file beside it is cut) and one that is not UTF-8.
    @Test func outputNamesLongAndNotUTF8() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let lesson = dir.appendingPathComponent("lesson.mp4").path
        try BatchCLITests.lesson(lesson, seconds: 2)
        let long = dir.appendingPathComponent(String(repeating: "b", count: 245) + ".json").path
        let written = try CLI.run(["analyze", lesson, "--format", "json", "-o", long])
        #expect(written.status == 0, "\(written.stderr)")
        #expect(FileManager.default.fileExists(atPath: long))
        let raw = try Self.shell("cd '\(dir.path)' && \"$0\" analyze lesson.mp4 --format json -o \"$(printf 'R\\351sultat.json')\" && ls | od -c | grep -c '351'")
        #expect(raw.status == 0 && raw.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1", "\(raw.stdout) \(raw.stderr)")
    }

    /// A file read whole (a list of lessons) that never ends is refused, not read into memory: `--list /dev/zero`
    /// took 3 GB in 20 s before the limit.
    @Test func aListThatNeverEndsIsRefused() throws {
        #expect(FileName.contents(of: "/dev/zero", limit: 1 << 20) == nil)
        #expect(errno == EFBIG)
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        for arguments in [["batch", "--list", "/dev/zero", "--out", dir.appendingPathComponent("out").path],
                          ["enqueue", "--list", "/dev/zero", "--root", dir.path, "--queue", dir.appendingPathComponent("queue").path]] {
            let run = try CLI.run(arguments)
            #expect(run.status == 3, "\(arguments[0]): \(run.status) \(run.stderr)")
            #expect(run.stderr.contains("/dev/zero: cannot read the list: File too large"), "\(arguments[0]): \(run.stderr)")
        }
    }

    /// A list on standard input (`--list -`) has the same limit: one that never ends is refused, exit 3, with the
    /// same line; one within it is read whole.
    @Test func aListOnStandardInputHasTheSameLimit() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let tooLong = "head -c \(FileName.contentsLimit + 1) /dev/zero | \"$0\" "
        for command in ["batch --list - --out '\(dir.path)/out'", "enqueue --list - --root '\(dir.path)' --queue '\(dir.path)/queue'"] {
            let run = try Self.shell(tooLong + command)
            #expect(run.status == 3, "\(command): \(run.status) \(run.stderr)")
            #expect(run.stderr.contains("cannot read the list: File too large"), "\(command): \(run.stderr)")
        }
        try BatchCLITests.write("notes", dir.appendingPathComponent("in/notes.txt").path)
        let listed = try Self.shell("echo '\(dir.path)/in/notes.txt' | \"$0\" batch --list - --out '\(dir.path)/out2' --quiet")
        #expect(listed.status == 0 && listed.stdout.contains("1 other files ignored"), "\(listed.stdout) \(listed.stderr)")
    }
}
