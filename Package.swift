// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Bellwork",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "bellwork", targets: ["bellwork"]),
        .library(name: "Bellwork", targets: ["Bellwork"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        // RFC 4180 reading of coders' label tables (score): a small, well-kept reader rather than our own.
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.0"),
        // The multi-machine batch's queue: PostgreSQL, the database districts already run.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.0"),
    ],
    targets: [
        // FFmpeg's C libraries, found by pkg-config; Debian's -dev packages provide them.
        .systemLibrary(
            name: "CFFmpeg",
            pkgConfig: "libavformat",
            providers: [
                .apt(["libavformat-dev", "libavcodec-dev", "libswscale-dev", "libswresample-dev", "libavutil-dev"]),
                .brew(["ffmpeg"]),
            ]
        ),
        // What Swift cannot do itself: FFmpeg's log callback takes a va_list.
        .target(name: "CFFmpegShims", dependencies: ["CFFmpeg"]),
        // The only Swift target that imports FFmpeg.
        // The analysis streams and the sink protocols: what Segmentation consumes, without FFmpeg.
        .target(name: "MediaSamples"),
        // Settings declared once with their defaults, ranges and meanings, checked before anything runs.
        .target(name: "Tunables"),
        .target(
            name: "MediaIO",
            dependencies: ["CFFmpeg", "CFFmpegShims", "MediaSamples", "Tunables", .product(name: "Logging", package: "swift-log")]
        ),
        .target(name: "LessonMetrics"),
        .target(name: "Segmentation", dependencies: ["MediaSamples", "Tunables", "LessonMetrics"]),
        // The analysis pipeline used by every command: decode into features, segment, measure; the configuration,
        // the features file, coders' label tables.
        .target(
            name: "Bellwork",
            dependencies: ["MediaIO", "MediaSamples", "Tunables", "Segmentation", "LessonMetrics", .product(name: "Logging", package: "swift-log"),
                           .product(name: "CSV", package: "CSV.swift")]
        ),
        // The outputs: every format a result is written in, and the HTML report.
        .target(name: "BellworkOutputs", dependencies: ["Bellwork", "LessonMetrics", "MediaIO", "Segmentation"]),
        // The batch: discovery, planning, the supervision of children, and its state behind one protocol
        // (LessonQueue) with SQLite's implementation (GRDB) here; the workers of a shared queue.
        .target(
            name: "BellworkBatch",
            dependencies: ["Bellwork", "BellworkOutputs", "LessonMetrics", "MediaIO", .product(name: "Logging", package: "swift-log"),
                           .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // The batch's state behind one protocol (plan, claim, renew, finish, release, fail), in SQLite or in
        // PostgreSQL, and the workers that analyse a shared queue's lessons on many machines.
        .target(
            name: "BellworkQueue",
            dependencies: ["Bellwork", "BellworkBatch", "LessonMetrics", .product(name: "Logging", package: "swift-log"),
                           .product(name: "PostgresNIO", package: "postgres-nio")]
        ),
        .executableTarget(
            name: "bellwork",
            dependencies: ["Bellwork", "BellworkOutputs", "BellworkBatch", "BellworkQueue", "MediaIO", "LessonMetrics", "Segmentation", .product(name: "ArgumentParser", package: "swift-argument-parser"), .product(name: "Logging", package: "swift-log")]
        ),
        // Synthetic sound for the Segmentation and pipeline tests; not in any product.
        .target(name: "SignalTestSupport", dependencies: ["Segmentation", "MediaSamples"]),
        .testTarget(name: "MediaIOTests", dependencies: ["MediaIO"]),
        .testTarget(name: "SegmentationTests", dependencies: ["Segmentation", "MediaSamples", "LessonMetrics", "SignalTestSupport"]),
        // Segmentation over really decoded media (fixture lessons, recorded bells): needs FFmpeg.
        .testTarget(name: "PipelineTests", dependencies: ["Bellwork", "Segmentation", "MediaIO", "LessonMetrics", "SignalTestSupport"]),
        .testTarget(name: "LessonMetricsTests", dependencies: ["LessonMetrics"]),
        .testTarget(name: "BellworkTests", dependencies: ["Bellwork", "BellworkOutputs", "BellworkBatch", "BellworkQueue", "bellwork", "LessonMetrics", "MediaIO", "Segmentation"]),
    ]
)
