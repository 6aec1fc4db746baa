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
        #expect(detector.confidence(doubtful) < detector.confidence(clear) - SegmentationConfig().bellDetector.bellPreferenceMargin)
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
        #expect(detector.confidence(drawnOut) >= detector.confidence(partials) - SegmentationConfig().bellDetector.bellPreferenceMargin)
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
        #expect(bell?.timeSeconds == 61.234)   // unrounded: the result is rounded where it is written
        #expect(bell?.source == .detected)
        #expect(detector.startingBell([late], duration: 600) == nil)
        #expect(detector.startingBell([], duration: 600) == nil)
    }
}
