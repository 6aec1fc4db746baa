import Foundation
import LessonMetrics
import Testing
@testable import Segmentation

@Suite struct BellDetectorTests {
    let detector = BellDetector()

    /// A ring in the bell band; by default one that stands out from the voices (12 dB more rise, 10 dB above
    /// them) and is no comb of harmonics, so it carries the evidence a bell needs.
    func candidate(duration: Double = 2, rise: Double = 25, purity: Double = 0.3, slope: Double = 0,
                   share: Double = 0.95, tilt: Double = 10, excessRise: Double = 12, stable: Double = 0,
                   harmonicity: Double = 0.1) -> BellCandidate {
        BellCandidate(start: 10, end: 10 + duration, brightShare: share, meanRiseDb: rise, meanTiltDb: tilt,
                      meanPurity: purity, sustainShare: share, slopeDbPerSecond: slope, stableShare: stable,
                      excessRiseDb: excessRise, harmonicity: harmonicity)
    }

    /// A ring that passes every other rule is a bell only with evidence: fixed partials in the bell band, or a
    /// bell band standing out from the voices without being a voice's comb of harmonics. A burst of chatter
    /// stands out too little; laughter stands out but is harmonic.
    @Test func aRingNeedsEvidenceOfABell() {
        let chatter = candidate(tilt: -2, excessRise: 4, stable: 0, harmonicity: 0.42)
        #expect(chatter.standOutDb == 4)
        #expect(detector.confidence(chatter) == 0)
        let laughter = candidate(tilt: 1.5, excessRise: 12, stable: 0, harmonicity: 0.44)
        #expect(detector.confidence(laughter) == 0)
        #expect(detector.confidence(candidate(tilt: -2, excessRise: 4, stable: 0.1, harmonicity: 0.5)) >= 0.8)  // fixed partials (a buzzer)
        #expect(detector.confidence(candidate(tilt: -2, excessRise: 7, stable: 0, harmonicity: 0.15)) >= 0.8)  // lifted past the voices
        #expect(candidate(tilt: 3, excessRise: 4).standOutDb == 7)                                            // standing above them
        #expect(detector.confidence(candidate(tilt: 3, excessRise: 4)) >= 0.8)
        #expect(detector.startingBell([chatter], duration: 60) == nil)
        #expect(detector.startingBell([laughter], duration: 60) == nil)
    }

    /// A ring of fixed partials is judged by its partial-seconds: a long ring may hold few partials (a buzzer
    /// half drowned by group talk), a short one needs many (a chime's notes); a ding's short, thin ring fails.
    @Test func tonalRingsNeedEnoughPartialSeconds() {
        func ring(_ seconds: Double, partials: Double) -> BellCandidate {
            BellCandidate(start: 5, end: 5 + seconds, brightShare: 1, meanRiseDb: 15, meanTiltDb: 0, meanPurity: 0,
                          sustainShare: 1, slopeDbPerSecond: 0, meanPartials: partials)
        }
        #expect(detector.confidence(ring(2.6, partials: 1.3)) >= 0.5)
        #expect(detector.confidence(ring(1.0, partials: 2.7)) >= 0.5)
        #expect(detector.confidence(ring(1.3, partials: 1.35)) == 0)   // a phone's ring in the trials: 1.8 partial-seconds
        #expect(detector.confidence(ring(3.0, partials: 1.1)) == 0)    // too few at once
        #expect(detector.confidence(ring(0.6, partials: 5)) == 0)      // too short
    }

    @Test func sustainedBrightRingIsABell() {
        #expect(detector.confidence(candidate()) >= 0.8)
    }

    @Test func hardRulesRejectNonBells() {
        #expect(detector.confidence(candidate(duration: 0.5)) == 0)    // a ding or a beep
        #expect(detector.confidence(candidate(duration: 20)) == 0)     // machinery
        #expect(detector.confidence(candidate(slope: -28)) == 0)       // a struck note fading
        #expect(detector.confidence(candidate(purity: 0.95)) == 0)     // one pure partial
        #expect(detector.confidence(candidate(share: 0.2)) == 0)       // bursts, not a ring
    }

    @Test func levelSwingingLikeSpeechIsNotABell() {
        var c = candidate()
        c.levelSwingDb = 2
        #expect(detector.confidence(c) >= 0.8)
        c.levelSwingDb = 5
        #expect(detector.confidence(c) == 0)
    }

    /// A doubtful burst (barely over the floor) before a clear bell does not win by being earlier; a bell
    /// about as sure as a later one does.
    @Test func aClearBellWinsOverAnEarlierDoubtfulOne() {
        var doubtful = candidate(duration: 1, rise: 12.5, share: 0.65)
        doubtful.start = 2; doubtful.end = 3
        var clear = candidate()
        clear.start = 16; clear.end = 18
        #expect(detector.confidence(doubtful) < detector.confidence(clear) - SegmentationConfig().bellPreferenceMargin)
        #expect(detector.startingBell([doubtful, clear], duration: 180)?.timeSeconds == 16)
        var alsoClear = candidate(rise: 22)
        alsoClear.start = 40; alsoClear.end = 42
        #expect(detector.startingBell([clear, alsoClear], duration: 180)?.timeSeconds == 16)
    }

    /// A bell heard by both trackers is one event, dated by its more confident view: here the bell band's
    /// ring was drawn out a second early by chatter before it, and the partials date the bell.
    @Test func overlappingCandidatesAreOneEvent() {
        var drawnOut = candidate(rise: 22, share: 0.85)
        drawnOut.start = 17.1; drawnOut.end = 22.4
        let partials = BellCandidate(start: 18.22, end: 22.43, brightShare: 1, meanRiseDb: 26, meanTiltDb: 0,
                                     meanPurity: 0, sustainShare: 1, slopeDbPerSecond: 0, meanPartials: 4)
        #expect(detector.confidence(drawnOut) < detector.confidence(partials))
        #expect(detector.confidence(drawnOut) >= detector.confidence(partials) - SegmentationConfig().bellPreferenceMargin)
        #expect(detector.startingBell([drawnOut, partials], duration: 120)?.timeSeconds == 18.22)
        // Apart, the earlier of two about equally sure bells still starts the class.
        var apart = drawnOut
        apart.start = 5; apart.end = 8
        #expect(detector.startingBell([apart, partials], duration: 120)?.timeSeconds == 5)
    }

    @Test func startingBellIsTheEarliestConfidentOneInTheLeadingPart() {
        var late = candidate()
        late.start = 500; late.end = 502
        var early = candidate()
        early.start = 61.234; early.end = 63
        let weak = candidate(duration: 0.4)
        let bell = detector.startingBell([late, weak, early], duration: 600)
        #expect(bell?.timeSeconds == 61.23)
        #expect(bell?.source == .detected)
        #expect(detector.startingBell([late], duration: 600) == nil)
        #expect(detector.startingBell([], duration: 600) == nil)
    }

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
            t += Double(s.count) / 16_000 + 1.5
            if t > 55 { break }
        }
        return mix
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
        let found = detector.startingBell(series.bellCandidates, duration: 60)
        #expect(found != nil, "no bell found for \(file) at \(expected) s (gain \(gain)); candidates \(series.bellCandidates)")
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
        let candidates = TestSupport.features(audio: mix).bellCandidates
        let found = try #require(detector.startingBell(candidates, duration: 60), "\(candidates)")
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
        let found = detector.startingBell(series.bellCandidates, duration: 60)
        #expect(found == nil, "\(file) taken for a bell: \(String(describing: found)); \(series.bellCandidates)")
    }

    @Test func timerTicksAloneAreNotABell() throws {
        var mix = TestSupport.roomNoise(seconds: 30, db: -50)
        let timer = try TestSupport.decodeAudio(TestSupport.media("bells/minetest_classroom__timer_bell.ogg"))
        TestSupport.mixIn(Array(timer.prefix(Int(10.4 * 16_000))), into: &mix, at: 5, gain: 0.5)
        let series = TestSupport.features(audio: mix)
        #expect(detector.startingBell(series.bellCandidates, duration: 30) == nil, "\(series.bellCandidates)")
    }

    @Test func speechAndRoomAloneHaveNoBell() throws {
        let series = TestSupport.features(audio: try Self.room(seed: 3))
        #expect(detector.startingBell(series.bellCandidates, duration: 60) == nil, "\(series.bellCandidates)")
    }
}
