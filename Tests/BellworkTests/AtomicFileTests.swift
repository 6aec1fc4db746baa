import Bellwork
import Foundation
import Testing

/// `AtomicFile` on real files: new and replaced files, and targets that must not be replaced by a rename
/// (a named pipe stands for `/dev/null` and `/dev/stdout`: `--output /dev/null` once replaced the device
/// with a plain file when run as root), and symbolic links.
struct AtomicFileTests {
    @Test func writesANewFileAndReplacesAnOldOne() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("result.json").path
        try AtomicFile.write(Data("first".utf8), to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "first")
        try AtomicFile.write(Data("second, longer".utf8), to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "second, longer")
        // No temporary file is left beside it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["result.json"])
    }

    @Test func aNamedPipeIsWrittenInPlaceAndStaysAPipe() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("pipe").path
        #expect(mkfifo(path, 0o600) == 0)
        // A reader on another thread (opening a pipe for writing waits for one).
        final class Received: @unchecked Sendable { var data: Data? }
        let received = Received()
        let done = DispatchSemaphore(value: 0)
        let reader = Thread {
            let fd = open(path, O_RDONLY)
            var data = Data(), buffer = [UInt8](repeating: 0, count: 256)
            while fd >= 0 {
                let n = read(fd, &buffer, buffer.count)
                if n <= 0 { break }
                data.append(contentsOf: buffer[0..<n])
            }
            if fd >= 0 { close(fd) }
            received.data = data
            done.signal()
        }
        reader.start()
        try AtomicFile.write(Data("through the pipe".utf8), to: path)
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(received.data == Data("through the pipe".utf8))
        var info = stat()
        #expect(lstat(path, &info) == 0)
        #expect(info.st_mode & S_IFMT == S_IFIFO)
    }

    @Test func aSymbolicLinkStaysALinkAndItsFileIsReplaced() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("real.csv").path
        let link = dir.appendingPathComponent("latest.csv").path
        try AtomicFile.write(Data("old".utf8), to: file)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: file)
        try AtomicFile.write(Data("new".utf8), to: link)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == file)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "new")
    }

    /// Not following links (a batch's work files): the link is replaced by the file, what it led to is untouched,
    /// and `analyze --no-follow-output` (what the batch's children are given) does the same.
    @Test func aSymbolicLinkIsReplacedWhenLinksAreNotFollowed() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let outside = dir.appendingPathComponent("outside.txt").path
        try AtomicFile.write(Data("precious".utf8), to: outside)
        let link = dir.appendingPathComponent("work.json").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: outside)
        try AtomicFile.write(Data("result".utf8), to: link, followLinks: false)
        var info = stat()
        #expect(lstat(link, &info) == 0 && info.st_mode & S_IFMT == S_IFREG)
        #expect(try String(contentsOfFile: link, encoding: .utf8) == "result")
        #expect(try String(contentsOfFile: outside, encoding: .utf8) == "precious")

        let child = dir.appendingPathComponent("child.json").path
        try FileManager.default.createSymbolicLink(atPath: child, withDestinationPath: outside)
        let lesson = CLI.repoRoot.appendingPathComponent("Fixtures/media/audio-mono-8-bit-44100Hz.wav").path
        let run = try CLI.run(["analyze", lesson, "--format", "json", "--output", child, "--no-follow-output", "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(lstat(child, &info) == 0 && info.st_mode & S_IFMT == S_IFREG)
        #expect(try String(contentsOfFile: outside, encoding: .utf8) == "precious")
    }
}
