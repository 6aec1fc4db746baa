import Foundation
import MediaIO
import Testing

@Suite struct ProbeTests {
    @Test func iPhoneRecordingStreamsRotationAndDuration() throws {
        let info = try MediaProbe.probe(TestMedia.fixture("jsonize__iphone_rotated_iPhone4S.mov"))
        #expect(info.container.hasPrefix("mov"))
        #expect(info.streams.count == 2)
        // The audio is stream 0 in iPhone files: chosen by FFmpeg's best-stream logic, not by index.
        #expect(info.audioStreamIndex == 0)
        #expect(info.videoStreamIndex == 1)
        let video = try #require(info.video)
        #expect(video.codec == "h264")
        #expect(video.width == 568 && video.height == 320)
        #expect(video.rotationDegrees == 90)
        #expect(video.displaySize! == (320, 568))
        let audio = try #require(info.audio)
        #expect(audio.codec == "aac")
        #expect(audio.sampleRate == 44100)
        #expect(audio.channels == 1)
        let duration = try #require(info.durationSeconds)
        #expect(abs(duration - 2.2) < 0.05)
        #expect(info.creationTime == "2013-12-22T20:54:41.000000Z")
        #expect(info.sizeBytes == 159_993)
    }

    @Test(arguments: ["audio-mono-8-bit-44100Hz.wav", "audio-mono-24-bit-44100Hz.wav", "audio-mono-32-bit-44100Hz.wav",
                      "audio-stereo-16-bit-44100Hz.aiff", "audio-stereo-24-bit-44100Hz.flac"])
    func audioOnlyFilesHaveNoVideo(name: String) throws {
        let info = try MediaProbe.probe(TestMedia.fixture(name))
        #expect(info.video == nil)
        let audio = try #require(info.audio)
        #expect(audio.sampleRate == 44100)
        #expect(audio.channels == (name.contains("stereo") ? 2 : 1))
        #expect(abs((info.durationSeconds ?? 0) - 2.74) < 0.02)
    }

    @Test func generatedFormatsReportTheirCodecs() throws {
        let dir = try TestMedia.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases: [(String, [String], String, String)] = [
            ("a.mp4", ["-c:v", "libx264", "-bf", "2", "-pix_fmt", "yuv420p", "-c:a", "aac"], "h264", "aac"),
            ("b.mov", ["-c:v", "libx265", "-x265-params", "log-level=none", "-tag:v", "hvc1", "-pix_fmt", "yuv420p",
                       "-c:a", "aac"], "hevc", "aac"),
            ("c.webm", ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-c:a", "libopus"], "vp9", "opus"),
        ]
        for (name, codecArgs, vcodec, acodec) in cases {
            let path = dir.appendingPathComponent(name).path
            try TestMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=3",
                                  "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=3"]
                                 + codecArgs + ["-shortest", path])
            var probed = path
            if name == "b.mov" {
                // FFmpeg 5.1 writes a display matrix from the rotate tag only when remuxing.
                probed = dir.appendingPathComponent("rotated.mov").path
                try TestMedia.ffmpeg(["-i", path, "-c", "copy", "-metadata:s:v:0", "rotate=90", probed])
            }
            let info = try MediaProbe.probe(probed)
            #expect(info.video?.codec == vcodec, "\(name)")
            #expect(info.audio?.codec == acodec, "\(name)")
            #expect(info.video?.width == 320 && info.video?.height == 240, "\(name)")
            #expect(abs((info.video?.averageFrameRate ?? 0) - 25) < 0.01, "\(name)")
            #expect(info.video?.variableFrameRate == false, "\(name)")
            #expect(abs((info.durationSeconds ?? 0) - 3) < 0.1, "\(name)")
            if name == "b.mov" {
                // FFmpeg prints this file's display matrix as "rotation of 90.00 degrees" (counter-clockwise):
                // by the contract's definition a player turns the picture 270° clockwise.
                #expect(info.video?.rotationDegrees == 270)
            } else {
                #expect(info.video?.rotationDegrees == 0)
            }
        }
    }

    @Test func variableFrameRateIsNoticed() throws {
        let dir = try TestMedia.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("vfr.mp4").path
        try makeVariableFrameRate(path)
        let info = try MediaProbe.probe(path)
        #expect(info.video?.variableFrameRate == true)
    }
}

/// Frames at 30 fps for the first second, then 10 fps: timestamps a constant-rate reading would get wrong.
func makeVariableFrameRate(_ path: String) throws {
    try TestMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30:duration=3",
                          "-vf", "select='lt(t,1)+not(mod(n,3))'",
                          "-fps_mode", "vfr", "-c:v", "libx264", "-pix_fmt", "yuv420p", path])
}
