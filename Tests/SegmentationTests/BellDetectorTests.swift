import Foundation
import LessonMetrics
import Testing
@testable import Segmentation

@Suite struct BellDetectorTests {
    /// A detector with simple trees and no calibration, so the choice among candidates is tested apart from the
    /// fitted ones: a bell-band ring is judged by its rise alone (up to 15 dB: 0.25; to 23 dB: 0.57; more: 0.68), a
    /// ring of partials by how many it held (more than 3: 0.69); bells from 0.5.
    let detector = BellDetector(
        config: { var s = BellDetectorSettings(); s.bellMinConfidence = 0.5; return s }(),
        bandTrees: BoostedTrees(base: 0, roots: [0], feature: [1, -1, 1, -1, -1], threshold: [1.5, 0, 2.3, 0, 0],
                                left: [1, -1, 3, -1, -1], right: [2, -1, 4, -1, -1], value: [0, -1.1, 0, 0.3, 0.75]),
        tonalTrees: BoostedTrees(base: 0.8, roots: [0], feature: [2, -1, -1], threshold: [3, 0, 0], left: [1, -1, -1],
                                 right: [2, -1, -1], value: [0, -3.8, 0]),
        calibration: .identity, otherCalibration: .identity)

    /// A ring in the bell band.
    func candidate(duration: Double = 2, rise: Double = 25, purity: Double = 0.3, slope: Double = 0,
                   share: Double = 0.95, tilt: Double = 10, excessRise: Double = 12, stable: Double = 0,
                   harmonicity: Double = 0.1) -> BellCandidate {
        BellCandidate(start: 10, end: 10 + duration, brightShare: share, meanRiseDb: rise, meanTiltDb: tilt,
                      meanPurity: purity, sustainShare: share, slopeDbPerSecond: slope, stableShare: stable,
                      excessRiseDb: excessRise, harmonicity: harmonicity)
    }

    /// A sounding whose first part was found in the finer spectrum is dated by another tracker's part that starts
    /// within a second after it (its frames date an onset more sharply), else at the fine part; the fine part's own
    /// trees judge it.
    @Test func aFinePartGivesWayInDating() {
        let fineTrees = BoostedTrees(base: 2, roots: [0], feature: [-1], threshold: [0], left: [-1], right: [-1], value: [0])
        let withFine = BellDetector(config: detector.config, bandTrees: detector.bandTrees, tonalTrees: detector.tonalTrees,
                                    fineTrees: fineTrees, calibration: .identity, otherCalibration: .identity)
        func fine(_ start: Double) -> BellCandidate {
            BellCandidate(start: start, end: start + 3, brightShare: 1, meanRiseDb: 5, meanTiltDb: 0, meanPurity: 0,
                          sustainShare: 1, slopeDbPerSecond: 0, meanPartials: 2, holdSeconds: 1, fineLines: true)
        }
        func band(_ start: Double) -> BellCandidate {
            var c = candidate(rise: 25)
            c.start = start
            c.end = start + 2
            return c
        }
        #expect(BellModel.of(fine(9.9)) == .fine)
        #expect(abs(withFine.confidence(fine(9.9)) - 1 / (1 + exp(-2.0))) < 1e-12)
        let soon = withFine.startingBell([fine(9.9), band(10.3)], duration: 60)
        #expect(soon?.timeSeconds == 10.3, "\(String(describing: soon))")
        let late = withFine.startingBell([fine(9.9), band(11.2)], duration: 60)     // joined, but more than 1 s after
        #expect(late?.timeSeconds == 9.9, "\(String(describing: late))")
        let alone = withFine.startingBell([fine(9.9)], duration: 60)
        #expect(alone?.timeSeconds == 9.9, "\(String(describing: alone))")
        let bandFirst = withFine.startingBell([band(9.8), fine(9.9)], duration: 60)
        #expect(bandFirst?.timeSeconds == 9.8, "\(String(describing: bandFirst))")
    }

    /// The confidence is the trees' probability of the candidate's bounded inputs; only a length outside
    /// bellMinSeconds...bellMaxSeconds rules a candidate out.
    @Test func confidenceIsTheTreesProbability() {
        let c = candidate(rise: 25)
        #expect(abs(detector.confidence(c) - 1 / (1 + exp(-0.75))) < 1e-12)
        #expect(abs(detector.confidence(candidate(rise: 12.5)) - 1 / (1 + exp(1.1))) < 1e-12)
        #expect(detector.confidence(candidate(duration: 0.5)) == 0)
        #expect(detector.confidence(candidate(duration: 20)) == 0)
        let inputs = BellModel.inputs(c, BellSurroundings(followingRiseDb: 25, repeats: 5))
        #expect(inputs.count == BellModel.band.inputNames.count)
        #expect(inputs[0] == log(2.0) && inputs[1] == 2.5)
        let names = BellModel.band.inputNames
        #expect(inputs[names.firstIndex(of: "after")!] == 2.5 && inputs[names.firstIndex(of: "repeats")!] == 1)   // at most 3
        #expect(BellModel.inputs(candidate(rise: 400))[1] == 6)                    // rise bounded at 60 dB
        let ring = BellCandidate(start: 5, end: 8, brightShare: 1, meanRiseDb: 15, meanTiltDb: 0, meanPurity: 0,
                                 sustainShare: 1, slopeDbPerSecond: -5, meanPartials: 4, holdSeconds: 1)
        #expect(BellModel.of(ring) == .tonal && BellModel.of(c) == .band)
        #expect(BellModel.inputs(ring).prefix(8) == [log(3.0), 1.5, 4, log(12.0), 0, -0.5, 0, 0])
        #expect(BellModel.inputs(ring).count == BellModel.tonal.inputNames.count)
        var shaped = ring
        shaped.addedShares = [0, 0, 0.5, 0.5] + [Double](repeating: 0, count: BandPowers.count - 4)
        shaped.addedDb = 12
        let added = BellModel.tonal.inputNames.firstIndex(of: "added")!
        func shape(_ c: BellCandidate) -> [Double] { Array(BellModel.inputs(c)[added...(added + BandPowers.count)]) }
        #expect(shape(shaped) == [1.2, 0, 0, 0.5, 0.5] + [Double](repeating: 0, count: BandPowers.count - 4))
        shaped.addedShares = [0.5, 0.5]                                           // not one share a band: none
        #expect(shape(shaped).dropFirst() == ArraySlice([Double](repeating: 0, count: BandPowers.count)))
        // The lines' inputs close the list: none measured reads as no share, no rise and the lowest octave.
        #expect(BellModel.inputs(ring).suffix(BellModel.lineNames.count) == [0, 0, 0, 0, -3, 0])
        shaped.lines = LineDescriptors(share: 0.9, riseDb: 25, steadyDb: 1.5, hold: 1, hz: 4_000, count: 3)
        #expect(BellModel.inputs(shaped).suffix(BellModel.lineNames.count) == [0.9, 2.5, 0.15, 1, 2, 0.5])
        #expect(abs(detector.confidence(ring) - 1 / (1 + exp(-0.8))) < 1e-12)
        // The fitted trees take every input of their model.
        for model in BellModel.allCases {
            #expect(model.trees.feature.allSatisfy { $0 < model.inputNames.count }, "\(model)")
        }
    }

    /// Repeats: others found the same way, of about the same length, within 30 s, not overlapping it.
    @Test func repeatsCountRingsLikeIt() {
        func ring(_ start: Double, _ length: Double) -> BellCandidate {
            var c = candidate(duration: length)
            c.start = start; c.end = start + length
            return c
        }
        let phone = [ring(10, 2), ring(13, 2.2), ring(16, 1.8), ring(19, 2), ring(60, 2), ring(22, 5)]
        #expect(BellContext.repeats(of: 0, in: phone) == 3)    // not the one 50 s later, nor the longer one
        #expect(BellContext.repeats(of: 4, in: phone) == 0)
    }

    /// What follows a candidate: the voice band's median over the 10 s after it against the 10 s before it;
    /// nothing heard on one side gives 0.
    @Test func contextIsTheVoiceBandAfterAgainstBefore() {
        let voice: [Double?] = (0..<120).map { i in i < 40 ? -50 : (i < 44 ? -20 : -35) }   // 0.5 s steps
        let context = BellContext(voiceDb: voice, stepSeconds: 0.5)
        var c = candidate()
        c.start = 20; c.end = 22
        #expect(context.followingRise(c) == 15)
        c.start = 0.2; c.end = 2
        #expect(context.followingRise(c) == 0)
        #expect(BellContext.none.followingRise(c) == 0)
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

    /// Candidates that overlap or follow one another within bellEventGapSeconds are one event (a chime's notes
    /// found one by one, a bell heard by both trackers): as sure as its surest part, dated at its first, so a
    /// bell is dated where it began even when a later part of it is the clearest. A part too doubtful
    /// (under bellEventConfidence) joins nothing; a gap longer than bellEventGapSeconds parts two events.
    @Test func partsOfOneSoundingAreOneEventDatedAtItsFirst() {
        var firstNote = candidate(rise: 22, share: 0.85)          // 0.57
        firstNote.start = 17.1; firstNote.end = 19.0
        let partials = BellCandidate(start: 19.5, end: 22.4, brightShare: 1, meanRiseDb: 26, meanTiltDb: 0,
                                     meanPurity: 0, sustainShare: 1, slopeDbPerSecond: 0, meanPartials: 4)   // 0.69
        let decision = detector.decide([firstNote, partials], duration: 120)
        #expect(decision.bell?.timeSeconds == 17.1)
        #expect(decision.bell?.confidence == detector.confidence(partials))
        #expect(decision.chosen == 1)
        // Too doubtful to join: the event starts at the partials.
        var murmur = candidate(duration: 1, rise: 5)               // 0.25
        murmur.start = 16; murmur.end = 19.0
        let strict = BellDetector(config: { var s = detector.config; s.bellEventConfidence = 0.3; return s }(),
                                  bandTrees: detector.bandTrees, tonalTrees: detector.tonalTrees, calibration: .identity)
        #expect(strict.decide([murmur, partials], duration: 120).bell?.timeSeconds == 19.5)
        #expect(detector.decide([murmur, partials], duration: 120).bell?.timeSeconds == 16)
        // Apart (more than a second between them), the earlier of two about equally sure bells starts the class.
        var apart = firstNote
        apart.start = 5; apart.end = 8
        #expect(detector.startingBell([apart, partials], duration: 120)?.timeSeconds == 5)
        var later = partials
        later.start = 30; later.end = 33
        #expect(detector.events([firstNote, partials, later], probabilities: [0.57, 0.69, 0.69]).map(\.first) == [0, 2])
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

    /// A calibration maps the trees' probability through its knots (linear between them, flat beyond); the parts
    /// of a sounding are joined by the probabilities, and the bell and every candidate are reported, chosen and
    /// held to bellMinConfidence by the calibrated confidence. `calibrated` off reports the probability as it is.
    @Test func theConfidenceReportedIsCalibrated() {
        let halving = BellCalibration(raw: [0.2, 0.6, 0.8], calibrated: [0.1, 0.3, 0.9])
        #expect(halving(0) == 0.1 && halving(0.2) == 0.1)
        #expect(abs(halving(0.4) - 0.2) < 1e-12 && abs(halving(0.7) - 0.6) < 1e-12)
        #expect(halving(1) == 0.9 && halving(.nan) == 0)
        #expect(BellCalibration.identity(0.37) == 0.37)
        let calibrated = BellDetector(config: detector.config, bandTrees: detector.bandTrees, tonalTrees: detector.tonalTrees,
                                      calibration: halving)
        var firstNote = candidate(rise: 22, share: 0.85)          // 0.57
        firstNote.start = 17.1; firstNote.end = 19.0
        let partials = BellCandidate(start: 19.5, end: 22.4, brightShare: 1, meanRiseDb: 26, meanTiltDb: 0,
                                     meanPurity: 0, sustainShare: 1, slopeDbPerSecond: 0, meanPartials: 4)   // 0.69
        let p = calibrated.probability(partials)
        #expect(p == detector.confidence(partials) && calibrated.confidence(partials) == halving(p))
        // 0.69 maps to 0.57: a bell, dated at the first note (joined at its probability, 0.57, not its confidence, 0.29).
        let decision = calibrated.decide([firstNote, partials], duration: 120)
        #expect(decision.bell?.timeSeconds == 17.1)
        #expect(abs((decision.bell?.confidence ?? 0) - halving(p)) < 1e-12)
        #expect(decision.confidences == [halving(calibrated.probability(firstNote)), halving(p)])
        // A probability of 0.57 alone maps to 0.29, under the 0.5 a bell needs.
        #expect(calibrated.decide([firstNote], duration: 120).bell == nil)
        #expect(detector.decide([firstNote], duration: 120).bell != nil)
        // Off: the probability as it is, whatever calibration is given.
        let off = BellDetector(config: { var s = detector.config; s.calibrated = false; return s }(), bandTrees: detector.bandTrees,
                               tonalTrees: detector.tonalTrees, calibration: halving)
        #expect(off.confidence(partials) == p)
    }

    /// Every sounding is listed with how sure the detector is that it is the bell: the one taken for the bell (or
    /// the surest, when none is taken) by the bells' calibration, every other one by the others' (a sounding passed
    /// over is a bell less often than the surest at the same probability). Off, both are the probability.
    @Test func theOtherSoundingsHaveTheirOwnCalibration() {
        let bells = BellCalibration(raw: [0.2, 0.6, 0.8], calibrated: [0.1, 0.3, 0.9])
        let others = BellCalibration(raw: [0, 1], calibrated: [0, 0.5])
        let calibrated = BellDetector(config: detector.config, bandTrees: detector.bandTrees, tonalTrees: detector.tonalTrees,
                                      calibration: bells, otherCalibration: others)
        var clear = candidate(rise: 25)                            // 0.68
        clear.start = 30; clear.end = 32
        var firstNote = candidate(rise: 22, share: 0.85)          // 0.57
        firstNote.start = 17.1; firstNote.end = 19.0
        let partials = BellCandidate(start: 19.5, end: 22.4, brightShare: 1, meanRiseDb: 26, meanTiltDb: 0,
                                     meanPurity: 0, sustainShare: 1, slopeDbPerSecond: 0, meanPartials: 4)   // 0.69
        let p = [firstNote, partials, clear].map { calibrated.probability($0) }
        // The chime (its two parts one sounding, dated at the first) is taken: the bells' map; the ring after it, the others'.
        let decision = calibrated.decide([firstNote, partials, clear], duration: 120)
        #expect(decision.bell?.timeSeconds == 17.1)
        #expect(decision.soundings == [BellSounding(first: 0, surest: 1, confidence: bells(p[1])),
                                       BellSounding(first: 2, surest: 2, confidence: others(p[2]))])
        // None taken (0.57 maps to 0.29): the surest sounding in the search window still has the bells' map.
        let none = calibrated.decide([firstNote], duration: 120)
        #expect(none.bell == nil && none.soundings == [BellSounding(first: 0, surest: 0, confidence: bells(p[0]))])
        // Past the search window, nothing leads: every sounding has the others' map.
        var late = firstNote
        late.start = 100; late.end = 102
        #expect(calibrated.decide([late], duration: 120).soundings.map(\.confidence) == [others(p[0])])
        let off = BellDetector(config: { var s = detector.config; s.calibrated = false; return s }(), bandTrees: detector.bandTrees,
                               tonalTrees: detector.tonalTrees, calibration: bells, otherCalibration: others)
        #expect(off.decide([firstNote, partials, clear], duration: 120).soundings.map(\.confidence) == [p[1], p[2]])
    }
}
