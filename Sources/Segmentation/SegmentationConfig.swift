import Tunables

/// The settings of every Segmentation unit, one group per unit. Each setting is declared once, with its
/// default, its range and its meaning (`bellwork settings` prints them all); why a default is what it is
/// lies in `docs/TUNING.md`.
public struct SegmentationConfig: Codable, Sendable, Equatable {
    /// Shared by every unit: the shortest transition reported (the contract echoes it at the top of `settings`).
    public var minTransitionSeconds = 8.0
    public var features = FeatureSettings()
    public var bellTracker = BellTrackerSettings()
    public var bellDetector = BellDetectorSettings()
    public var segmenter = SegmenterSettings()
    public var kinds = KindSettings()
    /// The boosted trees of the transition score (`segmenter.scoreByTrees`): fitted by `scripts/fit.py model
    /// --trees` (`SegmenterTrees.swift`); `bellwork segment --score-trees` puts others in for a fit's folds. Not a
    /// setting: never written with the settings.
    public var scoreTrees = ScoreTrees.fitted
    /// The boosted trees of the kinds (`kinds.byTrees`): fitted by `scripts/fit.py model --trees`
    /// (`SegmenterTrees.swift`); `bellwork segment --kind-trees` puts others in for a fit's folds. Not a setting.
    public var kindTrees = KindTrees.fitted

    enum CodingKeys: String, CodingKey {
        case minTransitionSeconds, features, bellTracker, bellDetector, segmenter, kinds
    }

    public init() {}

    /// The range of `minTransitionSeconds`.
    public static let minTransitionRange = 0.0...3600.0

    /// Checks every group and `minTransitionSeconds`. Throws the first bad setting.
    public func validate() throws(SettingError) {
        try require(Self.minTransitionRange.contains(minTransitionSeconds), "minTransitionSeconds",
                    "\(minTransitionSeconds) is outside 0...3600")
        try features.validate(prefix: "features.")
        try bellTracker.validate(prefix: "bellTracker.")
        try bellDetector.validate(prefix: "bellDetector.")
        try segmenter.validate(prefix: "segmenter.")
        try kinds.validate(prefix: "kinds.")
    }
}

/// How the per-step features are measured from the analysis pictures and audio (`FeatureExtractor`,
/// `VideoFeatures`). Fixed once features are extracted: `bellwork segment` cannot change them.
public struct FeatureSettings: SettingsGroup {
    @Setting(0.1...5, "Length of one step of the per-step series, in seconds.")
    public var stepSeconds = 0.5
    @Setting(1...64, "Columns of the grid over which motion spread is measured.")
    public var motionGridColumns = 8
    @Setting(1...64, "Rows of that grid.")
    public var motionGridRows = 6
    @Setting(0...1, "Quantile of a cell's per-step differences over the lesson that is its noise floor (low, so a lesson mostly in motion keeps a still floor).")
    public var cellFloorQuantile = 0.2
    @Setting(1...100, "A cell moves in a step when its mean absolute difference exceeds this multiple of its noise floor ...")
    public var cellNoiseFactor = 3.5
    @Setting(0...255, "... and that floor by at least this many luma levels.")
    public var cellMinimumDifference = 1.5
    @Setting(0...300, "Window, in seconds, over which the reach of motion (share of cells that moved at least once) is measured.")
    public var sweepWindowSeconds = 10.0
    @Setting(0...2, "Steps in which at least this share of the grid moved (the whole picture changed) do not count in the reach; above 1: all count.")
    public var reachWholePictureShare = 0.9
    @Setting(0...1, "Quantile of the cells' noise floors that is the camera's own noise (for the share of the picture active).")
    public var cameraFloorQuantile = 0.25
    @Setting(0...1, "In a step in which the camera moved, the quantile of the step's cells that is a floor too (what is left after the camera's motion is taken out).")
    public var cameraResidualQuantile = 0.25
    @Setting(0...0.5, "The largest camera motion measured between two analysis pictures, as a share of the picture's width (at most a grid cell).")
    public var cameraMaxShiftShare = 0.06
    @Setting(0...1, "A camera shift is taken when the pictures' profiles match at it with at most this share of their mismatch unshifted ...")
    public var cameraShiftGain = 0.6
    @Setting(0...255, "... and that unshifted mismatch is over this many luma levels.")
    public var cameraShiftNoise = 0.25
    @Setting("Take the camera's shift out by moving both pictures half of its fraction of a pixel, in opposite directions, so both are interpolated alike; off: the previous picture alone is moved by the whole fraction (interpolation softens it, and its fine detail then reads as motion while the camera moves).")
    public var cameraShiftSplit = true
    @Setting(0...10, "Motion is measured from one pair of analysis pictures in each this many seconds (the first pair whose earlier picture lies in it), held over the steps until the next; 0: every pair, averaged per step. One pair a second is what a decoder that decodes only each key frame and the picture after it (key-frame bursts) sees in a file with a key frame each second, so that every decoding measures the same.")
    public var motionPairSeconds = 1.0
    @Setting(0.01...1, "Length of one hop of the short-term sound level, in seconds.")
    public var audioHopSeconds = 0.05
    @Setting(0...60, "Window, in seconds, over which the variation of the short-term level is measured.")
    public var audioVariationWindowSeconds = 4.0
    @Setting(-200...0, "Level in dBFS reported for digital silence, and below which (+3 dB) a step is silent.")
    public var silenceDb = -70.0
    @Setting(64...8192, "Samples per spectral frame at the analysis rate (a power of two; 1024 at 32 kHz is 32 ms).")
    public var fftSize = 1024
    @Setting(1...8192, "Samples between spectral frames (at most fftSize).")
    public var fftHop = 512

    public init() {}

    public func validateRelations(prefix: String) throws(SettingError) {
        try require(fftSize & (fftSize - 1) == 0, prefix + "fftSize", "\(fftSize) is not a power of two")
        try require(fftHop <= fftSize, prefix + "fftHop", "\(fftHop) is more than fftSize (\(fftSize))")
    }
}

/// How runs of bell-like sound become bell candidates (`BellTracker` over the bell band, `TonalTracker` over
/// fixed partials, `SpectralKernel`'s bands). Fixed once features are extracted.
public struct BellTrackerSettings: SettingsGroup {
    @Setting(100...24000, "Lower edge, in Hz, of the band a bell rings in.")
    public var bellBandLowHz = 2_000.0
    @Setting(100...24000, "Upper edge, in Hz, of the bell band (at most half the analysis rate counts).")
    public var bellBandHighHz = 15_000.0
    @Setting(0...4000, "Lower edge, in Hz, of the voice band (which ends where the bell band starts).")
    public var voiceBandLowHz = 100.0
    @Setting(0.5...120, "Seconds of bell-band level behind each frame from which its noise floor is taken.")
    public var bellFloorSeconds = 8.0
    @Setting(0...1, "Percentile of those levels that is the floor.")
    public var bellFloorPercentile = 0.2
    @Setting(0...60, "A frame is bright (bell-like) when the bell band rises this many dB above its floor ...")
    public var bellRiseDb = 12.0
    @Setting(0...60, "Once a ring has started, a frame continues it when the bell band stays this far above its floor (hysteresis) ...")
    public var bellHoldRiseDb = 6.0
    @Setting(-60...60, "... and the bell band minus the voice band (dB) is at least this ...")
    public var bellMinTiltDb = -6.0
    @Setting(-60...60, "... or the bell band rises over its floor at least as much as the voice band does, less this margin (dB).")
    public var bellMaskingMarginDb = 6.0
    @Setting(-60...60, "A dull frame still continues a run whose mean tilt (bell minus voice band, dB) is at least this.")
    public var bellMinMeanTiltDb = -5.0
    @Setting(0...5, "Gaps of at most this many seconds inside a ring are bridged.")
    public var bellGapSeconds = 0.15
    @Setting(0...60, "A run splits at an onset: the bell band's last 64 ms this many dB over the run's mean so far ...")
    public var bellOnsetJumpDb = 10.0
    @Setting(0...60, "... once the run has lasted this many seconds.")
    public var bellOnsetMinRunSeconds = 0.5
    @Setting(0...60, "A frame holds a ring's level when within this many dB of its loud level (its sustain).")
    public var bellSustainDb = 12.0
    @Setting(0.05...60, "Runs shorter than this many seconds are not candidates.")
    public var bellMinSeconds = 0.8
    @Setting(0.1...600, "The longest ring of fixed partials followed, in seconds.")
    public var bellMaxSeconds = 10.0
    @Setting(500...8000, "Upper edge, in Hz, of the part of the bell band where harmonicity (a voice's comb) is measured.")
    public var harmonicBandHighHz = 5_000.0
    @Setting(50...2000, "Lowest voice pitch, in Hz, whose harmonic comb is looked for ...")
    public var voicePitchLowHz = 180.0
    @Setting(50...2000, "... and the highest.")
    public var voicePitchHighHz = 500.0
    @Setting(20...8000, "Lower edge, in Hz, of the band where rings of fixed partials (chimes, buzzers) are looked for.")
    public var tonalBandLowHz = 125.0
    @Setting(20...8000, "Upper edge, in Hz, of that band.")
    public var tonalBandHighHz = 4_000.0
    @Setting(0...60, "A bin holds a partial when it is a local maximum this many dB over the bins two away.")
    public var tonalPeakDb = 8.0
    @Setting(0...120, "... and is at most this many dB below the frame's strongest peak in the band (a pure tone's window sidelobes, 31 dB and more below it, are not partials).")
    public var tonalPartialRangeDb = 30.0
    @Setting(0...10, "A partial is persistent once it has held its frequency this many seconds (speech pitch moves sooner).")
    public var tonalPersistSeconds = 0.32
    @Setting(0...10, "Gaps of at most this many seconds without a persistent partial are bridged inside a ring.")
    public var tonalGapSeconds = 0.32
    @Setting(0...10, "Seconds before a ring over which the room's level is taken, to tell a new sound from a tail.")
    public var tonalOnsetSeconds = 0.5
    @Setting(0...60, "A bin also holds a partial, under a louder room, when its level (smoothed over about 0.1 s) rises this many dB over its own floor and this much more than the bins two away rose over theirs (a new narrow line: a chime under chatter); 0: off.")
    public var tonalLineRiseDb = 6.0
    @Setting(0.5...60, "Seconds over which a bin's floor follows its level upward, for tonalLineRiseDb (downward it follows 4 times faster).")
    public var tonalLineFloorSeconds = 4.0
    @Setting(0...65536, "Samples per frame of a second, finer spectrum over which rings of fixed partials are also followed (a power of two; 0: off): at 32 kHz, 4096 resolves lines 8 Hz apart, so a far bell's partials stand over chatter in their own bins where the coarser frames see none (its candidates are judged by their own trees, `BellModel.fine`).")
    public var fineFftSize = 4096
    @Setting(20...8000, "Lower edge, in Hz, of the band the finer spectrum is searched in ...")
    public var fineBandLowHz = 250.0
    @Setting(20...8000, "... and its upper edge (a bell heard through a wall or a door keeps little above 3 kHz).")
    public var fineBandHighHz = 3_000.0

    public init() {}

    public func validateRelations(prefix: String) throws(SettingError) {
        try require(bellBandLowHz < bellBandHighHz, prefix + "bellBandLowHz", "must be below bellBandHighHz")
        try require(voiceBandLowHz < bellBandLowHz, prefix + "voiceBandLowHz", "must be below bellBandLowHz")
        try require(harmonicBandHighHz > bellBandLowHz, prefix + "harmonicBandHighHz", "must be above bellBandLowHz")
        try require(voicePitchLowHz < voicePitchHighHz, prefix + "voicePitchLowHz", "must be below voicePitchHighHz")
        try require(tonalBandLowHz < tonalBandHighHz, prefix + "tonalBandLowHz", "must be below tonalBandHighHz")
        try require(fineFftSize == 0 || (fineFftSize >= 64 && fineFftSize & (fineFftSize - 1) == 0), prefix + "fineFftSize",
                    "\(fineFftSize) is not 0 or a power of two from 64")
        try require(fineBandLowHz < fineBandHighHz, prefix + "fineBandLowHz", "must be below fineBandHighHz")
        try require(bellMinSeconds <= bellMaxSeconds, prefix + "bellMinSeconds", "must be at most bellMaxSeconds")
    }
}

/// Which candidates are bells, how sure, and which one starts the class (`BellDetector`). How sure is not a
/// setting: it is the fitted classifier's probability (`BellModel`, `BellTrees.swift`, made by
/// `scripts/fit_bells.py` on the bell library), calibrated on trials it was not fitted on.
public struct BellDetectorSettings: SettingsGroup {
    @Setting(0...60, "A ring lasts at least this many seconds (dings, ticks and beeps are shorter) ...")
    public var bellMinSeconds = 0.8
    @Setting(0...600, "... and at most this many (longer bright sound is machinery or noise).")
    public var bellMaxSeconds = 10.0
    @Setting(0...1, "Candidates below this confidence are not bells.")
    public var bellMinConfidence = 0.55
    @Setting("Report the calibrated confidence (`BellTrees.calibration`: the share of bells found right at each probability of the trees, fitted on trials held out); off: the trees' probability as it is. The two settings above and below read it.")
    public var calibrated = true
    @Setting(0...1, "The bell that starts the class is looked for in this leading share of the recording.")
    public var bellSearchFraction = 0.6
    @Setting(0...1, "The starting bell is the earliest event there whose confidence is within this of the most confident one.")
    public var bellPreferenceMargin = 0.15
    @Setting(0...1, "Candidates at least this sure that overlap or follow one another closely are one event (a chime's notes, a bell heard by both trackers), dated at its first ...")
    public var bellEventConfidence = 0.1
    @Setting(0...10, "... when each starts at most this many seconds after the event so far ended.")
    public var bellEventGapSeconds = 1.0

    public init() {}
}

/// How the per-step features become transitions and on-task stretches (`Segmenter`).
public struct SegmenterSettings: SettingsGroup {
    @Setting(0...255, "A picture whose mean luma is below this is black.")
    public var blackLuma = 20.0
    @Setting(0...255, "A picture pair whose mean absolute difference is below this is frozen.")
    public var frozenDifference = 0.05
    @Setting(0...3600, "In a recording without sound, a frozen picture is no usable signal only in stretches at least this long: a still class filmed at a low bitrate gives identical pictures for seconds, and without sound nothing says the recording stopped.")
    public var deadWithoutSoundMinSeconds = 20.0
    @Setting(0...255, "In a recording without sound, a picture pair is frozen only when its mean absolute difference is below this (and below frozenDifference): a stalled camera repeats its pictures exactly, where a still class filmed at a low bitrate still changes a little now and then.")
    public var frozenDifferenceWithoutSound = 0.005
    @Setting(0...2, "A step in which at least this share of the grid moved is the whole picture changing (camera moved, re-exposing), not the class; above 1: never.")
    public var wholePictureSpread = 0.9
    @Setting(0...120, "Seconds of median smoothing applied to the transition score.")
    public var smoothingSeconds = 5.0
    @Setting(0...1, "Quantile of each signal over the lesson taken as its calm baseline when normalising.")
    public var baselineQuantile = 0.25
    @Setting(-10...10, "Weight of motion spread in the transition score.")
    public var spreadWeight = 0.1636
    @Setting(-10...10, "Weight of local motion in the transition score.")
    public var motionWeight = 0.448
    @Setting(-10...10, "Weight of the sound level in the transition score.")
    public var loudnessWeight = 0.0362
    @Setting(-10...10, "Score lost per dB that the level's variation falls below chatterVariationLowDb (steady group talk is not a transition).")
    public var steadyTalkWeight = 1.3523
    @Setting(-100...100, "Weight of the share of the picture moving (0...1), the same measure in every lesson.")
    public var spreadShareWeight = 0.7673
    @Setting(-100...100, "Weight of the reach of motion over a few seconds (0...1).")
    public var reachWeight = 1.6928
    @Setting(-100...100, "Weight of log((reach + 0.02) / (spread + 0.02)): movement that travels across the picture.")
    public var reachGainWeight = -0.2238
    @Setting(-100...100, "Weight of the share of the picture moving beyond the camera's own noise (0...1).")
    public var activeShareWeight = 0.8825
    @Setting(-10...10, "Weight of chatter: minus the dB by which the level's variation lies outside chatterVariationLowDb...chatterVariationHighDb (0 inside: a room of voices).")
    public var chatterWeight = 0.4588
    @Setting(-10...10, "Weight of the sound level's variation (dB, at most 12).")
    public var variationWeight = 0.2106
    @Setting(-100...100, "Weight of the lesson's median reach of motion (0...1): how busy the whole lesson is, the same at every step.")
    public var lessonReachWeight = 0.1617
    @Setting(-100...100, "Weight of the lesson's median share of the picture moving beyond the camera's noise (0...1).")
    public var lessonActiveWeight = 1.0426
    @Setting(-10...10, "Weight of the lesson's median chatter (dB, 0 or below).")
    public var lessonChatterWeight = 0.679
    @Setting(-100...100, "Weight of the reach of motion against the most the lesson reaches (its reach over a high quantile of its own, `relativeQuantile`): a class of eight on its feet reaches less of the picture than a class of thirty, but as much of where the class is. Read by the weighted sum only; the trees read the input itself.")
    public var relativeReachWeight = 0.0
    @Setting(-100...100, "Weight of the share of the picture active against the most the lesson's is (the same quantile). Read by the weighted sum only.")
    public var relativeActiveWeight = 0.0
    @Setting(0...1, "The quantile of a lesson's reach and active share that the relative inputs are measured against.")
    public var relativeQuantile = 0.9
    @Setting(0...10, "A camera moving faster than this (picture widths per second) does not show the class's own motion.")
    public var cameraMovingSpeed = 0.08
    @Setting(0...3600, "A stretch at least this long of such camera motion is unknown, with a camera-moving warning.")
    public var cameraMovingMinSeconds = 8.0
    @Setting(0...600, "Pauses of the camera's motion up to this many seconds between two such stretches belong to them (a camera carried about slows at the end of each sweep).")
    public var cameraMovingBridgeSeconds = 2.0
    @Setting(0...1, "No class in view: the reach of motion stays below this share of the picture ...")
    public var emptyReach = 0.03
    @Setting(0...60, "... the sound's level varies less than this many dB (no teacher's voice: room tone and distant sounds vary less) ...")
    public var emptyVariationDb = 6.0
    @Setting(0...3600, "... for at least this many seconds: unknown, with a no-class-in-view warning.")
    public var emptyMinSeconds = 30.0
    @Setting("Score transitions by the fitted boosted trees over the score's inputs (`SegmentationConfig.scoreTrees`): the score is transitionThreshold + transitionSoftness × the trees' log-odds, so the settings that read it keep their meaning; off: the weighted sum of the inputs (the weights above), and without a picture the band test on the sound's variation.")
    public var scoreByTrees = true
    @Setting(-20...20, "Transition score (robust standard deviations) at which a step is more likely a transition.")
    public var transitionThreshold = 1.2019
    @Setting(-20...20, "Hysteresis: a transition grows into neighbouring steps scoring at least this; at or above transitionThreshold: no growing.")
    public var transitionExtendThreshold = 1.1
    @Setting(-20...20, "Settling: a transition's trailing edge grows over steps scoring this much over the baseline of the work after it; 0 or less: no settling tail.")
    public var settleMarginScore = 0.0
    @Setting(0...600, "How far, in seconds, a transition's trailing edge may grow into settling.")
    public var settleMaxSeconds = 15.0
    @Setting(0...3600, "How many seconds of the work after a transition set the level settling is measured against.")
    public var settleLookaheadSeconds = 30.0
    @Setting(0...60, "Sound whose level variation (dB) lies between this (the chatter inputs; without a picture and scoreByTrees off, the band test) ...")
    public var chatterVariationLowDb = 2.6
    @Setting(0...60, "... and this sounds like a transition's chatter.")
    public var chatterVariationHighDb = 5.0
    @Setting(0...100, "Without a picture and scoreByTrees off: score lost per dB of variation outside that band (with the trees, ScoreTrees.soundOnly judges).")
    public var soundOnlySlope = 4.0
    @Setting(-20...20, "Without a picture and scoreByTrees off: the score inside the band.")
    public var soundOnlyBias = 3.0
    @Setting(0.001...100, "Spread of the logistic that turns the score into a probability.")
    public var transitionSoftness = 0.5
    @Setting(1e-9...0.5, "Probability per step of leaving a state in the two-state model (lower is stickier).")
    public var switchProbability = 0.008
    @Setting(0...3600, "On-task stretches shorter than this many seconds between two transitions become part of the transition.")
    public var minOnTaskSeconds = 8.0
    @Setting(0...3600, "An on-task start of the recording shorter than this, before a transition, joins it (with a picture only).")
    public var minLeadingOnTaskSeconds = 20.0
    @Setting(0...3600, "An on-task end of the recording shorter than this, after a transition, joins it.")
    public var minTrailingOnTaskSeconds = 8.0
    @Setting(0...3600, "Unknown stretches (no picture and no sound) shorter than this many seconds are absorbed.")
    public var minUnknownSeconds = 5.0
    @Setting(0...3600, "A judged stretch (on task or transition) shorter than this many seconds between two unknown stretches (or at an end of the recording, beside an unknown stretch at least this long) becomes unknown: a moment of sound in an empty room, or a carried camera at rest for a breath, is too little of a class to judge.")
    public var minJudgedAmidUnknownSeconds = 20.0

    public init() {}

    public func validateRelations(prefix: String) throws(SettingError) {
        try require(chatterVariationLowDb <= chatterVariationHighDb, prefix + "chatterVariationLowDb",
                    "must be at most chatterVariationHighDb")
    }
}

/// Which on-task kind a stretch is (`Segmenter`'s kinds): a linear model over how the room sounds and how
/// much of the picture moves (`KindInput`), fitted (docs/TUNING.md). Independent work is the reference: a
/// step is instruction or group when that kind's score `bias + Σ weight × input` is above 0 and above the
/// other's.
public struct KindSettings: SettingsGroup {
    @Setting(-100...100, "Instruction's score: its constant ...")
    public var instructionBias = -0.0959
    @Setting(-100...100, "... weight of the level above the lesson's median (dB) ...")
    public var instructionLevelWeight = 0.3153
    @Setting(-100...100, "... weight of the level's variation (dB): one voice rising and falling ...")
    public var instructionVariationWeight = 0.4401
    @Setting(-100...100, "... weight of the share of the picture moving ...")
    public var instructionSpreadWeight = -1.0557
    @Setting(-100...100, "... weight of the reach of motion ...")
    public var instructionReachWeight = -0.7739
    @Setting(-100...100, "... of there being a picture (1) or not (0) ...")
    public var instructionPictureWeight = 0.2625
    @Setting(-100...100, "... and of there being sound (1) or not (0).")
    public var instructionSoundWeight = -1.9781
    @Setting(-100...100, "Group work's score: its constant ...")
    public var groupBias = 0.2346
    @Setting(-100...100, "... weight of the level above the lesson's median (dB) ...")
    public var groupLevelWeight = 0.6947
    @Setting(-100...100, "... weight of the level's variation (dB) ...")
    public var groupVariationWeight = -1.0879
    @Setting(-100...100, "... weight of the share of the picture moving ...")
    public var groupSpreadWeight = 0.9657
    @Setting(-100...100, "... weight of the reach of motion ...")
    public var groupReachWeight = 0.8165
    @Setting(-100...100, "... of there being a picture (1) or not (0) ...")
    public var groupPictureWeight = -0.065
    @Setting(-100...100, "... and of there being sound (1) or not (0).")
    public var groupSoundWeight = 3.9847
    @Setting(0...600, "Seconds of the sliding majority over which kinds are smoothed; no on-task segment is shorter unless its stretch is.")
    public var smoothingSeconds = 30.0
    @Setting("Choose each step's kind by the fitted boosted trees over the kind inputs and the score's (`SegmentationConfig.kindTrees`); off: the linear scores above.")
    public var byTrees = true

    public init() {}
}
