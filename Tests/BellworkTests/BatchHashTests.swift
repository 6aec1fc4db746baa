import Bellwork
import BellworkBatch
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
