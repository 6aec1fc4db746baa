internal import CFFmpeg
import Foundation

/// Reads what a recording is without decoding it.
public enum MediaProbe {
    /// Opens `path` (local files and recording containers only) and describes it.
    public static func probe(_ path: String) throws(MediaError) -> MediaInfo {
        let context = try FormatContext(path: path)
        return try describe(context)
    }

    static func describe(_ context: FormatContext) throws(MediaError) -> MediaInfo {
        let fmt = context.pointer
        var streams: [StreamInfo] = []
        for i in 0..<context.streamCount {
            streams.append(streamInfo(context.stream(i), index: i))
        }
        let video = context.bestStream(AVMEDIA_TYPE_VIDEO)
        let audio = context.bestStream(AVMEDIA_TYPE_AUDIO, related: Int32(video ?? -1))
        guard video != nil || audio != nil else {
            throw MediaError(kind: .noStreams, path: context.path, reason: "the file holds neither video nor audio")
        }

        var duration: Double? = nil
        if fmt.pointee.duration != bw_nopts_value(), fmt.pointee.duration > 0 {
            duration = Double(fmt.pointee.duration) / Double(bw_time_base())
        } else {
            let longest = [video, audio].compactMap { $0 }.compactMap { streams[$0].durationSeconds }.max()
            duration = longest
        }

        var size: Int64 = 0
        var info = stat()
        if FileName.withCString(context.path, { stat($0, &info) }) == 0 { size = Int64(info.st_size) }

        var creation = metadataValue(fmt.pointee.metadata, "creation_time")
        if creation == nil {
            for i in [video, audio].compactMap({ $0 }) {
                if let value = metadataValue(context.stream(i).pointee.metadata, "creation_time") {
                    creation = value
                    break
                }
            }
        }

        return MediaInfo(
            path: context.path,
            sizeBytes: size,
            container: String(cString: fmt.pointee.iformat.pointee.name),
            durationSeconds: duration,
            creationTime: creation,
            streams: streams,
            videoStreamIndex: video,
            audioStreamIndex: audio
        )
    }

    private static func metadataValue(_ dict: OpaquePointer?, _ key: String) -> String? {
        guard let entry = av_dict_get(dict, key, nil, 0), let value = entry.pointee.value else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }

    static func rate(_ r: AVRational) -> Double? {
        guard r.num > 0, r.den > 0 else { return nil }
        return Double(r.num) / Double(r.den)
    }

    static func seconds(_ value: Int64, _ base: AVRational) -> Double? {
        guard value != bw_nopts_value(), base.den != 0 else { return nil }
        return Double(value) * Double(base.num) / Double(base.den)
    }

    private static func streamInfo(_ st: UnsafeMutablePointer<AVStream>, index: Int) -> StreamInfo {
        let par = st.pointee.codecpar.pointee
        let kind: StreamInfo.Kind
        switch par.codec_type {
        case AVMEDIA_TYPE_VIDEO: kind = .video
        case AVMEDIA_TYPE_AUDIO: kind = .audio
        case AVMEDIA_TYPE_SUBTITLE: kind = .subtitle
        case AVMEDIA_TYPE_DATA: kind = .data
        case AVMEDIA_TYPE_ATTACHMENT: kind = .attachment
        default: kind = .unknown
        }
        var info = StreamInfo(
            index: index, kind: kind,
            codec: String(cString: avcodec_get_name(par.codec_id)),
            durationSeconds: seconds(st.pointee.duration, st.pointee.time_base),
            startSeconds: seconds(st.pointee.start_time, st.pointee.time_base),
            isAttachedPicture: (st.pointee.disposition & AV_DISPOSITION_ATTACHED_PIC) != 0
        )
        if kind == .video {
            info.width = Int(par.width)
            info.height = Int(par.height)
            info.averageFrameRate = rate(st.pointee.avg_frame_rate)
            info.realFrameRate = rate(st.pointee.r_frame_rate)
            if let avg = info.averageFrameRate, let real = info.realFrameRate {
                info.variableFrameRate = abs(avg - real) / real > 0.01
            }
            info.rotationDegrees = rotation(st)
        } else if kind == .audio {
            info.sampleRate = Int(par.sample_rate)
            info.channels = Int(par.ch_layout.nb_channels)
        }
        return info
    }

    /// Clockwise degrees, as FFmpeg's own auto-rotation reads the display matrix
    /// (`-av_display_rotation_get`, rounded to a quarter turn).
    private static func rotation(_ st: UnsafeMutablePointer<AVStream>) -> Int {
        guard let matrix = bw_stream_display_matrix(st) else { return 0 }
        let counterClockwise = av_display_rotation_get(matrix)
        guard counterClockwise.isFinite else { return 0 }
        let clockwise = -counterClockwise
        let quarter = Int((clockwise / 90).rounded()) * 90
        return ((quarter % 360) + 360) % 360
    }
}

extension StreamInfo {
    init(index: Int, kind: Kind, codec: String, durationSeconds: Double?, startSeconds: Double?, isAttachedPicture: Bool) {
        self.index = index
        self.kind = kind
        self.codec = codec
        self.durationSeconds = durationSeconds
        self.startSeconds = startSeconds
        self.isAttachedPicture = isAttachedPicture
    }
}
