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

/// Which frames a video decoder may drop.
enum FrameSkip: String {
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

    init(stream: UnsafeMutablePointer<AVStream>, path: String, threads: Int,
         skip: FrameSkip = .none, skipLoopFilter: Bool = false) throws(MediaError) {
        let par = stream.pointee.codecpar!
        guard let codec = avcodec_find_decoder(par.pointee.codec_id) else {
            let name = String(cString: avcodec_get_name(par.pointee.codec_id))
            throw MediaError(kind: .notMedia, path: path, reason: "no decoder for codec \(name)",
                             code: bw_averror_decoder_not_found(), call: "avcodec_find_decoder")
        }
        guard let context = avcodec_alloc_context3(codec) else { fatalError("avcodec_alloc_context3: out of memory") }
        pointer = context
        timeBase = stream.pointee.time_base
        var status = avcodec_parameters_to_context(context, par)
        if status >= 0 {
            context.pointee.pkt_timebase = stream.pointee.time_base
            context.pointee.thread_count = Int32(threads)
            context.pointee.thread_type = bw_thread_types_all()
            context.pointee.skip_frame = skip.discard
            if skipLoopFilter { context.pointee.skip_loop_filter = AVDISCARD_ALL }
            status = avcodec_open2(context, codec, nil)
        }
        if status < 0 {
            throw MediaError.ffmpeg(.notMedia, path: path, reason: "cannot open the decoder",
                                    code: status, call: "avcodec_open2")
        }
    }

    deinit {
        var p: UnsafeMutablePointer<AVCodecContext>? = pointer
        avcodec_free_context(&p)
    }
}
