import Bellwork
import BellworkBatch
import Foundation
import PostgresNIO

/// What the queue in PostgreSQL shows: every lesson (`summary --queue`), and the counts and what runs where
/// (`status`).
extension PostgresLessonQueue {
    public func lessons() async throws -> [BatchLesson] {
        let logger = self.logger
        return try await run { db in
            let rows = try await db.query("""
                SELECT id, path, status, attempts::int8, error, exit_status::int8, size_bytes, mtime, content_hash, settings_hash,
                    extract(epoch FROM claimed_at)::float8 AS started, extract(epoch FROM finished_at)::float8 AS finished,
                    analysis_seconds, duration_seconds, creation_time, bell_seconds, bell_source, bell_to_work_seconds,
                    time_on_task_percent, on_task_seconds, class_seconds, transition_count::int8, transition_seconds,
                    mean_transition_seconds, longest_transition_seconds, result_status, warnings, result_file
                FROM bellwork.lesson ORDER BY path
                """, logger: logger)
            var lessons: [BatchLesson] = []
            for try await row in rows {
                let r = row.makeRandomAccess()
                let path = try r["path"].decode(String.self)
                var lesson = BatchLesson(path: path, relativePath: path,
                                         status: BatchLesson.Status(rawValue: try r["status"].decode(String.self)) ?? .pending)
                lesson.id = try r["id"].decode(Int64.self)
                lesson.attempts = Int(try r["attempts"].decode(Int64.self))
                lesson.error = try r["error"].decode(String?.self)
                lesson.exitStatus = try r["exit_status"].decode(Int64?.self).map(Int.init)
                lesson.sizeBytes = try r["size_bytes"].decode(Int64?.self)
                lesson.mtime = try r["mtime"].decode(Double?.self)
                lesson.contentHash = try r["content_hash"].decode(String?.self)
                lesson.settingsHash = try r["settings_hash"].decode(String?.self)
                lesson.startedAt = try r["started"].decode(Double?.self)
                lesson.finishedAt = try r["finished"].decode(Double?.self)
                lesson.analysisSeconds = try r["analysis_seconds"].decode(Double?.self)
                lesson.durationSeconds = try r["duration_seconds"].decode(Double?.self)
                lesson.creationTime = try r["creation_time"].decode(String?.self)
                lesson.bellSeconds = try r["bell_seconds"].decode(Double?.self)
                lesson.bellSource = try r["bell_source"].decode(String?.self)
                lesson.bellToWorkSeconds = try r["bell_to_work_seconds"].decode(Double?.self)
                lesson.timeOnTaskPercent = try r["time_on_task_percent"].decode(Double?.self)
                lesson.onTaskSeconds = try r["on_task_seconds"].decode(Double?.self)
                lesson.classSeconds = try r["class_seconds"].decode(Double?.self)
                lesson.transitionCount = try r["transition_count"].decode(Int64?.self).map(Int.init)
                lesson.transitionSeconds = try r["transition_seconds"].decode(Double?.self)
                lesson.meanTransitionSeconds = try r["mean_transition_seconds"].decode(Double?.self)
                lesson.longestTransitionSeconds = try r["longest_transition_seconds"].decode(Double?.self)
                lesson.resultStatus = try r["result_status"].decode(String?.self)
                lesson.warnings = try r["warnings"].decode(String?.self)
                if lesson.status == .done { lesson.resultFile = try r["result_file"].decode(String?.self) ?? "queue" }
                lessons.append(lesson)
            }
            return lessons
        }
    }

    public func status() async throws -> QueueStatus {
        let logger = self.logger
        return try await run { db in
            var status = QueueStatus()
            let counts = try await db.query("SELECT status, count(*)::int8 FROM bellwork.lesson GROUP BY status", logger: logger)
            for try await (name, count) in counts.decode((String, Int64).self) {
                switch name {
                case "pending": status.pending = Int(count)
                case "done": status.done = Int(count)
                case "failed": status.failed = Int(count)
                case "ignored": status.ignored = Int(count)
                default: break
                }
            }
            let running = try await db.query("""
                SELECT path, coalesce(worker, ''), extract(epoch FROM now() - claimed_at)::float8 FROM bellwork.lesson
                WHERE status = 'running' ORDER BY claimed_at
                """, logger: logger)
            for try await (path, worker, seconds) in running.decode((String, String, Double).self) {
                status.running.append(.init(path: path, worker: worker, seconds: seconds))
            }
            let hour = try await db.query("""
                SELECT count(*)::int8, coalesce(sum(duration_seconds), 0)::float8 FROM bellwork.lesson
                WHERE status = 'done' AND finished_at > now() - interval '1 hour'
                """, logger: logger)
            for try await (count, seconds) in hour.decode((Int64, Double).self) {
                status.lessonsLastHour = Int(count)
                status.mediaHoursLastHour = seconds / 3600
            }
            let version = try await db.query("SELECT coalesce(max(version), 0)::int8 FROM bellwork.schema_version", logger: logger)
            for try await v in version.decode(Int64.self) { status.schemaVersion = Int(v) }
            return status
        }
    }
}
