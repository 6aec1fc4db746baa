import Bellwork
import Foundation
import Testing

/// XXH64 against the reference implementation's values (python-xxhash), and the sampled content hash.
struct BatchHashTests {
    @Test func xxh64MatchesTheReference() {
        #expect(BatchHash.hex(BatchHash.xxh64(Data())) == "ef46db3751d8e999")
        #expect(BatchHash.hex(BatchHash.xxh64(Data("abc".utf8))) == "44bc2cf5ad770999")
        // 1000 bytes: the 32-byte stripes, then 8-, 4- and 1-byte tails.
        #expect(BatchHash.hex(BatchHash.xxh64(Data((0..<1000).map { UInt8($0 % 251) }))) == "f306f04aa88b54d3")
        #expect(BatchHash.hex(BatchHash.xxh64(Data("Nobody inspects the spammish repetition".utf8), seed: 7)) == "26f1aeb39b9b1f5f")
    }

    @Test func contentHashSeesSizeAndBothEnds() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("big.bin").path
        var bytes = Data((0..<(3 * BatchHash.sampleBytes)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try bytes.write(to: URL(fileURLWithPath: path))
        let original = try BatchHash.contentHash(path: path)
        #expect(original.hasPrefix("xxh64s:") && original.count == 7 + 16)
        #expect(try BatchHash.contentHash(path: path) == original)

        bytes[10] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: path))
        let headChanged = try BatchHash.contentHash(path: path)
        #expect(headChanged != original)

        bytes[10] ^= 0xFF
        bytes[bytes.count - 3] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: path))
        #expect(try BatchHash.contentHash(path: path) != original)

        bytes[bytes.count - 3] ^= 0xFF
        bytes.append(0)
        try bytes.write(to: URL(fileURLWithPath: path))
        #expect(try BatchHash.contentHash(path: path) != original)

        #expect(throws: BatchFileError.self) { try BatchHash.contentHash(path: dir.appendingPathComponent("missing").path) }
    }
}

/// What discovery keeps and what it leaves for later.
struct BatchDiscoveryTests {
    @Test func skipsHiddenPartialAndRecentFiles() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fm = FileManager.default
        try fm.createDirectory(at: dir.appendingPathComponent("smith/.cache"), withIntermediateDirectories: true)
        let old = Date(timeIntervalSinceNow: -3600)
        for name in ["smith/a.mp4", "smith/b.dat", "smith/.hidden.mp4", "smith/.cache/c.mp4", "smith/d.mp4.part",
                     "smith/e.MP4.crdownload", "smith/f.tmp", "smith/g.download", "smith/h.partial", "top.mov"] {
            let path = dir.appendingPathComponent(name).path
            #expect(fm.createFile(atPath: path, contents: Data("x".utf8)))
            try fm.setAttributes([.modificationDate: old], ofItemAtPath: path)
        }
        #expect(fm.createFile(atPath: dir.appendingPathComponent("smith/fresh.mp4").path, contents: Data("x".utf8)))

        let found = BatchDiscovery.run(inputs: [dir.path], listFile: nil, settleAge: 60)
        #expect(found.found.map(\.relativePath) == ["smith/a.mp4", "smith/b.dat", "top.mov"])
        #expect(found.stillArriving.count == 6)
        #expect(found.hiddenCount == 2)
        #expect(found.problems.isEmpty)

        // Files named directly or listed are named below their closest common folder; missing ones are problems.
        let list = dir.appendingPathComponent("list.txt").path
        try "\(dir.path)/smith/a.mp4\n# a comment\n\n\(dir.path)/top.mov\n\(dir.path)/nowhere.mp4\n".write(toFile: list, atomically: true, encoding: .utf8)
        try fm.setAttributes([.modificationDate: old], ofItemAtPath: list)
        let listed = BatchDiscovery.run(inputs: [], listFile: list, settleAge: 60)
        #expect(listed.found.map(\.relativePath) == ["smith/a.mp4", "top.mov"])
        #expect(listed.problems.map(\.relativePath) == ["nowhere.mp4"])
        #expect(listed.problems.first?.reason.contains("No such file") == true)
    }

    @Test func summaryCSVQuotesAndDisarmsFormulas() {
        var row = BatchLesson(path: "/up/=HYPERLINK(\"x\"),b.mp4", relativePath: "t/=HYPERLINK(\"x\"),b.mp4")
        row.status = .failed
        row.error = "not a recording, sorry"
        let csv = BatchSummary.csv([row])
        let line = csv.split(separator: "\n")[1]
        #expect(line.hasPrefix("\"/up/=HYPERLINK(\"\"x\"\"),b.mp4\",t,"))
        #expect(line.hasSuffix(",failed,0,,\"not a recording, sorry\""))
        #expect(BatchSummary.csv([BatchLesson(path: "=cmd", relativePath: "=cmd")]).contains("\n'=cmd,"))
    }
}
