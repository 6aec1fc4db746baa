internal import CFFmpeg
import Foundation

/// An opened recording: what it is (`info`) and one pass that decodes it into analysis streams.
///
/// Not `Sendable`: one reader belongs to one task. Parallelism is across files.
public final class MediaReader {
    public let info: MediaInfo
    private let format: FormatContext

    /// Opens a local recording (recording containers only) and probes it.
    public init(path: String) throws(MediaError) {
        format = try FormatContext(path: path)
        info = try MediaProbe.describe(format)
    }

    /// Seconds a later video stretch starts before the time from which its pictures are used, so its first
    /// analysis pictures have predecessors (see `SplittableMediaSink`).
    public static let videoPartLeadSeconds = 2.0

    /// Demuxes the file once, decoding the chosen video and audio streams side by side, and hands each
    /// analysis picture and audio chunk to `sink` as soon as it exists. Nothing full-size is kept.
    /// `progress` is called about once a second of media with the time decoded so far.
    public func decode<Sink: MediaSink>(into sink: inout Sink, options: DecodeOptions = DecodeOptions(),
                                        progress: ((Double) -> Void)? = nil) throws(MediaError) -> DecodeReport {
        try onePass(into: &sink, options: options, progress: progress)
    }

    private func onePass<Sink: MediaSink>(into sink: inout Sink, options: DecodeOptions,
                                          progress: ((Double) -> Void)?) throws(MediaError) -> DecodeReport {
        var (report, _) = try run(into: &sink, options: options, progress: progress, stretch: nil as VideoStretch<NoPart>?,
                                  boundary: .infinity)
        try finalize(&report)
        return report
    }

    /// As `decode(into:options:progress:)`; when the options allow (`DecodeOptions.videoParts`), the later
    /// half of the video is decoded on a second thread by a second demuxer, from a key frame, into a part
    /// of the sink that is merged back at the end. The pictures are those a single pass would choose.
    public func decode<Sink: SplittableMediaSink>(into sink: inout Sink, options: DecodeOptions = DecodeOptions(),
                                                  progress: ((Double) -> Void)? = nil) throws(MediaError) -> DecodeReport {
        guard let (stretch, boundary) = videoStretch(options: options, part: sink.makeVideoPart()) else {
            return try onePass(into: &sink, options: options, progress: progress)
        }
        var (report, reached) = try run(into: &sink, options: options, progress: progress, stretch: stretch, boundary: boundary)
        // The later stretch takes over where this pass's video stopped; a pass that never reached the boundary
        // (its timestamps jumped, and it went on from where it was) decoded the whole video itself.
        guard reached else {
            report.warnings.appendOnce(MediaWarning("timestamp-jump", "the recording's timestamps jump far (a damaged or spliced file): its parts were analysed as one continuous recording"))
            try finalize(&report)
            return report
        }
        sink.merge(videoPart: stretch.part, from: boundary)
        report.add(videoPart: stretch.report)
        if let failure = stretch.failure {
            report.warnings.appendOnce(MediaWarning("video-part-failed", "the video from \(Int(stretch.keyTime)) s on could not all be decoded: \(failure.reason)", at: stretch.keyTime))
        }
        report.videoParts = 2
        try finalize(&report)
        return report
    }

    /// The later stretch of the video, opened and positioned, when the options and the file allow one.
    private func videoStretch<Part: PictureSink & Sendable>(options: DecodeOptions, part: Part) -> (VideoStretch<Part>, Double)? {
        let parts = options.videoParts == 0
            ? (options.threads == 0 && options.skipBidirectionalFrames ? ProcessInfo.processInfo.activeProcessorCount : 1)
            : options.videoParts
        guard parts >= 2, options.decodeVideo, info.videoIsUsable, options.videoSamplesPerSecond != nil,
              let videoIndex = info.videoStreamIndex, let duration = info.durationSeconds, duration >= 60,
              // A header that promises more than the file's size can hold (4 kbit/s) is not split on.
              duration <= Double(info.sizeBytes) / 500 + 10,
              let width = info.video?.width, let height = info.video?.height,
              width * height <= options.videoPartsMaxPixels else { return nil }
        let chosen = [videoIndex, options.decodeAudio ? info.audioStreamIndex : nil].compactMap { $0 }
        guard let origin = chosen.compactMap({ info.streams[$0].startSeconds }).min() else { return nil }
        let nominalRate = info.video?.realFrameRate ?? info.video?.averageFrameRate ?? 30
        guard let stretch = VideoStretch(path: info.path, like: format.stream(videoIndex), videoIndex: videoIndex, origin: origin, seconds: duration / 2,
                                         options: options, nominalRate: nominalRate, part: part) else { return nil }
        // A key frame far from the middle (few key frames) leaves little to share: one pass then.
        guard stretch.keyTime >= duration / 4, stretch.keyTime + Self.videoPartLeadSeconds < duration * 0.9 else { return nil }
        return (stretch, stretch.keyTime + Self.videoPartLeadSeconds)
    }

    /// Less media than this is nothing to analyse (a single picture, a 0 fps stream): exit 65.
    public static let leastUsableSeconds = 0.1

    /// The checks on a whole pass: something decoded, the length the header promised.
    private func finalize(_ report: inout DecodeReport) throws(MediaError) {
        let path = info.path
        if report.videoFramesEmitted == 0 && report.audioSamplesEmitted == 0 {
            throw MediaError(kind: .unreadable, path: path, reason: "no picture or sound could be decoded",
                             ffmpegLog: ffmpegLastLogLine())
        }
        if report.decodedSeconds < Self.leastUsableSeconds {
            throw MediaError(kind: .unreadable, path: path, reason: String(
                format: "nothing usable was decoded (%.2f s of media)", report.decodedSeconds))
        }
        if let stated = info.durationSeconds, stated - report.decodedSeconds > max(2.0, 0.05 * stated) {
            report.truncated = true
            report.warnings.appendOnce(MediaWarning("truncated", String(format: "the file ends at %.1f s though its header says %.1f s: it was probably cut off",
                                                                      report.decodedSeconds, stated), at: report.decodedSeconds))
        }
        if report.corruptPackets > 0 {
            report.warnings.appendOnce(MediaWarning("damaged-packets", "\(report.corruptPackets) corrupt packet(s) were skipped"))
        }
    }

    /// One demux pass: the sound, and the video before `boundary` (all of it without a `stretch`).
    private func run<Sink: MediaSink, Part>(into sink: inout Sink, options: DecodeOptions, progress: ((Double) -> Void)?,
                                             stretch: VideoStretch<Part>?, boundary: Double) throws(MediaError) -> (DecodeReport, Bool) {
        let pass = try DecodePass(info: info, format: format, options: options, sink: sink, stretch: stretch,
                                  boundary: boundary, progress: progress)
        defer { sink = pass.sink }
        let report = try pass.run()
        return (report, pass.reachedBoundary)
    }
}

/// Monotonic seconds, for per-stage timings.
struct Stopwatch {
    func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}

extension Array where Element == String {
    mutating func appendOnce(_ text: String) {
        if !contains(text) { append(text) }
    }
}
