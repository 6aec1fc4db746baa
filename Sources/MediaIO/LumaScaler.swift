internal import CFFmpeg

/// Shrinks a decoded picture's luma to a small 8-bit plane with libswscale, into one reused buffer.
/// Only the luma plane is read where the pixel format allows it (planar and semi-planar YUV).
final class LumaScaler {
    private var context: OpaquePointer? = nil
    private var key: (width: Int32, height: Int32, format: Int32) = (0, 0, -1)
    private(set) var outputWidth = 0
    private(set) var outputHeight = 0
    private(set) var buffer: UnsafeMutablePointer<UInt8>? = nil
    private var capacity = 0
    private var sourceFormat = AV_PIX_FMT_NONE
    private var lumaOnly = false
    let targetWidth: Int
    let flags: Int32
    // Plane pointers and strides for sws_scale, allocated once.
    private let srcPlanes = UnsafeMutablePointer<UnsafePointer<UInt8>?>.allocate(capacity: 4)
    private let dstPlanes = UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>.allocate(capacity: 4)
    private let srcStrides = UnsafeMutablePointer<Int32>.allocate(capacity: 4)
    private let dstStrides = UnsafeMutablePointer<Int32>.allocate(capacity: 4)

    /// `targetWidth` is rounded to a multiple of 16 (aligned rows, no row padding); the height keeps the aspect.
    init(targetWidth: Int, fast: Bool) {
        self.targetWidth = max(16, (targetWidth + 8) / 16 * 16)
        self.flags = fast ? SWS_FAST_BILINEAR : SWS_AREA
        srcPlanes.initialize(repeating: nil, count: 4)
        dstPlanes.initialize(repeating: nil, count: 4)
        srcStrides.initialize(repeating: 0, count: 4)
        dstStrides.initialize(repeating: 0, count: 4)
    }

    deinit {
        sws_freeContext(context)
        buffer?.deallocate()
        srcPlanes.deallocate()
        dstPlanes.deallocate()
        srcStrides.deallocate()
        dstStrides.deallocate()
    }

    /// Scales `frame`; afterwards `buffer` holds `outputWidth × outputHeight` bytes, row after row.
    func scale(_ frame: UnsafeMutablePointer<AVFrame>) -> Bool {
        let f = frame.pointee
        if f.width != key.width || f.height != key.height || f.format != key.format || context == nil {
            guard configure(width: f.width, height: f.height, format: f.format) else { return false }
        }
        dstPlanes[0] = buffer
        dstStrides[0] = Int32(outputWidth)
        srcPlanes[0] = UnsafePointer(f.data.0)
        srcStrides[0] = f.linesize.0
        if !lumaOnly {
            srcPlanes[1] = UnsafePointer(f.data.1)
            srcPlanes[2] = UnsafePointer(f.data.2)
            srcPlanes[3] = UnsafePointer(f.data.3)
            srcStrides[1] = f.linesize.1
            srcStrides[2] = f.linesize.2
            srcStrides[3] = f.linesize.3
        }
        let rows = sws_scale(context, srcPlanes, srcStrides, 0, f.height, dstPlanes, dstStrides)
        return rows > 0
    }

    private func configure(width: Int32, height: Int32, format: Int32) -> Bool {
        guard width > 0, height > 0, let desc = av_pix_fmt_desc_get(AVPixelFormat(format)) else { return false }
        sws_freeContext(context)
        context = nil
        key = (width, height, format)
        let d = desc.pointee
        let isYUV = (d.flags & UInt64(AV_PIX_FMT_FLAG_RGB)) == 0 && (d.flags & UInt64(AV_PIX_FMT_FLAG_PAL)) == 0
            && (d.flags & UInt64(AV_PIX_FMT_FLAG_BITSTREAM)) == 0 && d.nb_components >= 1 && d.comp.0.plane == 0
            && d.comp.0.shift == 0 && d.comp.0.offset == 0
        let bigEndian = (d.flags & UInt64(AV_PIX_FMT_FLAG_BE)) != 0
        lumaOnly = true
        switch (isYUV, d.comp.0.depth, d.comp.0.step, bigEndian) {
        case (true, 8, 1, _): sourceFormat = AV_PIX_FMT_GRAY8
        case (true, 10, 2, false): sourceFormat = AV_PIX_FMT_GRAY10LE
        case (true, 12, 2, false): sourceFormat = AV_PIX_FMT_GRAY12LE
        case (true, 16, 2, false): sourceFormat = AV_PIX_FMT_GRAY16LE
        default:
            lumaOnly = false
            sourceFormat = AVPixelFormat(format)
        }
        outputWidth = min(targetWidth, max(16, Int(width) / 16 * 16))
        let h = Int((Double(outputWidth) * Double(height) / Double(width)).rounded())
        outputHeight = max(2, h / 2 * 2)
        let needed = outputWidth * outputHeight
        if needed > capacity {
            buffer?.deallocate()
            buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: needed + 64)
            capacity = needed
        }
        context = sws_getContext(width, height, sourceFormat, Int32(outputWidth), Int32(outputHeight),
                                 AV_PIX_FMT_GRAY8, flags, nil, nil, nil)
        return context != nil
    }
}

extension LumaScaler {
    /// Shrinks `frame` and hands the analysis picture, shown at `time`, to `sink`; the time spent shrinking
    /// and in the sink, and the picture, are counted in `report`. False when the frame could not be shrunk.
    @discardableResult
    func emit<Sink: PictureSink>(_ frame: Frame, at time: Double, afterGap: Bool = false, afterKey: Bool = false, into sink: inout Sink,
                                 report: inout DecodeReport, clock: Stopwatch) -> Bool {
        let s = clock.now()
        guard scale(frame.pointer), let buffer else { return false }
        let s2 = clock.now()
        report.scaleSeconds += s2 - s
        let picture = LumaFrame(time: max(0, time), width: outputWidth, height: outputHeight, afterGap: afterGap,
                                afterKey: afterKey, base: UnsafePointer(buffer))
        sink.consume(video: picture)
        report.sinkSeconds += clock.now() - s2
        report.videoFramesEmitted += 1
        return true
    }
}
