internal import CFFmpeg
import Foundation

/// Chooses analysis pictures by timestamp: the first frame at, or within `tolerance` before, each point of
/// a grid of `rate` points a second. The grid is absolute, so two samplers fed overlapping stretches of the
/// same frames choose the same pictures once both have seen a frame.
struct PictureSampler {
    let rate: Double?
    let tolerance: Double
    private var next = 0.0
    private var origin = 0.0

    init(rate: Double?, nominalFrameRate: Double) {
        self.rate = rate
        tolerance = min(0.5 / max(nominalFrameRate, 1), 0.25 / (rate ?? 1))
    }

    mutating func take(_ t: Double) -> Bool {
        guard let rate else { return true }
        guard t >= next - tolerance else { return false }
        next = origin + (((t - origin + tolerance) * rate).rounded(.down) + 1) / rate
        return true
    }

    /// A key frame at `t` starts a group of pictures: the grid starts again there, and the frame is the next
    /// picture (so a key-frame burst and a full decode take the same pictures, wherever the key frames fall).
    mutating func anchor(at t: Double) { (origin, next) = (t, t) }
}

/// The later stretch of a lesson's video, decoded on its own thread from a key frame to the end into a
/// picture sink, while `MediaReader.decode` decodes the sound and the earlier stretch.
///
/// Opened (and positioned on its key frame) on the caller's thread; `start` runs it; `finish` waits for it.
/// Its own demuxer reads only the video stream.
final class VideoStretch<Part: PictureSink & Sendable>: @unchecked Sendable {
    /// Seconds (from the start of the presentation) of the key frame it starts at.
    let keyTime: Double
    private let format: FormatContext
    private let videoIndex: Int
    private let origin: Double
    private let options: DecodeOptions
    private let nominalRate: Double
    private var firstPacket: Packet?
    private let lock = NSLock()
    private var cancelled = false
    private var decodedTo: Double
    private let done = DispatchSemaphore(value: 0)
    private var started = false
    // Written by the worker thread, read after `finish`.
    private(set) var part: Part
    private(set) var report = DecodeReport()
    private(set) var failure: MediaError?

    /// Opens `path` again and seeks to the last key frame at or before `seconds`; nil when that cannot be
    /// done (the caller then decodes in one pass).
    /// The stream is described by `like` (the same stream in the first demuxer), so the file is not probed
    /// again (probing decodes frames: memory a 1080p HEVC lesson notices).
    init?(path: String, like: UnsafeMutablePointer<AVStream>, videoIndex: Int, origin: Double, seconds: Double,
          options: DecodeOptions, nominalRate: Double, part: Part) {
        guard let format = try? FormatContext(path: path, findStreamInfo: false), videoIndex < format.streamCount else { return nil }
        for i in 0..<format.streamCount where i != videoIndex { format.stream(i).pointee.discard = AVDISCARD_ALL }
        let stream = format.stream(videoIndex)
        let base = stream.pointee.time_base
        guard base.num == like.pointee.time_base.num, base.den == like.pointee.time_base.den, base.num > 0, base.den > 0,
              stream.pointee.codecpar.pointee.codec_id == like.pointee.codecpar.pointee.codec_id,
              avcodec_parameters_copy(stream.pointee.codecpar, like.pointee.codecpar) >= 0 else { return nil }
        let target = Int64(((origin + seconds) * Double(base.den) / Double(base.num)).rounded(.down))
        guard av_seek_frame(format.pointer, Int32(videoIndex), target, AVSEEK_FLAG_BACKWARD) >= 0 else { return nil }
        // The first video packet after the seek must be a key frame with a time.
        let packet = Packet()
        var key: Double? = nil
        for _ in 0..<64 {
            guard av_read_frame(format.pointer, packet.pointer) >= 0 else { return nil }
            let p = packet.pointer.pointee
            if Int(p.stream_index) == videoIndex {
                let ts = p.pts != bw_nopts_value() ? p.pts : p.dts
                if p.flags & AV_PKT_FLAG_KEY != 0, let t = MediaProbe.seconds(ts, base) { key = t - origin }
                break
            }
            av_packet_unref(packet.pointer)
        }
        guard let key else { return nil }
        self.keyTime = key
        self.format = format
        self.videoIndex = videoIndex
        self.origin = origin
        self.options = options
        self.nominalRate = nominalRate
        self.firstPacket = packet
        self.decodedTo = key
        self.part = part
    }

    /// Starts decoding on a new thread, dropping the frames `skip` allows (and leaving out of the analysis the
    /// decoded frames `leavesOut` names: `FrameSkipPolicy`), in key-frame bursts when `bursts` is in them.
    func start(skip: FrameSkip, leavesOut: FrameSkip, bursts: KeyframeBurstGate) {
        guard !started else { return }
        started = true
        let thread = Thread { [self] in
            do throws(MediaError) { try run(skip: skip, leavesOut: leavesOut, gate: bursts) } catch { failure = error }
            done.signal()
        }
        thread.stackSize = 8 << 20
        thread.name = "bellwork-video-stretch"
        thread.start()
    }

    /// Seconds of media decoded so far.
    var progress: Double { lock.withLock { decodedTo } }

    /// Asks the thread to stop at its next packet.
    func cancel() { lock.withLock { cancelled = true } }

    /// Waits for the thread (if it was started); `tick` is called about twice a second meanwhile.
    func finish(tick: (() -> Void)? = nil) {
        guard started else { return }
        while done.wait(timeout: .now() + 0.5) == .timedOut { tick?() }
        started = false
    }

    private func run(skip: FrameSkip, leavesOut: FrameSkip, gate initialGate: KeyframeBurstGate) throws(MediaError) {
        let path = format.path
        let codec = try CodecContext(stream: format.stream(videoIndex), path: path, threads: 1,
                                     skip: skip, skipLoopFilter: options.skipLoopFilter)
        let scaler = LumaScaler(targetWidth: options.analysisWidth, fast: options.fastScaler)
        var lane = PictureLane(from: keyTime, rate: options.videoSamplesPerSecond, nominalFrameRate: nominalRate)
        let frame = Frame()
        let clock = Stopwatch()
        var gate = initialGate
        let held = HeldPackets()
        var gaps = GapMarks()
        var keys = KeyMarks()
        // The frames left out of the analysis (as in `DecodePass`).
        var leftOut = LeftOutFrames()
        func handleFrame() {
            report.videoFramesDecoded += 1
            if leftOut.leaves(frame, leavesOut: leavesOut) { return }
            let startsGroup = keys.frame(isKey: bw_frame_is_key(frame.pointer) != 0)
            let f = frame.pointer.pointee
            guard let seconds = MediaProbe.seconds(f.best_effort_timestamp, codec.timeBase) else { return }
            let t = seconds - origin
            guard lane.inOrder(t) else { return }
            lock.withLock { decodedTo = max(decodedTo, t) }
            report.decodedSeconds = max(report.decodedSeconds, t)
            if startsGroup { lane.anchor(at: t) }
            guard lane.take(t) else { return }
            scaler.emit(frame, at: t, afterGap: gaps.picture(at: t), afterKey: startsGroup, into: &part, report: &report, clock: clock)
        }

        func send(_ packet: UnsafeMutablePointer<AVPacket>?) throws(MediaError) {
            if let packet { leftOut.packet(packet, to: codec, leavesOut: leavesOut) }
            let spent = try codec.decode(
                packet, into: frame, path: path, clock: clock,
                // Damage after the key frame is counted; frames that lead into it from before (an open GOP)
                // cannot be decoded from here and are not.
                onCorrupt: { if report.videoFramesEmitted > 0 { report.corruptPackets += 1 } },
                onFrame: handleFrame)
            report.videoDecodeSeconds += spent
        }

        /// A packet through the key-frame burst gate (as in `DecodePass`).
        func gated(_ packet: UnsafeMutablePointer<AVPacket>) throws(MediaError) {
            let p = packet.pointee
            let ts = p.pts != bw_nopts_value() ? p.pts : p.dts
            let time = MediaProbe.seconds(ts, codec.timeBase).map { $0 - origin }
            switch gate.packet(isKey: p.flags & AV_PKT_FLAG_KEY != 0, time: time, bytes: Int(p.size)) {
            case .decode: try send(packet)
            case .decodeAfterGap:
                held.discard()
                if let time { gaps.gap(endingAt: time) }
                try send(packet)
            case .hold: held.hold(packet)
            case .release:
                try held.drain { q throws(MediaError) in try send(q) }
                try send(packet)
            }
        }

        if let first = firstPacket {
            try gated(first.pointer)
            av_packet_unref(first.pointer)
            firstPacket = nil
        }
        var reader = PacketReader(format)
        var reading = DecodeReport()
        let end = try reader.forEach(into: Packet(), stats: &reading, clock: clock, stop: { lock.withLock { cancelled } }) {
            packet throws(MediaError) in
            if Int(packet.pointee.stream_index) == videoIndex { try gated(packet) }
        }
        report.addReading(reading)
        if case .unreadable = end { report.warnings.appendOnce(MediaWarning("unreadable-tail", "reading stopped early: the rest of the file is unreadable", at: report.decodedSeconds)) }
        if !lock.withLock({ cancelled }) {
            try held.drain { q throws(MediaError) in try send(q) }
            try send(nil)
        }
        report.frameSkipping = gate.state == .bursts ? FrameSkip.keyframeBursts : skip.rawValue
        report.videoPacketsSkipped = gate.skippedPackets
    }
}
