import Foundation
import LessonMetrics
import Testing
@testable import Segmentation

/// The bell detector on real recordings of bells, rings and voices (`../shared/media`), decoded with
/// MediaReader and mixed into a room.
@Suite struct RecordedBellTests {
    let detector = BellDetector()

    // MARK: Real recordings, decoded with MediaReader and mixed into a room

    static let bells = [("bells/open-school-bell__bell.mp3", 0.27), ("bells/minetest_classroom__timer_bell.ogg", 10.57)]
    static let notBells = ["bells/freedesktop__alarm-clock-elapsed.oga", "bells/freedesktop__bell.oga",
                           "bells/yaru__bell.oga", "bells/freedesktop__complete.oga",
                           "bells/freedesktop__phone-incoming-call.oga", "bells/oxygen__Oxygen-Im-Phone-Ring.ogg"]

    /// A 60 s room: noise, a teacher's prompts from 2 s on, more voices later.
    static func room(seed: UInt64) throws -> [Float] {
        var mix = TestSupport.roomNoise(seconds: 60, db: -50, seed: seed)
        let voices = ["speech/asterisk__en_US_f_Allison__vm-intro.wav", "speech/asterisk__it_IT_m_Carlo__tt-weasels.wav",
                      "speech/whisper__jfk.flac", "speech/asterisk__fr_CA_f_June__conf-onlyperson.wav",
                      "speech/pyannote__sample.wav"]
        var t = 2.0
        for (i, v) in voices.enumerated() {
            let s = try TestSupport.decodeAudio(TestSupport.media(v))
            TestSupport.mixIn(s, into: &mix, at: t, gain: i % 2 == 0 ? 0.5 : 0.3)
            t += Double(s.count) / Double(TestSupport.rate) + 1.5
            if t > 55 { break }
        }
        return mix
    }

    /// What the analysis judges a candidate in: the voice band around it (`LessonSegmentation` gives the detector
    /// the same).
    static func context(_ series: FeatureSeries) -> BellContext {
        BellContext(voiceDb: series.voiceDb, stepSeconds: series.stepSeconds)
    }

    /// (file, where its ring starts in the file, gain, where the ring starts in the mix, with speech)
    static let placements: [(String, Double, Float, Double, Bool)] = [
        (bells[0].0, bells[0].1, 0.25, 14, true), (bells[0].0, bells[0].1, 0.08, 24, true),
        (bells[0].0, bells[0].1, 0.6, 33, true), (bells[0].0, bells[0].1, 0.1, 20, false),
        (bells[1].0, bells[1].1, 0.6, 33, true), (bells[1].0, bells[1].1, 0.25, 14, false),
    ]

    @Test(arguments: placements)
    func findsRealBellsMixedIntoARoom(placement: (String, Double, Float, Double, Bool)) throws {
        let (file, ringsAt, gain, expected, speech) = placement
        let at = expected - ringsAt
        var mix = speech ? try Self.room(seed: 11) : TestSupport.roomNoise(seconds: 60, db: -50, seed: 11)
        let sound = try TestSupport.decodeAudio(TestSupport.media(file))
        TestSupport.mixIn(sound, into: &mix, at: at, gain: gain)
        let series = TestSupport.features(audio: mix)
        let found = detector.startingBell(series.bellCandidates, duration: 60, context: Self.context(series))
        let sure = detector.decide(series.bellCandidates, duration: 60, context: Self.context(series)).confidences
        let heard = zip(series.bellCandidates, sure).map { String(format: "%.2f s: %.2f", $0.start, $1) }
        #expect(found != nil, "no bell found for \(file) at \(expected) s (gain \(gain)); candidates at \(heard)")
        if let found {
            #expect(abs(found.timeSeconds - expected) <= 1.0, "\(file): found \(found.timeSeconds), rings at \(expected)")
            #expect((found.confidence ?? 0) >= 0.5)
        }
    }

    /// A timer's rattle at 0.1 in a quiet room: its level dips between strikes, so the ring is held
    /// together by the tracker's hysteresis (`bellHoldRiseDb`).
    @Test func faintTimerRingInAQuietRoom() throws {
        var mix = TestSupport.roomNoise(seconds: 60, db: -50, seed: 11)
        let sound = try TestSupport.decodeAudio(TestSupport.media(Self.bells[1].0))
        TestSupport.mixIn(sound, into: &mix, at: 24 - Self.bells[1].1, gain: 0.1)
        let series = TestSupport.features(audio: mix)
        let candidates = series.bellCandidates
        let found = try #require(detector.startingBell(candidates, duration: 60, context: Self.context(series)), "\(candidates)")
        #expect(abs(found.timeSeconds - 24) <= 1, "found \(found.timeSeconds); \(candidates)")
    }

    @Test(arguments: notBells)
    func ignoresRingsBeepsAndDings(file: String) throws {
        var mix = try Self.room(seed: 5)
        let sound = try TestSupport.decodeAudio(TestSupport.media(file))
        for (k, at) in [8.0, 24.0, 41.0].enumerated() {
            TestSupport.mixIn(sound, into: &mix, at: at, gain: [0.5, 0.15, 1.0][k])
        }
        let series = TestSupport.features(audio: mix)
        let found = detector.startingBell(series.bellCandidates, duration: 60, context: Self.context(series))
        #expect(found == nil, "\(file) taken for a bell: \(String(describing: found)); \(series.bellCandidates)")
    }

    @Test func timerTicksAloneAreNotABell() throws {
        var mix = TestSupport.roomNoise(seconds: 30, db: -50)
        let timer = try TestSupport.decodeAudio(TestSupport.media("bells/minetest_classroom__timer_bell.ogg"))
        TestSupport.mixIn(Array(timer.prefix(Int(10.4 * Double(TestSupport.rate)))), into: &mix, at: 5, gain: 0.5)
        let series = TestSupport.features(audio: mix)
        #expect(detector.startingBell(series.bellCandidates, duration: 30, context: Self.context(series)) == nil, "\(series.bellCandidates)")
    }

    @Test func speechAndRoomAloneHaveNoBell() throws {
        let series = TestSupport.features(audio: try Self.room(seed: 3))
        #expect(detector.startingBell(series.bellCandidates, duration: 60, context: Self.context(series)) == nil, "\(series.bellCandidates)")
    }
}
