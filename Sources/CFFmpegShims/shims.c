#include "CFFmpegShims.h"

#include <pthread.h>
#include <string.h>
#include <libavutil/log.h>

static pthread_mutex_t bw_log_lock = PTHREAD_MUTEX_INITIALIZER;
static bw_log_sink bw_sink = NULL;
static int bw_sink_level = AV_LOG_WARNING;
static char bw_last_line[1024];
/* The same, of the calling thread only: what an open or probe on this thread logged, whatever other threads
   (other lessons, other tests) log at the same time. */
static _Thread_local char bw_thread_last_line[1024];

static void bw_log_callback(void *avcl, int level, const char *fmt, va_list vl) {
    if (level > bw_sink_level && level > AV_LOG_WARNING) return;
    char line[1024];
    int print_prefix = 1;
    av_log_format_line2(avcl, level, fmt, vl, line, sizeof line, &print_prefix);
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
    if (n == 0) return;
    pthread_mutex_lock(&bw_log_lock);
    if (level <= AV_LOG_WARNING) memcpy(bw_last_line, line, n + 1);
    if (level <= AV_LOG_WARNING) memcpy(bw_thread_last_line, line, n + 1);
    bw_log_sink sink = bw_sink;
    int max_level = bw_sink_level;
    pthread_mutex_unlock(&bw_log_lock);
    if (sink && level <= max_level) sink(level, line);
}

void bw_log_install(bw_log_sink sink, int max_level) {
    pthread_mutex_lock(&bw_log_lock);
    bw_sink = sink;
    bw_sink_level = max_level;
    pthread_mutex_unlock(&bw_log_lock);
    av_log_set_callback(bw_log_callback);
}

int bw_log_last_line(char *buf, int size) {
    if (size <= 0) return 0;
    pthread_mutex_lock(&bw_log_lock);
    strncpy(buf, bw_last_line, (size_t)size - 1);
    buf[size - 1] = '\0';
    pthread_mutex_unlock(&bw_log_lock);
    return (int)strlen(buf);
}

int bw_log_thread_last_line(char *buf, int size) {
    if (size <= 0) return 0;
    strncpy(buf, bw_thread_last_line, (size_t)size - 1);
    buf[size - 1] = '\0';
    return (int)strlen(buf);
}

void bw_log_clear_last_line(void) {
    bw_thread_last_line[0] = '\0';
    pthread_mutex_lock(&bw_log_lock);
    bw_last_line[0] = '\0';
    pthread_mutex_unlock(&bw_log_lock);
}
