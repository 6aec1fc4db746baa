import BellworkOutputs
import Bellwork
import Foundation
import MediaIO

/// XXH64 (xxHash, 64 bits): a fast non-cryptographic hash with a published specification. The batch uses
/// it to notice that a lesson's content or the analysis settings changed; it is not a defence against an
/// adversary forging collisions (an uploader who could only spare their own lesson a re-analysis).
public enum BatchHash {
    private static let p1: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let p3: UInt64 = 0x1656_67B1_9E37_79F9
    private static let p4: UInt64 = 0x85EB_CA77_C2B2_AE63
    private static let p5: UInt64 = 0x27D4_EB2F_1656_67C5

    @inline(__always) private static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }

    @inline(__always) private static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
        rotl(acc &+ input &* p2, 31) &* p1
    }

    @inline(__always) private static func merge(_ acc: UInt64, _ value: UInt64) -> UInt64 {
        (acc ^ round(0, value)) &* p1 &+ p4
    }

    /// XXH64 of `bytes` with `seed`.
    public static func xxh64(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        let count = bytes.count
        var i = 0
        @inline(__always) func u64(_ at: Int) -> UInt64 { UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
        @inline(__always) func u32(_ at: Int) -> UInt64 { UInt64(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self))) }
        var h: UInt64
        if count >= 32 {
            var v1 = seed &+ p1 &+ p2, v2 = seed &+ p2, v3 = seed, v4 = seed &- p1
            while i + 32 <= count {
                v1 = round(v1, u64(i)); v2 = round(v2, u64(i + 8))
                v3 = round(v3, u64(i + 16)); v4 = round(v4, u64(i + 24))
                i += 32
            }
            h = rotl(v1, 1) &+ rotl(v2, 7) &+ rotl(v3, 12) &+ rotl(v4, 18)
            h = merge(h, v1); h = merge(h, v2); h = merge(h, v3); h = merge(h, v4)
        } else {
            h = seed &+ p5
        }
        h = h &+ UInt64(count)
        while i + 8 <= count {
            h ^= round(0, u64(i))
            h = rotl(h, 27) &* p1 &+ p4
            i += 8
        }
        if i + 4 <= count {
            h ^= u32(i) &* p1
            h = rotl(h, 23) &* p2 &+ p3
            i += 4
        }
        while i < count {
            h ^= UInt64(bytes[i]) &* p5
            h = rotl(h, 11) &* p1
            i += 1
        }
        h ^= h >> 33; h = h &* p2
        h ^= h >> 29; h = h &* p3
        h ^= h >> 32
        return h
    }

    public static func xxh64(_ data: Data, seed: UInt64 = 0) -> UInt64 {
        data.withUnsafeBytes { xxh64($0, seed: seed) }
    }

    public static func hex(_ value: UInt64) -> String {
        let s = String(value, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    /// How much of each end of a file the content hash reads.
    public static let sampleBytes = 1 << 20

    /// The content hash of a lesson file: XXH64 over its size, its first MiB and its last MiB (the whole
    /// file when it is 2 MiB or less), as `xxh64s:` and 16 hex digits.
    ///
    /// Why a sample and not every byte: the hash is computed only for a file that is new or whose size or
    /// modification time changed, but on a first run that is every upload, and reading terabytes before the
    /// first analysis starts would cost hours that decoding already spends once. A replaced recording differs
    /// in size or in its first or last MiB (the container header with its creation time and stream tables,
    /// the index at the end, and the first and last seconds of compressed media); a file merely touched or
    /// copied keeps the same hash and is not analysed again. What it misses: a same-size edit confined to the
    /// middle of a file, which uploads do not make.
    public static func contentHash(path: String) throws -> String {
        let fd = FileName.withCString(path) { open($0, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else { throw BatchFileError(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw BatchFileError(path: path, reason: String(cString: strerror(errno))) }
        let size = Int(st.st_size)
        var buffer = [UInt8]()
        buffer.reserveCapacity(8 + min(size, 2 * sampleBytes))
        withUnsafeBytes(of: UInt64(size).littleEndian) { buffer.append(contentsOf: $0) }
        func readRange(_ offset: Int, _ length: Int) throws {
            var chunk = [UInt8](repeating: 0, count: length)
            var done = 0
            while done < length {
                let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, length - done, off_t(offset + done)) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw BatchFileError(path: path, reason: String(cString: strerror(errno)))
                }
                if n == 0 { break }
                done += n
            }
            buffer.append(contentsOf: chunk[0..<done])
        }
        if size <= 2 * sampleBytes {
            try readRange(0, size)
        } else {
            try readRange(0, sampleBytes)
            try readRange(size - sampleBytes, sampleBytes)
        }
        return "xxh64s:" + hex(buffer.withUnsafeBytes { xxh64($0) })
    }
}

/// A file the batch could not read or write, with the system's reason.
public struct BatchFileError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
    public var description: String { "\(path): \(reason)" }
}
