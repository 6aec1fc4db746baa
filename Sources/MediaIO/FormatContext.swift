internal import CFFmpeg
import Foundation

/// The container formats a lesson may come in. FFmpeg names its demuxers by these; anything else
/// (HLS and other playlists, concat scripts, image sequences, raw elementary streams, text) is refused,
/// so an upload cannot make FFmpeg read other files or addresses.
public let allowedContainerFormats = ["mov", "matroska", "avi", "mpegts", "flv", "ogg", "wav", "mp3", "aac", "flac", "aiff"]

/// Owns an opened `AVFormatContext`; closes it in `deinit`.
final class FormatContext {
    let pointer: UnsafeMutablePointer<AVFormatContext>
    let path: String

    /// Opens a local file for reading. Only the `file` protocol and the recording containers above are allowed.
    /// Without `findStreamInfo`, the streams are only what the header says (no decoding to probe them).
    init(path: String, findStreamInfo: Bool = true) throws(MediaError) {
        self.path = path
        try Self.checkLocalFile(path)
        FFmpegLog.install()
        FFmpegLog.clearLastLine()

        var options: OpaquePointer? = nil
        av_dict_set(&options, "protocol_whitelist", "file", 0)
        av_dict_set(&options, "format_whitelist", allowedContainerFormats.joined(separator: ","), 0)
        // Never follow references to other files from inside a container.
        av_dict_set(&options, "enable_drefs", "0", 0)
        defer { av_dict_free(&options) }

        var context: UnsafeMutablePointer<AVFormatContext>? = nil
        // "file:" keeps a path with a colon in its name from being read as another protocol.
        let status = FileName.withCString("file:" + path) { url in avformat_open_input(&context, url, nil, &options) }
        guard status >= 0, let context else {
            throw Self.openError(path: path, code: status)
        }

        // The context is this initialiser's until `pointer` holds it, and the object's (closed by `deinit`)
        // after: so it is stored only once nothing can fail. A throw after every stored property is set runs
        // `deinit` too, which closed a context the failure path had already closed (a crash on junk files).
        let found = findStreamInfo ? avformat_find_stream_info(context, nil) : 0
        if found < 0 {
            let error = MediaError.ffmpeg(.notMedia, path: path, reason: "not a readable recording",
                                          code: found, call: "avformat_find_stream_info")
            var p: UnsafeMutablePointer<AVFormatContext>? = context
            avformat_close_input(&p)
            throw error
        }
        pointer = context
    }

    deinit {
        var p: UnsafeMutablePointer<AVFormatContext>? = pointer
        avformat_close_input(&p)
    }

    /// Missing, unreadable, directory and other non-regular paths stop here, before FFmpeg sees them
    /// (a FIFO would block the open forever).
    private static func checkLocalFile(_ path: String) throws(MediaError) {
        var info = stat()
        guard FileName.withCString(path, { stat($0, &info) }) == 0 else {
            let reason = errno == ENOENT ? "no such file" : "cannot open: " + String(cString: strerror(errno))
            throw MediaError(kind: .cannotOpen, path: path, reason: reason)
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw MediaError(kind: .cannotOpen, path: path, reason: "is a directory, not a recording")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw MediaError(kind: .cannotOpen, path: path, reason: "not a regular file")
        }
        guard FileName.withCString(path, { access($0, R_OK) }) == 0 else {
            throw MediaError(kind: .cannotOpen, path: path, reason: "cannot open: " + String(cString: strerror(errno)))
        }
        if info.st_size == 0 {
            throw MediaError(kind: .notMedia, path: path, reason: "the file is empty (0 bytes)")
        }
    }

    private static func openError(path: String, code: Int32) -> MediaError {
        let log = ffmpegLastLogLine(thisThread: true) ?? ""
        if log.contains("not on whitelist") || log.contains("Format not on whitelist") {
            return .ffmpeg(.refused, path: path,
                           reason: "refused: not a recording container (playlists, scripts and image sequences are never opened)",
                           code: code, call: "avformat_open_input")
        }
        if log.contains("moov atom not found") && startsWithMP4Box(path) {
            return .ffmpeg(.incomplete, path: path,
                           reason: "the recording is incomplete: its index (moov atom) was never written, as when a recording is interrupted",
                           code: code, call: "avformat_open_input")
        }
        if code == AVCode.noMemory {
            return .ffmpeg(.unreadable, path: path, reason: "ran out of memory opening it (a memory limit, or a file that asks for far too much)",
                           code: code, call: "avformat_open_input")
        }
        if code == AVCode.io || code == bw_averror(EACCES) || code == bw_averror(ENOENT) {
            return .ffmpeg(.cannotOpen, path: path, reason: "cannot open", code: code, call: "avformat_open_input")
        }
        return .ffmpeg(.notMedia, path: path, reason: "not a recording FFmpeg can read",
                       code: code, call: "avformat_open_input")
    }

    /// Whether the file begins like an MP4/QuickTime file (a box of a known type), so that a missing
    /// index means an interrupted recording rather than some other file given an .mp4 name.
    private static func startsWithMP4Box(_ path: String) -> Bool {
        let fd = FileName.withCString(path) { open($0, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var head = [UInt8](repeating: 0, count: 8)
        guard read(fd, &head, 8) == 8 else { return false }
        let type = String(decoding: head[4..<8], as: UTF8.self)
        return ["ftyp", "mdat", "wide", "free", "skip", "moov", "pnot", "uuid"].contains(type)
    }

    var streamCount: Int { Int(pointer.pointee.nb_streams) }

    func stream(_ index: Int) -> UnsafeMutablePointer<AVStream> {
        pointer.pointee.streams[index]!
    }

    /// FFmpeg's best stream of a kind, or nil. Cover pictures never count as video.
    func bestStream(_ type: AVMediaType, related: Int32 = -1) -> Int? {
        let index = av_find_best_stream(pointer, type, -1, related, nil, 0)
        guard index >= 0 else { return nil }
        if type == AVMEDIA_TYPE_VIDEO, (stream(Int(index)).pointee.disposition & AV_DISPOSITION_ATTACHED_PIC) != 0 {
            return nil
        }
        return Int(index)
    }
}
