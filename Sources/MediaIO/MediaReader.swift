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
        var report = try run(into: &sink, options: options, progress: progress, stretch: nil as VideoStretch<NoPart>?,
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
        var report = try run(into: &sink, options: options, progress: progress, stretch: stretch, boundary: boundary)
        sink.merge(videoPart: stretch.part, from: boundary)
        report.add(videoPart: stretch.report)
        if let failure = stretch.failure {
            report.warnings.appendOnce("the video from \(Int(stretch.keyTime)) s on could not all be decoded: \(failure.reason)")
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
        guard parts >= 2, options.decodeVideo, options.videoSamplesPerSecond != nil,
              let videoIndex = info.videoStreamIndex, let duration = info.durationSeconds, duration >= 60,
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

    /// The checks on a whole pass: something decoded, the length the header promised.
    private func finalize(_ report: inout DecodeReport) throws(MediaError) {
        let path = info.path
        if report.videoFramesEmitted == 0 && report.audioSamplesEmitted == 0 {
            throw MediaError(kind: .unreadable, path: path, reason: "no picture or sound could be decoded",
                             ffmpegLog: ffmpegLastLogLine())
        }
        if let stated = info.durationSeconds, stated - report.decodedSeconds > max(2.0, 0.05 * stated) {
            report.truncated = true
            report.warnings.append(String(format: "the file ends at %.1f s though its header says %.1f s: it was probably cut off",
                                          report.decodedSeconds, stated))
        }
        if report.corruptPackets > 0 {
            report.warnings.append("\(report.corruptPackets) corrupt packet(s) were skipped")
        }
    }

    /// One demux pass: the sound, and the video before `boundary` (all of it without a `stretch`, which
    /// decodes the rest on its own thread and is finished before this returns).
    private func run<Sink: MediaSink, Part>(into sink: inout Sink, options: DecodeOptions, progress: ((Double) -> Void)?,
                                             stretch: VideoStretch<Part>?, boundary: Double) throws(MediaError) -> DecodeReport {
        defer { stretch?.cancel(); stretch?.finish() }
        var report = DecodeReport()
        let path = info.path
        let videoIndex = options.decodeVideo ? info.videoStreamIndex : nil
        let audioIndex = options.decodeAudio ? info.audioStreamIndex : nil

        // B-frames first when allowed; the fallback when I- and P-frames alone are too sparse.
        let fallbackSkip: FrameSkip = options.skipNonReferenceFrames ? .nonReference : .none
        var skip: FrameSkip = options.skipBidirectionalFrames && options.videoSamplesPerSecond != nil ? .bidirectional : fallbackSkip
        let video = try videoIndex.map { i throws(MediaError) in
            try CodecContext(stream: format.stream(i), path: path,
                             threads: stretch != nil || (skip == .bidirectional && options.threads == 0) ? 1 : options.threads,
                             skip: skip, skipLoopFilter: options.skipLoopFilter)
        }
        // Without B-frames, the pictures decoded in the first seconds show whether enough are left to sample
        // `videoSamplesPerSecond` from: if not, the decoder keeps B-frames again from the next key frame.
        let densityCheckSeconds = 4.0
        var densityChecked = skip != .bidirectional
        var switchAtNextKeyFrame = false
        var firstVideoTime: Double? = nil
        var framesSinceFirst = 0
        let audio = try audioIndex.map { i throws(MediaError) in
            try CodecContext(stream: format.stream(i), path: path, threads: options.threads)
        }
        // Streams not analysed are not even demuxed into packets.
        for i in 0..<format.streamCount where i != videoIndex && i != audioIndex {
            format.stream(i).pointee.discard = AVDISCARD_ALL
        }

        var origin: Double? = nil
        let starts = [videoIndex, audioIndex].compactMap { $0 }.compactMap { info.streams[$0].startSeconds }
        if let first = starts.min() { origin = first }

        let scaler = LumaScaler(targetWidth: options.analysisWidth, fast: options.fastScaler)
        let resampler = AudioResampler(outputRate: options.audioSampleRate)
        let packet = Packet()
        let frame = Frame()
        let outRate = Double(options.audioSampleRate)

        let nominalRate = info.video?.realFrameRate ?? info.video?.averageFrameRate ?? 30
        var sampler = PictureSampler(rate: options.videoSamplesPerSecond, nominalFrameRate: nominalRate)
        var lastVideoTime = -Double.infinity
        var mainVideoDone = false   // with a stretch: this pass has reached `boundary`
        if densityChecked { stretch?.start(skip: skip) }
        var audioClockStart: Double? = nil  // presentation time of the first emitted audio sample
        var audioSamplesOut = 0               // samples emitted since audioClockStart (including padding)
        var nextProgress = 1.0
        let clock = Stopwatch()

        /// Media seconds done: with a stretch, the lesser share of the two halves' video, as lesson time.
        func decodedSoFar() -> Double {
            guard let stretch, let duration = info.durationSeconds else { return report.decodedSeconds }
            let first = mainVideoDone ? 1 : min(1, max(0, lastVideoTime) / boundary)
            let second = min(1, max(0, stretch.progress - stretch.keyTime) / max(1, duration - stretch.keyTime))
            return min(report.decodedSeconds, duration * min(first, second))
        }

        func mediaTime(_ ts: Int64, _ base: AVRational) -> Double? {
            guard let t = MediaProbe.seconds(ts, base) else { return nil }
            if origin == nil { origin = t }
            return t - origin!
        }

        func emitAudio(_ count: Int, sink: inout Sink) {
            guard count > 0, let start = audioClockStart else { return }
            var offset = 0
            var n = count
            // Samples before the presentation's start (priming, pre-roll) are dropped.
            let t0 = start + Double(audioSamplesOut) / outRate
            if t0 < 0 {
                offset = min(count, Int((-t0 * outRate).rounded()))
                n -= offset
                audioSamplesOut += offset
            }
            guard n > 0 else { return }
            let chunk = AudioChunk(time: start + Double(audioSamplesOut) / outRate, sampleRate: options.audioSampleRate,
                                   count: n, base: UnsafePointer(resampler.buffer + offset))
            let s = clock.now()
            sink.consume(audio: chunk)
            report.sinkSeconds += clock.now() - s
            audioSamplesOut += n
            report.audioSamplesEmitted += n
            report.decodedSeconds = max(report.decodedSeconds, start + Double(audioSamplesOut) / outRate)
        }

        func handleAudioFrame(sink: inout Sink) {
            let f = frame.pointer.pointee
            guard let codec = audio, let t = mediaTime(f.best_effort_timestamp, codec.timeBase) ?? audioClockStart.map({ $0 + Double(audioSamplesOut) / outRate }) else { return }
            if audioClockStart == nil {
                audioClockStart = t
            } else if let start = audioClockStart {
                // A gap in the audio (a dropped stretch) becomes silence, so later samples keep their times.
                let expected = start + Double(audioSamplesOut) / outRate
                var gap = Int(((t - expected) * outRate).rounded())
                if gap > Int(outRate / 4) {
                    report.warnings.appendOnce("the audio has gaps; they are treated as silence")
                    while gap > 0 {
                        let n = min(gap, 4096)
                        silence.withUnsafeBufferPointer { zeros in
                            let chunk = AudioChunk(time: start + Double(audioSamplesOut) / outRate, sampleRate: options.audioSampleRate,
                                                   count: n, base: zeros.baseAddress!)
                            sink.consume(audio: chunk)
                        }
                        audioSamplesOut += n
                        report.audioSamplesEmitted += n
                        gap -= n
                    }
                }
            }
            let s = clock.now()
            let produced = resampler.convert(frame.pointer)
            report.resampleSeconds += clock.now() - s
            emitAudio(produced, sink: &sink)
        }

        func handleVideoFrame(sink: inout Sink) {
            guard let codec = video else { return }
            report.videoFramesDecoded += 1
            let f = frame.pointer.pointee
            guard let t = mediaTime(f.best_effort_timestamp, codec.timeBase) else { return }
            report.decodedSeconds = max(report.decodedSeconds, t)
            if !densityChecked {
                if let first = firstVideoTime {
                    framesSinceFirst += 1
                    if t - first >= densityCheckSeconds {
                        densityChecked = true
                        let rate = Double(framesSinceFirst) / (t - first)
                        if rate < options.minimumPictureRateFactor * (options.videoSamplesPerSecond ?? 0) {
                            switchAtNextKeyFrame = true
                        }
                        stretch?.start(skip: switchAtNextKeyFrame ? fallbackSkip : skip)
                    }
                } else {
                    firstVideoTime = t
                }
            }
            if t >= boundary { mainVideoDone = true; return }
            guard t >= -0.0005, t > lastVideoTime, sampler.take(t) else { return }
            lastVideoTime = t
            scaler.emit(frame, at: t, into: &sink, report: &report, clock: clock)
        }

        func send(_ codec: CodecContext, _ pkt: UnsafeMutablePointer<AVPacket>?, isVideo: Bool, sink: inout Sink) throws(MediaError) {
            let spent = try codec.decode(pkt, into: frame, path: path, clock: clock,
                                         onCorrupt: { report.corruptPackets += 1 },
                                         onFrame: { if isVideo { handleVideoFrame(sink: &sink) } else { handleAudioFrame(sink: &sink) } })
            if isVideo { report.videoDecodeSeconds += spent } else { report.audioDecodeSeconds += spent }
        }

        var reader = PacketReader(format)
        readLoop: while true {
            switch reader.next(into: packet, report: &report, clock: clock) {
            case .packet: break
            case .end: break readLoop
            case .unreadable(let status):
                if report.videoFramesDecoded == 0 && report.audioSamplesEmitted == 0 {
                    throw MediaError.ffmpeg(.unreadable, path: path, reason: "the file cannot be read",
                                            code: status, call: "av_read_frame")
                }
                report.warnings.appendOnce("reading stopped early: the rest of the file is unreadable")
                break readLoop
            }
            let index = Int(packet.pointer.pointee.stream_index)
            if let video, index == videoIndex, !mainVideoDone {
                if switchAtNextKeyFrame && packet.pointer.pointee.flags & AV_PKT_FLAG_KEY != 0 {
                    switchAtNextKeyFrame = false
                    skip = fallbackSkip
                    video.pointer.pointee.skip_frame = skip.discard
                }
                try send(video, packet.pointer, isVideo: true, sink: &sink)
            } else if let audio, index == audioIndex {
                try send(audio, packet.pointer, isVideo: false, sink: &sink)
            }
            av_packet_unref(packet.pointer)
            if let progress {
                let done = decodedSoFar()
                if done >= nextProgress {
                    progress(done)
                    nextProgress = done.rounded(.down) + 1
                }
            }
        }
        // Flush: the decoders' delayed frames, then what the resampler holds.
        if let video, !mainVideoDone { try send(video, nil, isVideo: true, sink: &sink) }
        if let audio {
            try send(audio, nil, isVideo: false, sink: &sink)
            emitAudio(resampler.convert(nil), sink: &sink)
        }
        report.originSeconds = origin ?? 0
        report.frameSkipping = video == nil ? FrameSkip.none.rawValue : skip.rawValue
        if let stretch {
            stretch.start(skip: skip)  // when the video was too short to check (the stretch then has little to do)
            stretch.finish { progress?(decodedSoFar()) }
            progress?(max(report.decodedSeconds, stretch.progress))
        } else {
            progress?(report.decodedSeconds)
        }
        return report
    }
}

/// 4096 zero samples, for gaps in the audio.
private let silence = [Float](repeating: 0, count: 4096)

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
