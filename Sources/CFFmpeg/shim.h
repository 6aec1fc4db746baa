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
