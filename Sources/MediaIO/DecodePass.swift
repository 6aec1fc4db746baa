internal import CFFmpeg
import Foundation

/// One demux pass over a recording: the sound, and the video before `boundary` (all of it without a
/// stretch, which decodes the rest on its own thread and is finished before `run` returns). Holds the
/// decoders, the reused packet and frame, and the clocks; hands each analysis picture and audio chunk to
/// its sink as soon as it exists.
final class DecodePass<Sink: MediaSink, Part: PictureSink & Sendable> {
    private let info: MediaInfo
    private let format: FormatContext
    private let options: DecodeOptions
    private let stretch: VideoStretch<Part>?
    private let boundary: Double
    private let progress: ((Double) -> Void)?
    var sink: Sink
    private(set) var report = DecodeReport()

    private let videoIndex: Int?
    private let audioIndex: Int?
    private var policy: FrameSkipPolicy
    private var gate: KeyframeBurstGate
    private var keys = KeyMarks()
    private var leftOut = LeftOutFrames()
    private let held = HeldPackets()
    private var gaps = GapMarks()
    private var stretchStarted = false
    private let video: CodecContext?
    private let audio: CodecContext?
    private let scaler: LumaScaler
    private let resampler: AudioResampler
    private let packet = Packet()
    private let frame = Frame()
    private let clock = Stopwatch()
    private var origin: Double?
    private var lane: PictureLane
    private var audioClock: AudioClock
    private var progressClock = ProgressClock()
    private var videoTimeline = TimelineGuard(), audioTimeline = TimelineGuard()
    /// The time of the last decoded video frame, and the nominal time between frames.
    private var lastVideoTime: Double?
    private let frameInterval: Double
    /// With a stretch: this pass has reached `boundary`.
    private var mainVideoDone = false
    /// Whether this pass's video reached `boundary`, where the later stretch takes over.
    var reachedBoundary: Bool { mainVideoDone }

    init(info: MediaInfo, format: FormatContext, options: DecodeOptions, sink: Sink, stretch: VideoStretch<Part>?,
         boundary: Double, progress: ((Double) -> Void)?) throws(MediaError) {
        (self.info, self.format, self.options, self.sink, self.stretch) = (info, format, options, sink, stretch)
        (self.boundary, self.progress) = (boundary, progress)
        let path = info.path
        videoIndex = options.decodeVideo && info.videoIsUsable ? info.videoStreamIndex : nil
        audioIndex = options.decodeAudio && Self.usableAudio(info) ? info.audioStreamIndex : nil
        policy = FrameSkipPolicy(options: options)
        let skip = policy.current
        // Threads for the video decoder. With two parts each has one thread (the parts share the cores). With
        // B-frames skipped in one pass, frame threads would gain nothing on the chain of P-frames left and hold
        // a picture more each: the threads work inside each picture instead (HEVC's wavefronts, slices, tiles),
        // which costs no memory (a 4K HEVC phone file: 2.2 s on one thread, 1.4-1.7 s on two, the same peak).
        let sliceOnly = stretch == nil && skip == .bidirectional && options.threads == 0
        // Bursts only where the stream says it has no B-frames (no reordering delay); its packets are checked too.
        let noDelay = videoIndex.map { format.stream($0).pointee.codecpar.pointee.video_delay == 0 } ?? false
        video = try videoIndex.map { i throws(MediaError) in
            try CodecContext(stream: format.stream(i), path: path,
                             threads: stretch != nil ? 1 : (sliceOnly ? ProcessInfo.processInfo.activeProcessorCount : options.threads),
                             skip: skip, skipLoopFilter: options.skipLoopFilter, sliceThreadsOnly: sliceOnly)
        }
        audio = try audioIndex.map { i throws(MediaError) in
            try CodecContext(stream: format.stream(i), path: path, threads: options.threads)
        }
        // Streams not analysed are not even demuxed into packets.
        for i in 0..<format.streamCount where i != videoIndex && i != audioIndex {
            format.stream(i).pointee.discard = AVDISCARD_ALL
        }
        origin = [videoIndex, audioIndex].compactMap { $0 }.compactMap { info.streams[$0].startSeconds }.min()
        scaler = LumaScaler(targetWidth: options.analysisWidth, fast: options.fastScaler)
        resampler = AudioResampler(outputRate: options.audioSampleRate)
        let nominalRate = info.video?.realFrameRate ?? info.video?.averageFrameRate ?? 30
        gate = KeyframeBurstGate(enabled: options.keyframeBursts && noDelay, rate: options.videoSamplesPerSecond,
                                 nominalFrameRate: nominalRate, pictures: options.keyframeBurstPictures,
                                 maxKeyInterval: options.keyframeBurstMaxSeconds)
        frameInterval = 1 / max(1, nominalRate)
        lane = PictureLane(from: 0, rate: options.videoSamplesPerSecond, nominalFrameRate: nominalRate)
        audioClock = AudioClock(rate: Double(options.audioSampleRate))
    }

    /// Decodes to the end of the file (or of the readable part) and flushes the decoders.
    func run() throws(MediaError) -> DecodeReport {
        if options.decodeAudio, info.audioStreamIndex != nil, !Self.usableAudio(info) {
            report.warnings.appendOnce(MediaWarning("refused-stream", "the audio stream's sample rate (\(info.audio?.sampleRate ?? 0) Hz) is not a recording's: the sound was left out"))
        }
        if options.decodeVideo, info.videoStreamIndex != nil, !info.videoIsUsable {
            let apart = 1 / max(info.video?.averageFrameRate ?? 0, info.video?.realFrameRate ?? 0, 1e-9)
            report.warnings.appendOnce(MediaWarning("refused-stream", String(format: "the video's frames are stamped %.0f s apart (damaged timestamps, or a picture every few seconds): too sparse to see the class move, so the picture was left out", apart)))
        }
        defer { stretch?.cancel(); stretch?.finish() }
        startStretchWhenDecided()
        var reader = PacketReader(format)
        var reading = DecodeReport()
        let end = try reader.forEach(into: packet, stats: &reading, clock: clock, stop: { false }) { packet throws(MediaError) in
            let index = Int(packet.pointee.stream_index)
            if let video, index == videoIndex, !mainVideoDone {
                let isKey = packet.pointee.flags & AV_PKT_FLAG_KEY != 0
                if let skip = policy.packet(isKey: isKey) {
                    video.pointer.pointee.skip_frame = skip.discard
                }
                leftOut.packet(packet, to: video, leavesOut: policy.leavesOut)
                try gated(video, packet, isKey: isKey)
            } else if let audio, index == audioIndex {
                try send(audio, packet, isVideo: false)
            }
            if let progress, progressClock.due(decodedSoFar()) { progress(decodedSoFar()) }
        }
        report.addReading(reading)
        if case .unreadable(let status) = end {
            if report.videoFramesDecoded == 0 && report.audioSamplesEmitted == 0 {
                throw MediaError.ffmpeg(.unreadable, path: info.path, reason: "the file cannot be read",
                                        code: status, call: "av_read_frame")
            }
            report.warnings.appendOnce(MediaWarning("unreadable-tail", "reading stopped early: the rest of the file is unreadable", at: report.decodedSeconds))
        }
        try flush()
        return report
    }

    /// The decoders' delayed frames, what the resampler holds, and the stretch's end.
    private func flush() throws(MediaError) {
        if let video, !mainVideoDone {
            // The end of the last group of pictures is decoded after all, so the video reaches the end.
            try held.drain { p throws(MediaError) in try send(video, p, isVideo: true) }
            try send(video, nil, isVideo: true)
        }
        if let audio {
            try send(audio, nil, isVideo: false)
            emitAudio(resampler.convert(nil))
        }
        report.originSeconds = origin ?? 0
        report.frameSkipping = video == nil ? FrameSkip.none.rawValue
            : gate.state == .bursts ? FrameSkip.keyframeBursts : policy.current.rawValue
        report.videoPacketsSkipped = gate.skippedPackets
        if let stretch {
            // When the video was too short to check (the stretch then has little to do).
            stretch.start(skip: policy.current, leavesOut: policy.leavesOut, bursts: gate.forLaterStretch())
            stretch.finish { self.progress?(self.decodedSoFar()) }
            progress?(max(report.decodedSeconds, stretch.progress))
        } else {
            progress?(report.decodedSeconds)
        }
    }

    /// Media seconds done: with a stretch, the lesser share of the two halves' video, as lesson time.
    private func decodedSoFar() -> Double {
        guard let stretch, let duration = info.durationSeconds else { return report.decodedSeconds }
        let first = mainVideoDone ? 1 : min(1, max(0, lane.lastTime) / boundary)
        let second = min(1, max(0, stretch.progress - stretch.keyTime) / max(1, duration - stretch.keyTime))
        return min(report.decodedSeconds, duration * min(first, second))
    }

    private func mediaTime(_ ts: Int64, _ base: AVRational) -> Double? {
        guard let t = MediaProbe.seconds(ts, base) else { return nil }
        if origin == nil { origin = t }
        return t - origin!
    }

    /// A video packet through the key-frame burst gate: decoded, held back, or decoded with those held.
    private func gated(_ video: CodecContext, _ packet: UnsafeMutablePointer<AVPacket>, isKey: Bool) throws(MediaError) {
        guard gate.state != .off else { return try send(video, packet, isVideo: true) }
        let decided = gate.decided
        let ts = packet.pointee.pts != bw_nopts_value() ? packet.pointee.pts : packet.pointee.dts
        // On the pictures' clock; a packet does not set its origin (the first decoded frame does, as before).
        let time = MediaProbe.seconds(ts, video.timeBase).map { $0 - (origin ?? 0) }
        switch gate.packet(isKey: isKey, time: time, bytes: Int(packet.pointee.size)) {
        case .decode:
            try send(video, packet, isVideo: true)
        case .decodeAfterGap:
            held.discard()
            if let time { gaps.gap(endingAt: time) }
            try send(video, packet, isVideo: true)
        case .hold:
            held.hold(packet)
        case .release:
            try held.drain { p throws(MediaError) in try send(video, p, isVideo: true) }
            try send(video, packet, isVideo: true)
        }
        if !decided && gate.decided { startStretchWhenDecided() }
    }

    /// Starts the later stretch once both the frame-skip density check and the burst trial are done.
    private func startStretchWhenDecided() {
        guard let stretch, !stretchStarted, policy.decided, gate.decided else { return }
        stretchStarted = true
        stretch.start(skip: policy.settled, leavesOut: policy.settledLeavesOut, bursts: gate.forLaterStretch())
    }

    private func send(_ codec: CodecContext, _ pkt: UnsafeMutablePointer<AVPacket>?, isVideo: Bool) throws(MediaError) {
        let spent = try codec.decode(pkt, into: frame, path: info.path, clock: clock,
                                     onCorrupt: { report.corruptPackets += 1 },
                                     onFrame: { if isVideo { videoFrame(codec) } else { audioFrame(codec) } })
        if isVideo { report.videoDecodeSeconds += spent } else { report.audioDecodeSeconds += spent }
    }

    /// Sample rates a recording's audio can have; a stream outside them (a damaged header: 1 Hz would make
    /// a few kilobytes hours of sound) is left out.
    static func usableAudio(_ info: MediaInfo) -> Bool {
        guard let rate = info.audio?.sampleRate else { return true }
        return (4_000...768_000).contains(rate)
    }

    /// Where a stream that has not started yet is expected: where the other one is.
    private var elsewhere: Double? { report.decodedSeconds > 0 ? report.decodedSeconds : nil }

    private func noteJumps() {
        if videoTimeline.jumps + audioTimeline.jumps > 0 {
            report.warnings.appendOnce(MediaWarning("timestamp-jump", "the recording's timestamps jump far (a damaged or spliced file): its parts were analysed as one continuous recording", at: report.decodedSeconds))
        }
    }

    private func videoFrame(_ codec: CodecContext) {
        report.videoFramesDecoded += 1
        // A frame the skipping decoder would not have decoded is not analysed (`FrameSkipPolicy.leavesOut`).
        if leftOut.leaves(frame, leavesOut: policy.leavesOut) { return }
        let startsGroup = keys.frame(isKey: bw_frame_is_key(frame.pointer) != 0)
        guard let stamped = mediaTime(frame.pointer.pointee.best_effort_timestamp, codec.timeBase) else { return }
        let t = videoTimeline.place(stamped, expected: lastVideoTime.map { $0 + frameInterval } ?? elsewhere ?? 0)
        lastVideoTime = t
        noteJumps()
        report.decodedSeconds = max(report.decodedSeconds, t)
        if policy.decoded(at: t) { startStretchWhenDecided() }
        if t >= boundary { mainVideoDone = true; return }
        guard lane.inOrder(t) else { return }
        if startsGroup { lane.anchor(at: t) }
        guard lane.take(t) else { return }
        scaler.emit(frame, at: t, afterGap: gaps.picture(at: t), afterKey: startsGroup, into: &sink, report: &report, clock: clock)
    }

    private func audioFrame(_ codec: CodecContext) {
        let stamped = mediaTime(frame.pointer.pointee.best_effort_timestamp, codec.timeBase).map {
            audioTimeline.place($0, expected: audioClock.now ?? elsewhere ?? 0)
        }
        noteJumps()
        guard var gap = audioClock.frame(at: stamped) else { return }
        if gap > 0 { report.warnings.appendOnce(MediaWarning("audio-gaps", "the audio has gaps; they are treated as silence", at: audioClock.now)) }
        while gap > 0 {
            let n = min(gap, silence.count)
            let time = audioClock.silence(n)
            silence.withUnsafeBufferPointer { zeros in
                sink.consume(audio: AudioChunk(time: time, sampleRate: options.audioSampleRate, count: n, base: zeros.baseAddress!))
            }
            report.audioSamplesEmitted += n
            gap -= n
        }
        let s = clock.now()
        let produced = resampler.convert(frame.pointer)
        report.resampleSeconds += clock.now() - s
        emitAudio(produced)
    }

    private func emitAudio(_ count: Int) {
        guard let (skip, n, time) = audioClock.emit(count) else { return }
        let chunk = AudioChunk(time: time, sampleRate: options.audioSampleRate, count: n,
                               base: UnsafePointer(resampler.buffer + skip))
        let s = clock.now()
        sink.consume(audio: chunk)
        report.sinkSeconds += clock.now() - s
        report.audioSamplesEmitted += n
        report.decodedSeconds = max(report.decodedSeconds, audioClock.now ?? 0)
    }
}

/// 4096 zero samples, for gaps in the audio.
private let silence = [Float](repeating: 0, count: 4096)
