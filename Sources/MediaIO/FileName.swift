import Foundation

/// File names as the system has them: bytes, not necessarily UTF-8 (`Le\xe7on 1.mp4`, written by an older
/// Windows or a Latin-1 tool). A Swift `String` holds only valid Unicode, so a name read from the command
/// line or a folder keeps each byte that is not part of valid UTF-8 as one character of its own,
/// U+10FF80 + (byte − 0x80) in a private-use plane, and gives the byte back when the file is opened. Every
/// path that reaches `open`, `stat` or FFmpeg goes through `withCString`; every name shown goes through
/// `display`, which shows such a byte as `\xE7` and a control character as `\n`, `\t` or `\x1B`.
public enum FileName {
    private static let escapeBase: UInt32 = 0x10FF00

    /// The name of these bytes, lossless: valid UTF-8 as its characters, every other byte escaped.
    public static func decode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        let bytes = Array(bytes)
        var scalars = String.UnicodeScalarView()
        var i = 0
        while i < bytes.count {
            let n = validSequenceLength(bytes, at: i)
            if n > 0 {
                scalars.append(contentsOf: String(decoding: bytes[i..<(i + n)], as: UTF8.self).unicodeScalars)
                i += n
            } else {
                scalars.append(Unicode.Scalar(escapeBase + UInt32(bytes[i]))!)
                i += 1
            }
        }
        return String(scalars)
    }

    /// The name of a C string (a command-line argument, a folder entry).
    public static func decode(cString: UnsafePointer<CChar>) -> String {
        var length = 0
        while cString[length] != 0 { length += 1 }
        return cString.withMemoryRebound(to: UInt8.self, capacity: length) {
            decode(UnsafeBufferPointer(start: $0, count: length))
        }
    }

    /// The bytes the system knows `name` by.
    public static func bytes(_ name: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(name.utf8.count)
        for scalar in name.unicodeScalars {
            if scalar.value >= escapeBase + 0x80 && scalar.value <= escapeBase + 0xFF {
                out.append(UInt8(scalar.value - escapeBase))
            } else {
                out.append(contentsOf: String(scalar).utf8)
            }
        }
        return out
    }

    /// Calls `body` with `path` as the system's C string.
    public static func withCString<R>(_ path: String, _ body: (UnsafePointer<CChar>) throws -> R) rethrows -> R {
        var raw = bytes(path).map { CChar(bitPattern: $0) }
        raw.append(0)
        return try raw.withUnsafeBufferPointer { try body($0.baseAddress!) }
    }

    /// The longest start of `name` that takes at most `limit` bytes on disk, cut between characters.
    public static func prefix(_ name: String, bytes limit: Int) -> String {
        var out = String.UnicodeScalarView()
        var used = 0
        for scalar in name.unicodeScalars {
            let size = bytes(String(scalar)).count
            if used + size > limit { break }
            used += size
            out.append(scalar)
        }
        return String(out)
    }

    /// The whole content of the file at `path`; nil when it cannot be opened or read, or holds more than `limit`
    /// bytes (errno EFBIG). A file the tool reads whole (a list of lessons, a result, a coder's labels) is never this large: one that
    /// is (or a device that never ends, `/dev/zero`) is refused with EFBIG rather than read into memory.
    public static let contentsLimit = 256 << 20

    public static func contents(of path: String, limit: Int = contentsLimit) -> Data? {
        let fd = withCString(path) { open($0, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return contents(descriptor: fd, limit: limit)
    }

    /// What is left to read from the open descriptor `fd` (standard input: `--list -`), under the same limit.
    public static func contents(descriptor fd: Int32, limit: Int = contentsLimit) -> Data? {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n < 0 { return nil }
            if n == 0 { return data }
            guard data.count + n <= limit else {
                errno = EFBIG
                return nil
            }
            data.append(contentsOf: buffer[0..<n])
        }
    }

    /// Whether `name` holds a byte that is not UTF-8.
    public static func hasRawBytes(_ name: String) -> Bool {
        name.unicodeScalars.contains { $0.value >= escapeBase + 0x80 && $0.value <= escapeBase + 0xFF }
    }

    /// `name` for a person and for one line of text: raw bytes as `\xE7`, control characters (C0, DEL, C1)
    /// as `\n`, `\r`, `\t` or `\x1B`, and the characters that reorder text on a terminal (bidirectional
    /// overrides) as `\u{202E}`. Everything else, letters of every script included, is kept.
    public static func display(_ name: String) -> String {
        var out = ""
        for scalar in name.unicodeScalars {
            let v = scalar.value
            switch v {
            case escapeBase + 0x80...escapeBase + 0xFF: out += "\\x" + hex(v - escapeBase)
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x00...0x1F, 0x7F...0x9F: out += "\\x" + hex(v)
            case 0x200E, 0x200F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069:
                out += "\\u{" + String(v, radix: 16, uppercase: true) + "}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func hex(_ v: UInt32) -> String {
        let digits = String(v, radix: 16, uppercase: true)
        return digits.count < 2 ? "0" + digits : digits
    }

    /// The length of the valid UTF-8 sequence at `i`, or 0 when the byte there does not start one.
    private static func validSequenceLength(_ b: [UInt8], at i: Int) -> Int {
        let lead = b[i]
        func continuation(_ k: Int, _ range: ClosedRange<UInt8> = 0x80...0xBF) -> Bool {
            i + k < b.count && range.contains(b[i + k])
        }
        switch lead {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: return continuation(1) ? 2 : 0
        case 0xE0: return continuation(1, 0xA0...0xBF) && continuation(2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF: return continuation(1) && continuation(2) ? 3 : 0
        case 0xED: return continuation(1, 0x80...0x9F) && continuation(2) ? 3 : 0
        case 0xF0: return continuation(1, 0x90...0xBF) && continuation(2) && continuation(3) ? 4 : 0
        case 0xF1...0xF3: return continuation(1) && continuation(2) && continuation(3) ? 4 : 0
        case 0xF4: return continuation(1, 0x80...0x8F) && continuation(2) && continuation(3) ? 4 : 0
        default: return 0
        }
    }
}
