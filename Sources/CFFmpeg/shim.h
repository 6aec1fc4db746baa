// The FFmpeg headers Bellwork uses, and small prefixed helpers for what Swift cannot import directly
// (function-like macros) or what differs between FFmpeg 5.1, 6 and 7. Keep every helper tiny.
#ifndef BELLWORK_CFFMPEG_SHIM_H
#define BELLWORK_CFFMPEG_SHIM_H

#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libavutil/avutil.h>
#include <libavutil/channel_layout.h>
#include <libavutil/display.h>
#include <libavutil/error.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libavutil/tx.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>

/// AVERROR(e): function-like macro.
static inline int bw_averror(int e) { return AVERROR(e); }
/// AVERROR_EOF: a macro built with FFERRTAG, which Swift cannot evaluate.
static inline int bw_averror_eof(void) { return AVERROR_EOF; }
/// AVERROR_INVALIDDATA, same reason.
static inline int bw_averror_invaliddata(void) { return AVERROR_INVALIDDATA; }
/// AVERROR_DECODER_NOT_FOUND, same reason.
static inline int bw_averror_decoder_not_found(void) { return AVERROR_DECODER_NOT_FOUND; }
/// AV_NOPTS_VALUE is an INT64_C() macro expression.
static inline int64_t bw_nopts_value(void) { return AV_NOPTS_VALUE; }
/// AV_TIME_BASE as a number.
static inline int bw_time_base(void) { return AV_TIME_BASE; }

/// The stream's display matrix, or NULL. FFmpeg 7 (libavformat 61) removed av_stream_get_side_data;
/// from 6.1 on the matrix lives in codecpar's coded side data.
static inline const int32_t *bw_stream_display_matrix(const AVStream *st) {
#if LIBAVFORMAT_VERSION_MAJOR >= 61 || (LIBAVFORMAT_VERSION_MAJOR == 60 && LIBAVFORMAT_VERSION_MINOR >= 15)
    const AVPacketSideData *sd = av_packet_side_data_get(st->codecpar->coded_side_data,
                                                         st->codecpar->nb_coded_side_data,
                                                         AV_PKT_DATA_DISPLAYMATRIX);
    return sd && sd->size >= 9 * 4 ? (const int32_t *)sd->data : NULL;
#else
    size_t size = 0;
    const uint8_t *data = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, &size);
    return data && size >= 9 * 4 ? (const int32_t *)data : NULL;
#endif
}

/// Whether a decoded frame is a key frame. FFmpeg 7 removed AVFrame.key_frame in favour of a flag.
static inline int bw_frame_is_key(const AVFrame *f) {
#if LIBAVUTIL_VERSION_MAJOR >= 58
    return (f->flags & AV_FRAME_FLAG_KEY) != 0;
#else
    return f->key_frame;
#endif
}

/// Whether a decoded frame is a B-frame (its picture type; the type AVDISCARD_BIDIR skips).
static inline int bw_frame_is_bidirectional(const AVFrame *f) {
    return f->pict_type == AV_PICTURE_TYPE_B;
}

/// How a decoder context's H.264 or HEVC packets frame their NAL units: the length prefix's size in bytes
/// (1-4, from the avcC or hvcC extradata of MP4 and Matroska), 0 for start codes (Annex B), -1 for another codec.
static inline int bw_nal_length_size(const AVCodecContext *c) {
    const uint8_t *x = c->extradata;
    int n = c->extradata_size;
    if (c->codec_id == AV_CODEC_ID_H264) return (x && n >= 7 && x[0] == 1) ? (x[4] & 3) + 1 : 0;
    if (c->codec_id == AV_CODEC_ID_HEVC) return (x && n >= 23 && x[0] == 1) ? (x[21] & 3) + 1 : 0;
    return -1;
}

/// Whether one NAL unit header is a picture's slice (1) that nothing refers to (2): H.264 slices (types 1-5)
/// with nal_ref_idc 0; HEVC's sub-layer non-reference slice types (TRAIL_N, TSA_N, STSA_N, RADL_N, RASL_N and
/// the reserved even types up to 14), as FFmpeg's decoders discard for AVDISCARD_NONREF. 0: not a slice.
static inline int bw_nal_slice_kind(const uint8_t *p, int n, int hevc) {
    if (n < 1) return 0;
    if (hevc) {
        int type = (p[0] >> 1) & 0x3f;
        if (type > 31) return 0;
        return (type <= 14 && type % 2 == 0) ? 2 : 1;
    }
    int type = p[0] & 0x1f;
    if (type < 1 || type > 5) return 0;
    return ((p[0] >> 5) & 3) == 0 ? 2 : 1;
}

/// Whether a packet of H.264 or HEVC (framed as `bw_nal_length_size` says) holds a picture nothing refers to:
/// at least one slice, and every slice a non-reference one. Reads only inside `size` bytes.
static inline int bw_packet_is_nonref(const uint8_t *d, int size, int length_size, int hevc) {
    int slices = 0, nonref = 0, i = 0;
    if (!d || size <= 0 || length_size < 0 || length_size > 4) return 0;
    while (i < size) {
        int start, end;
        if (length_size > 0) {
            if (size - i < length_size) break;
            unsigned long len = 0;
            for (int k = 0; k < length_size; k++) len = (len << 8) | d[i + k];
            start = i + length_size;
            if (len > (unsigned long)(size - start)) break;
            end = start + (int)len;
        } else {
            /* the next start code (00 00 01) from i, and the one after it */
            int j = i;
            while (j + 2 < size && !(d[j] == 0 && d[j + 1] == 0 && d[j + 2] == 1)) j++;
            if (j + 2 >= size) break;
            start = j + 3;
            end = start;
            while (end + 2 < size && !(d[end] == 0 && d[end + 1] == 0 && d[end + 2] == 1)) end++;
            if (end + 2 >= size) end = size;
        }
        int kind = bw_nal_slice_kind(d + start, end - start, hevc);
        if (kind) { slices++; if (kind == 2) nonref++; }
        i = end;
    }
    return slices > 0 && slices == nonref;
}

/// Whether the decoder flagged the frame as corrupt (AV_FRAME_FLAG_CORRUPT from FFmpeg 6.1 on).
static inline int bw_frame_is_corrupt(const AVFrame *f) {
#if LIBAVUTIL_VERSION_MAJOR >= 58
    return (f->flags & AV_FRAME_FLAG_CORRUPT) != 0;
#else
    return (f->decode_error_flags != 0);
#endif
}

/// The codec context's frame-thread flags (FF_THREAD_FRAME | FF_THREAD_SLICE are macros).
static inline int bw_thread_types_all(void) { return FF_THREAD_FRAME | FF_THREAD_SLICE; }
static inline int bw_thread_type_slice(void) { return FF_THREAD_SLICE; }

#endif
