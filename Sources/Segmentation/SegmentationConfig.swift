/// Every tunable of feature extraction, bell detection and segmentation, with documented defaults.
///
/// A result echoes `settingsDictionary()` in its `settings`, so the numbers that shaped it can be
/// reproduced. Decoding with a config decoded from JSON fills fields left out with their defaults.
public struct SegmentationConfig: Codable, Sendable, Equatable {
    // MARK: Steps
    /// Length of one step of the per-step series, in seconds.
    public var stepSeconds = 0.5

    // MARK: Motion
    /// Columns of the grid of cells over which motion spread is measured.
    public var motionGridColumns = 8
    /// Rows of that grid.
    public var motionGridRows = 6
    /// Quantile (0...1) of a cell's per-step differences over the lesson that is its noise floor
    /// (low, so that a lesson mostly in motion still has a still floor).
    public var cellFloorQuantile = 0.2
    /// A cell moves in a step when its mean absolute difference exceeds this multiple of its noise floor …
    public var cellNoiseFactor = 2.5
    /// … and exceeds that floor by at least this many luma levels.
    public var cellMinimumDifference = 1.5
    /// A picture whose mean luma is below this is black.
    public var blackLuma = 20.0
    /// A picture pair whose mean absolute difference is below this is frozen.
    public var frozenDifference = 0.05
    /// A step in which at least this share of the grid's cells changed is the whole picture changing, not
    /// the class: the camera picked up, bumped or panned, or re-exposing (a change of gain is not a pure
    /// offset, so `localMotion` keeps part of it). People fill part of the picture, these all of it. Such a
    /// step has no transition score of its own (its motion says nothing about the class, and a phone picked
    /// up is loud too): the smoothing fills it from its neighbours. More than 1: never.
    public var wholePictureSpread = 0.9

    // MARK: Audio level
    /// Length of one hop of the short-term level, in seconds.
    public var audioHopSeconds = 0.05
    /// Window, in seconds, over which the variation of the short-term level is measured.
    public var audioVariationWindowSeconds = 4.0
    /// Level in dBFS reported for digital silence, and below which a step is silent.
    public var silenceDb = -70.0

    // MARK: Spectrum and bell
    /// Samples per spectral frame (a power of two) at the 16 kHz analysis rate.
    public var fftSize = 512
    /// Samples between spectral frames.
    public var fftHop = 256
    /// Lower edge, in Hz, of the band a bell rings in.
    public var bellBandLowHz = 2_000.0
    /// Upper edge, in Hz, of the bell band.
    public var bellBandHighHz = 8_000.0
    /// Lower edge, in Hz, of the voice band (which ends where the bell band starts).
    public var voiceBandLowHz = 100.0
    /// Seconds of bell-band level behind each frame from which its noise floor is taken.
    public var bellFloorSeconds = 8.0
    /// Percentile (0...1) of those levels that is the floor.
    public var bellFloorPercentile = 0.2
    /// A frame is bright (bell-like) when the bell band rises this far above its floor …
    public var bellRiseDb = 12.0
    /// Once a ring has started, a frame continues it when the bell band stays this far above its floor and
    /// within `-bellMinTiltDb` of the voice band (hysteresis: a faint rattle dips between strikes).
    public var bellHoldRiseDb = 6.0
    /// … and is no more than this far below the voice band (bell band minus voice band, in dB).
    public var bellMinTiltDb = -6.0
    /// … or rises over its floor at least as much as the voice band does, less this margin (dB).
    public var bellMaskingMarginDb = 6.0
    /// Gaps of at most this many seconds inside a ring are bridged.
    public var bellGapSeconds = 0.15
    /// A run of bright frames splits at an onset: where the bell band's level over the last 64 ms jumps this
    /// many dB above the run's mean level so far (a bell rung into the chatter that opened the run) …
    public var bellOnsetJumpDb = 10.0
    /// … once the run has lasted this long (so a ring's own attack does not split it).
    public var bellOnsetMinRunSeconds = 0.5
    /// Upper edge, in Hz, of the part of the bell band (from `bellBandLowHz`) where harmonicity is measured:
    /// where a voice's harmonics are still strong.
    public var harmonicBandHighHz = 5_000.0
    /// Lowest pitch, in Hz, of the voices whose harmonic comb is looked for (children and most adults) …
    public var voicePitchLowHz = 180.0
    /// … and the highest.
    public var voicePitchHighHz = 500.0
    /// Share (0...1) of a ring's frames that must be bright (a timer's ticks are far sparser).
    public var bellMinBrightShare = 0.4
    /// A frame holds the ring's level when it is within this many dB of the ring's loud level …
    public var bellSustainDb = 12.0
    /// … and at least this share (0...1) of a ring's frames must (beeps and voices come and go).
    public var bellMinSustainShare = 0.6
    /// A ring's mean bell band minus voice band (dB) is at least this (phones and voices are far lower).
    public var bellMinMeanTiltDb = -5.0
    /// A ring lasts at least this long (notification dings, ticks and beeps are shorter) …
    public var bellMinSeconds = 0.8
    /// … and at most this long (longer bright sound is machinery or noise, not a bell).
    public var bellMaxSeconds = 10.0
    /// A ring that fades faster than this, in dB per second, is one struck note (a ding), not a bell.
    public var bellMaxDecayDbPerSecond = 14.0
    /// A ring whose bell-band energy sits in one pure partial more than this share of the time is a beep.
    public var bellMaxPurity = 0.9
    /// A ring whose bell-band level swings more than this (dB, `BellCandidate.levelSwingDb`: block to block
    /// of about 64 ms) rises and falls like speech, not a bell. (From the tune lessons: their bells swing
    /// 1.6–2.7 dB, the chatter and laughter that passed the other rules mostly 4–5 dB.)
    public var bellMaxSwingDb = 3.5
    /// A ring in the bell band must show positive evidence of a bell, one of two: fixed partials, at least
    /// this share (0...1) of its bell-band energy in persistent partials (`BellCandidate.stableShare`) …
    /// (From the bell trials' tune set and the tune lessons: of 655 rings that were not the bell, 99 % held
    /// under 0.016, and those above were dings, phones and a second bell; the synthetic bells 0.02–0.59.)
    public var bellMinStableShare = 0.02
    /// … or the bell band standing out from the voices by this many dB: how much further it rose over its
    /// floor than the voice band over its own (`BellCandidate.excessRiseDb`), plus how far it stands above
    /// the voice band where it does (`meanTiltDb` when positive). (The real recorded bells in the tune lessons
    /// and trials stand out 11–48 dB, a faint timer ring in a quiet room 12 dB; the bursts of chatter and
    /// laughter that passed every other rule at most 9.4 dB.)
    public var bellMinStandOutDb = 6.0
    /// … and, for that second kind of evidence, sounds unlike a voice: its harmonicity (`BellCandidate.harmonicity`)
    /// at most this. (Tune trials and lessons: the recorded bells 0.03–0.21, the laughter and chatter that
    /// stood out 0.33–0.46.) Fixed partials need no such check: a buzzer is harmonic, but its pitch holds.
    public var bellMaxHarmonicity = 0.3
    /// Lower edge, in Hz, of the band where rings of fixed partials (chimes, buzzers) are looked for.
    public var tonalBandLowHz = 125.0
    /// Upper edge, in Hz, of that band.
    public var tonalBandHighHz = 4_000.0
    /// A bin holds a partial when it is a local maximum this many dB over the bins two away.
    public var tonalPeakDb = 10.0
    /// A partial is persistent once it has held its frequency (to a bin) this long: speech pitch moves sooner.
    public var tonalPersistSeconds = 0.32
    /// Gaps of at most this many seconds without a persistent partial are bridged inside a ring.
    public var tonalGapSeconds = 0.32
    /// Seconds before a ring over which the room's level (its median) is taken, to tell a new sound from a tail.
    public var tonalOnsetSeconds = 0.5
    /// A ring of fixed partials lasts at least this long (as every ring, `bellMinSeconds`: the partial-seconds
    /// below keep out a struck ding's short, thin ring) …
    public var tonalMinSeconds = 0.8
    /// … holds at least this many persistent partials at once on average (a chime's or buzzer's series) …
    public var tonalMinPartials = 1.25
    /// … and at least this many partial-seconds (its length times its mean partials): a long ring may hold few
    /// partials (a buzzer half drowned by group talk), a short one needs many (a chime's two notes). (From the
    /// bell trials' tune set and the tune lessons: the rings that were not bells reached at most 1.8, the
    /// bells at least 2.7; 2.25 keeps the corner of the old rule, 1.5 s × 1.5 partials.)
    public var tonalMinPartialSeconds = 2.25
    /// … and its partials stand this many dB over the room's level just before it (a new sound).
    public var tonalMinOnsetRiseDb = 4.0
    /// Candidates below this confidence are not bells.
    public var bellMinConfidence = 0.5
    /// The bell that starts the class is looked for in this leading share of the recording.
    public var bellSearchFraction = 0.6
    /// The starting bell is the earliest candidate in that share whose confidence is within this of the most
    /// confident one there: a clear bell wins over an earlier, doubtful burst of chatter.
    public var bellPreferenceMargin = 0.15

    // MARK: Segmenter
    /// Seconds of median smoothing applied to each normalised per-step signal.
    public var smoothingSeconds = 5.0
    /// Quantile (0...1) of each signal over the lesson taken as its calm baseline when normalising
    /// (below the median, so that a lesson mostly in transition keeps a calm reference).
    public var baselineQuantile = 0.25
    /// Weight of motion spread in the transition score.
    public var spreadWeight = 1.0
    /// Weight of local motion in the transition score.
    public var motionWeight = 0.5
    /// Weight of the sound level in the transition score (kept low: a loud voice, an announcement or loud
    /// group work is not movement; tuned on the tune lessons, 0.5 → 0.25).
    public var loudnessWeight = 0.25
    /// Seconds of the window over which `motionSweep` counts the cells motion reaches.
    public var sweepWindowSeconds = 10.0
    /// Weight of motion sweep (how far motion travels) in the transition score. 0: on the tune lessons it
    /// added nothing to spread and local motion at any weight tried (0.25–1, thresholds 2–3; best 96.5 %
    /// agreement against 96.8 % without), so it is measured and shown (`--features`) but not scored.
    public var sweepWeight = 0.0
    /// Score lost per dB that the sound's level variation falls below `chatterVariationLowDb`: a room of
    /// voices talking steadily in groups varies less than a transition's chatter (the knowledge the
    /// sound-only score uses), so loud, steady talk is not taken for a transition. (Chosen on the tune lessons
    /// with the four of `make fixtures-extra`: 0.25–0.75 raise mean agreement 96.9 → 97.5–97.6 % and transition
    /// F1 0.90 → 0.94, 0.5 best; from 1.0 the steady chatter of a long unsettled start is lost.)
    public var steadyTalkWeight = 0.5
    /// Weight of steadiness of the sound (low variation) in the transition score.
    public var steadinessWeight = 0.0
    /// Hysteresis: a transition found by the model grows, step by step, into neighbouring steps whose score
    /// is at least this (robust standard deviations), since the score's smoothing and its threshold make
    /// found transitions start late and end early. At or above `transitionThreshold`: no growing.
    /// (Chosen on the tune lessons: 1.5 raised mean agreement 96.8 → 96.9 % and cut the mean time-on-task
    /// error 3.5 → 3.0 points; 1.25 and 1.0 grew transitions into instruction in `announcement`.)
    public var transitionExtendThreshold = 1.5
    /// Settling: a class that has mostly sat down is still in transition while the last few stand and chat,
    /// and the score then sits between a transition's and the work's that follows. A transition's trailing
    /// edge grows over steps whose score is at least `settleMarginScore` over the `baselineQuantile` of the
    /// scores of the next `settleLookaheadSeconds` of work (until the next transition), by at most
    /// `settleMaxSeconds` (to the end that maximises the summed excess, so a short dip does not stop it).
    /// A margin of 0 or less: no settling tail. Not used without a picture.
    /// (Chosen on the tune lessons, the extra ones and the 24 tune lesson trials, 38 in all: without it mean
    /// agreement 95.1 %, mean |time-on-task error| 4.37 points; margin 1.25, 15 s, 30 s: 95.7 %, 3.74;
    /// margins 1.0 and 1.5, at most 10, 20 or 25 s, and 60 or 90 s of work were each worse.)
    public var settleMarginScore = 1.25
    /// How far a transition's trailing edge may grow into settling.
    public var settleMaxSeconds = 15.0
    /// How much of the work after a transition sets the level settling is measured against.
    public var settleLookaheadSeconds = 30.0
    /// Transition score (in robust standard deviations) at which a step is more likely a transition.
    /// (Tuned on the tune lessons together with `loudnessWeight`: 1.5 → 2.0.)
    public var transitionThreshold = 2.0
    /// Without a picture (no step has a picture pair) the transition score comes from sound alone: a step
    /// whose level variation (`audioVariation`, dB) lies between `chatterVariationLowDb` and
    /// `chatterVariationHighDb` scores `soundOnlyBias`, less `soundOnlySlope` per dB outside that band.
    /// (Tuned on the tune lessons with their pictures taken away: transitions' chatter varies about 3–4 dB,
    /// steady group talk under 2, one voice 6–9.)
    public var chatterVariationLowDb = 2.6
    /// Upper edge of the band of variation that sounds like a transition's chatter.
    public var chatterVariationHighDb = 5.0
    /// Score lost per dB of variation outside that band.
    public var soundOnlySlope = 4.0
    /// Sound-only score inside the band (above `transitionThreshold`: a transition).
    public var soundOnlyBias = 3.0
    /// Spread of the logistic that turns the score into a probability.
    public var transitionSoftness = 0.5
    /// Probability per step of leaving a state in the two-state model (lower is stickier).
    public var switchProbability = 0.002
    /// Transitions shorter than this are absorbed by their neighbours.
    public var minTransitionSeconds = 10.0
    /// On-task stretches shorter than this between two transitions become part of the transition.
    public var minOnTaskSeconds = 20.0
    /// An on-task stretch at the very start of the recording shorter than this, before a transition, is part
    /// of that transition (a recording started as the class came in: the first students are few, and the
    /// smoothing starts the transition late). Longer ones are kept, as any stretch touching an end is. Not
    /// used without a picture. (Chosen on the 38 tune lessons and trials: 0 s (off) 95.8 % mean agreement,
    /// mean |time-on-task error| 3.65 points; 10 s 96.0 %, 3.42; 5 s 3.57; 15 and 20 s as 10. On the sound-only
    /// copies of the tune trials it made time on task worse, 5.77 → 6.00 points.)
    public var minLeadingOnTaskSeconds = 10.0
    /// Unknown stretches (no picture and no sound) shorter than this are absorbed.
    public var minUnknownSeconds = 5.0
    /// Variation (std of the short-term level, dB) above which on-task talk is one voice rising and falling.
    public var instructionVariationDb = 6.0
    /// Level above the lesson's median (dB) over which on-task sound is a room of voices.
    public var groupLoudnessDb = 4.0

    public init() {}

    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func read<T: Decodable>(_ key: CodingKeys, _ value: inout T) throws {
            if let v = try c.decodeIfPresent(T.self, forKey: key) { value = v }
        }
        try read(.stepSeconds, &stepSeconds)
        try read(.motionGridColumns, &motionGridColumns)
        try read(.motionGridRows, &motionGridRows)
        try read(.cellFloorQuantile, &cellFloorQuantile)
        try read(.cellNoiseFactor, &cellNoiseFactor)
        try read(.cellMinimumDifference, &cellMinimumDifference)
        try read(.blackLuma, &blackLuma)
        try read(.frozenDifference, &frozenDifference)
        try read(.wholePictureSpread, &wholePictureSpread)
        try read(.audioHopSeconds, &audioHopSeconds)
        try read(.audioVariationWindowSeconds, &audioVariationWindowSeconds)
        try read(.silenceDb, &silenceDb)
        try read(.fftSize, &fftSize)
        try read(.fftHop, &fftHop)
        try read(.bellBandLowHz, &bellBandLowHz)
        try read(.bellBandHighHz, &bellBandHighHz)
        try read(.voiceBandLowHz, &voiceBandLowHz)
        try read(.bellFloorSeconds, &bellFloorSeconds)
        try read(.bellFloorPercentile, &bellFloorPercentile)
        try read(.bellRiseDb, &bellRiseDb)
        try read(.bellHoldRiseDb, &bellHoldRiseDb)
        try read(.bellMinTiltDb, &bellMinTiltDb)
        try read(.bellMaskingMarginDb, &bellMaskingMarginDb)
        try read(.bellGapSeconds, &bellGapSeconds)
        try read(.bellOnsetJumpDb, &bellOnsetJumpDb)
        try read(.bellOnsetMinRunSeconds, &bellOnsetMinRunSeconds)
        try read(.harmonicBandHighHz, &harmonicBandHighHz)
        try read(.voicePitchLowHz, &voicePitchLowHz)
        try read(.voicePitchHighHz, &voicePitchHighHz)
        try read(.bellMinBrightShare, &bellMinBrightShare)
        try read(.bellSustainDb, &bellSustainDb)
        try read(.bellMinSustainShare, &bellMinSustainShare)
        try read(.bellMinMeanTiltDb, &bellMinMeanTiltDb)
        try read(.bellMinSeconds, &bellMinSeconds)
        try read(.bellMaxSeconds, &bellMaxSeconds)
        try read(.bellMaxDecayDbPerSecond, &bellMaxDecayDbPerSecond)
        try read(.bellMaxPurity, &bellMaxPurity)
        try read(.bellMaxSwingDb, &bellMaxSwingDb)
        try read(.bellMinStableShare, &bellMinStableShare)
        try read(.bellMinStandOutDb, &bellMinStandOutDb)
        try read(.bellMaxHarmonicity, &bellMaxHarmonicity)
        try read(.tonalBandLowHz, &tonalBandLowHz)
        try read(.tonalBandHighHz, &tonalBandHighHz)
        try read(.tonalPeakDb, &tonalPeakDb)
        try read(.tonalPersistSeconds, &tonalPersistSeconds)
        try read(.tonalGapSeconds, &tonalGapSeconds)
        try read(.tonalOnsetSeconds, &tonalOnsetSeconds)
        try read(.tonalMinSeconds, &tonalMinSeconds)
        try read(.tonalMinPartials, &tonalMinPartials)
        try read(.tonalMinPartialSeconds, &tonalMinPartialSeconds)
        try read(.tonalMinOnsetRiseDb, &tonalMinOnsetRiseDb)
        try read(.bellMinConfidence, &bellMinConfidence)
        try read(.bellSearchFraction, &bellSearchFraction)
        try read(.bellPreferenceMargin, &bellPreferenceMargin)
        try read(.smoothingSeconds, &smoothingSeconds)
        try read(.baselineQuantile, &baselineQuantile)
        try read(.spreadWeight, &spreadWeight)
        try read(.motionWeight, &motionWeight)
        try read(.loudnessWeight, &loudnessWeight)
        try read(.sweepWindowSeconds, &sweepWindowSeconds)
        try read(.sweepWeight, &sweepWeight)
        try read(.steadinessWeight, &steadinessWeight)
        try read(.steadyTalkWeight, &steadyTalkWeight)
        try read(.transitionThreshold, &transitionThreshold)
        try read(.settleMarginScore, &settleMarginScore)
        try read(.settleMaxSeconds, &settleMaxSeconds)
        try read(.settleLookaheadSeconds, &settleLookaheadSeconds)
        try read(.transitionExtendThreshold, &transitionExtendThreshold)
        try read(.chatterVariationLowDb, &chatterVariationLowDb)
        try read(.chatterVariationHighDb, &chatterVariationHighDb)
        try read(.soundOnlySlope, &soundOnlySlope)
        try read(.soundOnlyBias, &soundOnlyBias)
        try read(.transitionSoftness, &transitionSoftness)
        try read(.switchProbability, &switchProbability)
        try read(.minTransitionSeconds, &minTransitionSeconds)
        try read(.minOnTaskSeconds, &minOnTaskSeconds)
        try read(.minLeadingOnTaskSeconds, &minLeadingOnTaskSeconds)
        try read(.minUnknownSeconds, &minUnknownSeconds)
        try read(.instructionVariationDb, &instructionVariationDb)
        try read(.groupLoudnessDb, &groupLoudnessDb)
    }

    /// Every tunable as a name and a number, in declaration order, for a result's `settings`.
    public func settingsDictionary() -> [(String, Double)] {
        [
            ("stepSeconds", stepSeconds),
            ("motionGridColumns", Double(motionGridColumns)),
            ("motionGridRows", Double(motionGridRows)),
            ("cellFloorQuantile", cellFloorQuantile),
            ("cellNoiseFactor", cellNoiseFactor),
            ("cellMinimumDifference", cellMinimumDifference),
            ("blackLuma", blackLuma),
            ("frozenDifference", frozenDifference),
            ("wholePictureSpread", wholePictureSpread),
            ("audioHopSeconds", audioHopSeconds),
            ("audioVariationWindowSeconds", audioVariationWindowSeconds),
            ("silenceDb", silenceDb),
            ("fftSize", Double(fftSize)),
            ("fftHop", Double(fftHop)),
            ("bellBandLowHz", bellBandLowHz),
            ("bellBandHighHz", bellBandHighHz),
            ("voiceBandLowHz", voiceBandLowHz),
            ("bellFloorSeconds", bellFloorSeconds),
            ("bellFloorPercentile", bellFloorPercentile),
            ("bellRiseDb", bellRiseDb),
            ("bellHoldRiseDb", bellHoldRiseDb),
            ("bellMinTiltDb", bellMinTiltDb),
            ("bellMaskingMarginDb", bellMaskingMarginDb),
            ("bellGapSeconds", bellGapSeconds),
            ("bellOnsetJumpDb", bellOnsetJumpDb),
            ("bellOnsetMinRunSeconds", bellOnsetMinRunSeconds),
            ("harmonicBandHighHz", harmonicBandHighHz),
            ("voicePitchLowHz", voicePitchLowHz),
            ("voicePitchHighHz", voicePitchHighHz),
            ("bellMinBrightShare", bellMinBrightShare),
            ("bellSustainDb", bellSustainDb),
            ("bellMinSustainShare", bellMinSustainShare),
            ("bellMinMeanTiltDb", bellMinMeanTiltDb),
            ("bellMinSeconds", bellMinSeconds),
            ("bellMaxSeconds", bellMaxSeconds),
            ("bellMaxDecayDbPerSecond", bellMaxDecayDbPerSecond),
            ("bellMaxPurity", bellMaxPurity),
            ("bellMaxSwingDb", bellMaxSwingDb),
            ("bellMinStableShare", bellMinStableShare),
            ("bellMinStandOutDb", bellMinStandOutDb),
            ("bellMaxHarmonicity", bellMaxHarmonicity),
            ("tonalBandLowHz", tonalBandLowHz),
            ("tonalBandHighHz", tonalBandHighHz),
            ("tonalPeakDb", tonalPeakDb),
            ("tonalPersistSeconds", tonalPersistSeconds),
            ("tonalGapSeconds", tonalGapSeconds),
            ("tonalOnsetSeconds", tonalOnsetSeconds),
            ("tonalMinSeconds", tonalMinSeconds),
            ("tonalMinPartials", tonalMinPartials),
            ("tonalMinPartialSeconds", tonalMinPartialSeconds),
            ("tonalMinOnsetRiseDb", tonalMinOnsetRiseDb),
            ("bellMinConfidence", bellMinConfidence),
            ("bellSearchFraction", bellSearchFraction),
            ("bellPreferenceMargin", bellPreferenceMargin),
            ("smoothingSeconds", smoothingSeconds),
            ("baselineQuantile", baselineQuantile),
            ("spreadWeight", spreadWeight),
            ("motionWeight", motionWeight),
            ("loudnessWeight", loudnessWeight),
            ("sweepWindowSeconds", sweepWindowSeconds),
            ("sweepWeight", sweepWeight),
            ("steadinessWeight", steadinessWeight),
            ("steadyTalkWeight", steadyTalkWeight),
            ("settleMarginScore", settleMarginScore),
            ("settleMaxSeconds", settleMaxSeconds),
            ("settleLookaheadSeconds", settleLookaheadSeconds),
            ("transitionThreshold", transitionThreshold),
            ("transitionExtendThreshold", transitionExtendThreshold),
            ("chatterVariationLowDb", chatterVariationLowDb),
            ("chatterVariationHighDb", chatterVariationHighDb),
            ("soundOnlySlope", soundOnlySlope),
            ("soundOnlyBias", soundOnlyBias),
            ("transitionSoftness", transitionSoftness),
            ("switchProbability", switchProbability),
            ("minTransitionSeconds", minTransitionSeconds),
            ("minOnTaskSeconds", minOnTaskSeconds),
            ("minLeadingOnTaskSeconds", minLeadingOnTaskSeconds),
            ("minUnknownSeconds", minUnknownSeconds),
            ("instructionVariationDb", instructionVariationDb),
            ("groupLoudnessDb", groupLoudnessDb),
        ]
    }
}
