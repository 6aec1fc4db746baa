import Foundation
import Testing

/// Segmentation, LessonMetrics and the types they take in never see FFmpeg: they build and are tested with
/// synthetic arrays, and MediaIO is the one seam to the C libraries.
@Suite struct ModuleBoundaryTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources")

    @Test(arguments: ["Segmentation", "LessonMetrics", "MediaSamples", "Tunables"])
    func importsNoMediaLayer(target: String) throws {
        let folder = Self.sources.appendingPathComponent(target)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".swift") }
        #expect(!files.isEmpty)
        for file in files {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for line in text.split(separator: "\n") where line.contains("import ") {
                let module = line.split(separator: " ").last.map(String.init) ?? ""
                #expect(!["MediaIO", "CFFmpeg", "CFFmpegShims", "Bellwork"].contains(module), "\(target)/\(file): \(line)")
            }
        }
    }
}
