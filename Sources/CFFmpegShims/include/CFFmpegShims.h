// Compiled C for what Swift cannot express: FFmpeg's log callback receives a va_list.
#ifndef BELLWORK_CFFMPEG_SHIMS_H
#define BELLWORK_CFFMPEG_SHIMS_H

/// Receives one formatted FFmpeg log line (no trailing newline) and its av_log level.
typedef void (*bw_log_sink)(int level, const char *line);

/// Routes FFmpeg's log through `sink` for lines at or below `max_level` (AV_LOG_*), and remembers the
/// last line at AV_LOG_WARNING or worse. Passing NULL keeps only the memory of the last line.
void bw_log_install(bw_log_sink sink, int max_level);

/// Copies the last warning-or-worse line FFmpeg logged into `buf` (at most `size` bytes, NUL-terminated).
/// Returns its length, 0 when there was none.
int bw_log_last_line(char *buf, int size);
/// The last warning-or-worse line logged on the calling thread.
int bw_log_thread_last_line(char *buf, int size);

/// Forgets the last line (before an operation whose log is to be reported).
void bw_log_clear_last_line(void);

#endif
