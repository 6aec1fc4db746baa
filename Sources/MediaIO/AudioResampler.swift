internal import CFFmpeg

/// Turns decoded audio of any layout, format and rate into mono Float32 at one analysis rate with
/// libswresample, averaging the channels, into one reused buffer.
final class AudioResampler {
    private var context: OpaquePointer? = nil
    private var key: (format: Int32, rate: Int32, channels: Int32) = (-1, 0, 0)
    let outputRate: Int32
    private(set) var buffer: UnsafeMutablePointer<Float>
    private var capacity: Int
    private let outPlanes = UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>.allocate(capacity: 1)

    init(outputRate: Int) {
        self.outputRate = Int32(outputRate)
        capacity = 8192
        buffer = .allocate(capacity: capacity)
    }

    deinit {
        var p: OpaquePointer? = context
        swr_free(&p)
        buffer.deallocate()
        outPlanes.deallocate()
    }

    /// Resamples `frame` (nil drains what the resampler holds); returns how many samples `buffer` now holds.
    func convert(_ frame: UnsafeMutablePointer<AVFrame>?) -> Int {
        if let frame {
            let f = frame.pointee
            if f.format != key.format || f.sample_rate != key.rate || f.ch_layout.nb_channels != key.channels || context == nil {
                guard configure(frame) else { return 0 }
            }
        }
        guard let context else { return 0 }
        let inCount = frame.map { Int($0.pointee.nb_samples) } ?? 0
        let needed = Int(swr_get_out_samples(context, Int32(inCount))) + 32
        if needed > capacity {
            buffer.deallocate()
            capacity = needed
            buffer = .allocate(capacity: capacity)
        }
        outPlanes[0] = UnsafeMutableRawPointer(buffer).assumingMemoryBound(to: UInt8.self)
        let produced: Int32
        if let frame {
            // `const uint8_t **` in FFmpeg 5/6, `const uint8_t * const *` in 7: a mutable pointer fits both.
            let input = UnsafeMutableRawPointer(frame.pointee.extended_data!).assumingMemoryBound(to: UnsafePointer<UInt8>?.self)
            produced = swr_convert(context, outPlanes, Int32(capacity), input, frame.pointee.nb_samples)
        } else {
            produced = swr_convert(context, outPlanes, Int32(capacity), nil, 0)
        }
        return max(0, Int(produced))
    }

    private func configure(_ frame: UnsafeMutablePointer<AVFrame>) -> Bool {
        var p: OpaquePointer? = context
        swr_free(&p)
        context = nil
        let f = frame.pointee
        let channels = f.ch_layout.nb_channels
        guard channels > 0, f.sample_rate > 0 else { return false }
        key = (f.format, f.sample_rate, channels)

        var inLayout = AVChannelLayout()
        if f.ch_layout.order == AV_CHANNEL_ORDER_UNSPEC {
            av_channel_layout_default(&inLayout, channels)
        } else {
            _ = withUnsafePointer(to: frame.pointee.ch_layout) { av_channel_layout_copy(&inLayout, $0) }
        }
        defer { av_channel_layout_uninit(&inLayout) }
        var outLayout = AVChannelLayout()
        av_channel_layout_default(&outLayout, 1)
        defer { av_channel_layout_uninit(&outLayout) }

        var swr: OpaquePointer? = nil
        guard swr_alloc_set_opts2(&swr, &outLayout, AV_SAMPLE_FMT_FLT, outputRate,
                                  &inLayout, AVSampleFormat(f.format), f.sample_rate, 0, nil) >= 0, let swr else {
            return false
        }
        // Mono as the mean of the channels: a level that does not depend on how many channels there are.
        let weights = [Double](repeating: 1.0 / Double(channels), count: Int(channels))
        guard swr_set_matrix(swr, weights, channels) >= 0, swr_init(swr) >= 0 else {
            var q: OpaquePointer? = swr
            swr_free(&q)
            return false
        }
        context = swr
        return true
    }
}
