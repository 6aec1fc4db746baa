internal import CFFmpeg

/// Owns one `AVPacket`, reused for a whole file; freed in `deinit`.
final class Packet {
    let pointer: UnsafeMutablePointer<AVPacket>
    init() {
        guard let p = av_packet_alloc() else { fatalError("av_packet_alloc: out of memory") }
        pointer = p
    }
    deinit {
        var p: UnsafeMutablePointer<AVPacket>? = pointer
        av_packet_free(&p)
    }
}

/// Owns one `AVFrame`, reused for a whole file; freed in `deinit`.
final class Frame {
    let pointer: UnsafeMutablePointer<AVFrame>
    init() {
        guard let p = av_frame_alloc() else { fatalError("av_frame_alloc: out of memory") }
        pointer = p
    }
    deinit {
        var p: UnsafeMutablePointer<AVFrame>? = pointer
        av_frame_free(&p)
    }
}

/// Packets held back by key-frame bursts (`KeyframeBurstGate`): references to the demuxer's packets, in
/// decode order, until they are discarded or decoded after all.
final class HeldPackets {
    private var packets: [UnsafeMutablePointer<AVPacket>] = []
    private(set) var count = 0

    /// Keeps a reference to `packet` (its data is not copied when it is reference-counted).
    func hold(_ packet: UnsafeMutablePointer<AVPacket>) {
        if count == packets.count {
            guard let p = av_packet_alloc() else { fatalError("av_packet_alloc: out of memory") }
            packets.append(p)
        }
        if av_packet_ref(packets[count], packet) >= 0 { count += 1 }
    }

    /// Hands each held packet to `body` in order, then lets them all go.
    func drain(_ body: (UnsafeMutablePointer<AVPacket>) throws(MediaError) -> Void) throws(MediaError) {
        defer { discard() }
        for i in 0..<count { try body(packets[i]) }
    }

    /// Lets every held packet go (the allocations are kept for the next group).
    func discard() {
        for i in 0..<count { av_packet_unref(packets[i]) }
        count = 0
    }

    deinit {
        for var p in packets.map(Optional.some) { av_packet_free(&p) }
    }
}

/// Which frames a video decoder may drop.
enum FrameSkip: String {
    /// What `DecodeReport.frameSkipping` says of key-frame bursts (`KeyframeBurstGate`), which skip packets
    /// rather than asking the decoder to.
    static let keyframeBursts = "keyframe-bursts"

    case none
    case nonReference = "non-reference"
    case bidirectional

    var discard: AVDiscard {
        switch self {
        case .none: AVDISCARD_DEFAULT
        case .nonReference: AVDISCARD_NONREF
        case .bidirectional: AVDISCARD_BIDIR
        }
    }
}

/// Owns an opened decoder for one stream; freed in `deinit`.
final class CodecContext {
    let pointer: UnsafeMutablePointer<AVCodecContext>
    let timeBase: AVRational
    /// Whether it decodes HEVC (whose NAL unit headers differ from H.264's).
    var isHEVC: Bool { pointer.pointee.codec_id == AV_CODEC_ID_HEVC }
    /// How its packets frame NAL units (`bw_nal_length_size`: 0 start codes, -1 not H.264 or HEVC).
    var nalLengthSize: Int32 { bw_nal_length_size(pointer) }

    /// `sliceThreadsOnly`: the threads work inside each picture (HEVC wavefronts, slices, VP9 tiles) and never
    /// on several pictures at once, so the decoder holds no more pictures than with one thread.
    init(stream: UnsafeMutablePointer<AVStream>, path: String, threads: Int,
         skip: FrameSkip = .none, skipLoopFilter: Bool = false, sliceThreadsOnly: Bool = false) throws(MediaError) {
        let par = stream.pointee.codecpar!
        guard let codec = avcodec_find_decoder(par.pointee.codec_id) else {
            let name = String(cString: avcodec_get_name(par.pointee.codec_id))
            throw MediaError(kind: .notMedia, path: path, reason: "no decoder for codec \(name)",
                             code: bw_averror_decoder_not_found(), call: "avcodec_find_decoder")
        }
        guard let context = avcodec_alloc_context3(codec) else { fatalError("avcodec_alloc_context3: out of memory") }
        // As in `FormatContext`: the context is stored only once opened, so a failure frees it here, once,
        // and `deinit` (which a throw after every stored property is set would run) never sees it.
        var status = avcodec_parameters_to_context(context, par)
        if status >= 0 {
            context.pointee.pkt_timebase = stream.pointee.time_base
            context.pointee.thread_count = Int32(threads)
            context.pointee.thread_type = sliceThreadsOnly ? bw_thread_type_slice() : bw_thread_types_all()
            context.pointee.skip_frame = skip.discard
            if skipLoopFilter { context.pointee.skip_loop_filter = AVDISCARD_ALL }
            status = avcodec_open2(context, codec, nil)
        }
        if status < 0 {
            let error = MediaError.ffmpeg(.notMedia, path: path, reason: "cannot open the decoder",
                                          code: status, call: "avcodec_open2")
            var p: UnsafeMutablePointer<AVCodecContext>? = context
            avcodec_free_context(&p)
            throw error
        }
        pointer = context
        timeBase = stream.pointee.time_base
    }

    deinit {
        var p: UnsafeMutablePointer<AVCodecContext>? = pointer
        avcodec_free_context(&p)
    }
}

extension CodecContext {
    /// Sends `packet` (nil: flush) and hands each frame the decoder has ready to `onFrame` (unreferenced after
    /// it returns), receiving whenever the decoder is full. Damaged data, whatever code the decoder gives it
    /// (INVALIDDATA, EPERM, …), goes to `onCorrupt` and is skipped; only running out of memory ends decoding.
    /// Returns the seconds spent inside the decoder (not in `onFrame`).
    func decode(_ packet: UnsafeMutablePointer<AVPacket>?, into frame: Frame, path: String, clock: Stopwatch,
                onCorrupt: () -> Void, onFrame: () throws(MediaError) -> Void) throws(MediaError) -> Double {
        var spent = 0.0
        func receiveAll() throws(MediaError) {
            while true {
                let s = clock.now()
                let status = avcodec_receive_frame(pointer, frame.pointer)
                spent += clock.now() - s
                if status == AVCode.again || status == AVCode.eof { return }
                if status == AVCode.noMemory {
                    throw MediaError.ffmpeg(.unreadable, path: path, reason: "decoding failed", code: status,
                                            call: "avcodec_receive_frame")
                }
                if status < 0 { onCorrupt(); return }
                defer { av_frame_unref(frame.pointer) }
                try onFrame()
            }
        }
        let s = clock.now()
        var status = avcodec_send_packet(pointer, packet)
        spent += clock.now() - s
        if status == AVCode.again {
            try receiveAll()
            let s2 = clock.now()
            status = avcodec_send_packet(pointer, packet)
            spent += clock.now() - s2
        }
        if status == AVCode.noMemory {
            throw MediaError.ffmpeg(.unreadable, path: path, reason: "decoding failed", code: status,
                                    call: "avcodec_send_packet")
        }
        if status < 0 && status != AVCode.eof && status != AVCode.again { onCorrupt() }
        try receiveAll()
        return spent
    }
}

/// Reads a file's packets one after another, skipping damaged reads (each counted in
/// `DecodeReport.corruptPackets`) until 100 come in a row.
struct PacketReader {
    private let format: FormatContext
    private var consecutiveErrors = 0

    enum Next {
        case packet
        case end
        /// 100 damaged reads in a row, the last with this code.
        case unreadable(Int32)
    }

    init(_ format: FormatContext) { self.format = format }

    /// The next packet, into `packet` (unreference it when done).
    mutating func next(into packet: Packet, report: inout DecodeReport, clock: Stopwatch) -> Next {
        while true {
            let s = clock.now()
            let status = av_read_frame(format.pointer, packet.pointer)
            report.demuxSeconds += clock.now() - s
            if status == AVCode.eof { return .end }
            if status >= 0 {
                consecutiveErrors = 0
                report.packetsRead += 1
                return .packet
            }
            if let pb = format.pointer.pointee.pb, avio_feof(pb) != 0 { return .end }
            report.corruptPackets += 1
            consecutiveErrors += 1
            if consecutiveErrors > 100 { return .unreadable(status) }
        }
    }

    /// Reads every packet into `packet`, hands it to `body` and unreferences it, until the end, an
    /// unreadable stretch, or `stop()`. Counts what it reads into `stats`.
    mutating func forEach(into packet: Packet, stats: inout DecodeReport, clock: Stopwatch, stop: () -> Bool,
                          _ body: (UnsafeMutablePointer<AVPacket>) throws(MediaError) -> Void) throws(MediaError) -> Next {
        while !stop() {
            let next = self.next(into: packet, report: &stats, clock: clock)
            guard case .packet = next else { return next }
            try body(packet.pointer)
            av_packet_unref(packet.pointer)
        }
        return .end
    }

}

extension LeftOutFrames {
    /// A video packet is about to be sent to `codec` while the analysis leaves out `leavesOut`.
    mutating func packet(_ p: UnsafeMutablePointer<AVPacket>, to codec: CodecContext, leavesOut: FrameSkip) {
        packet(stamp: p.pointee.pts, leavesOut: leavesOut) {
            bw_packet_is_nonref(p.pointee.data, p.pointee.size, codec.nalLengthSize, codec.isHEVC ? 1 : 0) != 0
        }
    }

    /// Whether the frame just decoded is left out of the analysis (`leavesOut`: the rule now).
    func leaves(_ frame: Frame, leavesOut: FrameSkip) -> Bool {
        leaves(stamp: frame.pointer.pointee.pts, bidirectional: bw_frame_is_bidirectional(frame.pointer) != 0, leavesOut: leavesOut)
    }
}
