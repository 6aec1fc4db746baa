import LessonMetrics

/// What the segmenter decided from, per step of the whole series: what `--features` shows beside the features.
public struct SegmenterTrace: Sendable, Equatable {
    /// No usable signal: a black, frozen or missing picture together with silence.
    public var dead: [Bool]
    /// The whole picture changed (camera moved, re-exposing): no score of its own.
    public var wholePicture: [Bool]
    /// The smoothed transition score, in robust standard deviations (nil where undecided).
    public var scores: [Double?]
    /// The probability that the step is a transition.
    public var probabilities: [Double]
    /// The smoothed inputs of the score, one series per `ScoreInput` (empty without a picture).
    public var inputs: [[Double?]]
    /// Steps in a long stretch of the camera moving (carried, panned fast): unknown.
    public var cameraMoving: [Bool]
    /// Steps in a long stretch with no class in view (nothing moves, no voices): unknown.
    public var noClass: [Bool]

    /// The smoothed inputs of the kinds, one series per `KindInput`.
    public var kindInputs: [[Double?]]

    public init(dead: [Bool], wholePicture: [Bool], scores: [Double?], probabilities: [Double], inputs: [[Double?]] = [],
                cameraMoving: [Bool] = [], noClass: [Bool] = [], kindInputs: [[Double?]] = []) {
        self.kindInputs = kindInputs
        self.dead = dead
        self.wholePicture = wholePicture
        self.scores = scores
        self.probabilities = probabilities
        self.inputs = inputs
        self.cameraMoving = cameraMoving.isEmpty ? dead.map { _ in false } : cameraMoving
        self.noClass = noClass.isEmpty ? dead.map { _ in false } : noClass
    }
}

/// The inputs of the on-task kinds (`KindSettings`).
public enum KindInput: Int, CaseIterable, Sendable {
    /// The level above the lesson's median (dB, within ±20).
    case level
    /// The level's variation (dB, at most 12).
    case variation
    /// The share of the picture moving (0 without a picture).
    case spreadShare
    /// The reach of motion (0 without a picture).
    case reach
    /// 1 with a picture, 0 without.
    case picture
    /// 1 with sound, 0 without.
    case sound
    /// The level against the lesson's loud level, its 0.9 quantile (dB, -40 to 5; 0 without sound): a teacher
    /// instructing is near the top of the lesson in any room, seat work well under it.
    case belowTop
    /// The level above the lesson's quiet floor, its 0.1 quantile (dB, -5 to 40; 0 without sound).
    case aboveFloor
    /// The speech band's level against the whole level (dB, -30 to 5; 0 without sound): how much of what is
    /// heard is voices.
    case voiceShare
    /// The lesson's range of level, its 0.9 quantile less its 0.1 quantile (dB, at most 40; 0 without sound): a
    /// lesson with little between its quiet and loud moments says little by its level.
    case lessonRange

    public var name: String {
        ["level", "variation", "spreadShare", "reach", "picture", "sound", "belowTop", "aboveFloor", "voiceShare",
         "lessonRange"][rawValue]
    }
}

/// The inputs of the transition score with a picture, each with its fitted weight.
public enum ScoreInput: Int, CaseIterable, Sendable {
    /// Motion spread against the lesson's calm baseline (robust standard deviations).
    case spread
    /// Local motion against the lesson's calm baseline (robust standard deviations, at most 6).
    case motion
    /// The sound level against the lesson's calm baseline (robust standard deviations, at most 6).
    case loudness
    /// Minus the dB by which the level's variation falls below `chatterVariationLowDb` (steady talk).
    case steadyTalk
    /// Motion spread itself (0...1): the share of the picture moving now, the same in every lesson.
    case spreadShare
    /// Motion reach (0...1): the share of the picture that moved in the last few seconds.
    case reach
    /// log((reach + 0.02) / (spread + 0.02)): movement that travels rather than stays put.
    case reachGain
    /// The level's variation (dB, at most 12): one voice rising and falling, chatter, or steady sound.
    case variation
    /// The share of the picture moving beyond the camera's own noise (0...1).
    case activeShare
    /// Minus the dB by which the level's variation lies outside the chatter band (0 inside it).
    case chatter
    /// How busy the lesson is as a whole: the median of `reach` over the lesson, the same at every step. A class
    /// that never settles has no calm moments to measure itself against; this says so in any room.
    case lessonReach
    /// The median of `activeShare` over the lesson, the same at every step.
    case lessonActive
    /// The median of `chatter` over the lesson, the same at every step.
    case lessonChatter
    /// `reach` over the lesson's high quantile of it (`relativeQuantile`; at most 2): how much of where the
    /// class moves at all is moving now, whatever its size. A small class far from the camera, on its feet,
    /// reaches little of the picture but all of its own busiest. The trees read it beside `lessonReach`, so a
    /// lesson calm throughout is not judged by its own busiest moments alone.
    case relativeReach
    /// `activeShare` over the lesson's high quantile of it (at most 2).
    case relativeActive
    /// The bell band's level (2-15 kHz) less the whole level, less the lesson's median of the same (dB, ±20): how
    /// much more of the sound is high now than usual in this lesson, the shuffle, scrape and children's voices of a
    /// class on its feet against one adult voice. A ratio of two bands against itself, so the same at any gain and
    /// under any microphone's tilt (the ratio itself is not: 6 dB of tilt, as another microphone or codec gives,
    /// turned 96 % agreement on the sound alone into 67 %). Read by the trees only (the linear score predates it).
    case highShare
    /// The voice band's level less the whole level, less the lesson's median of the same (dB, ±20). Trees only.
    case voiceShare

    public var name: String {
        ["spread", "motion", "loudness", "steadyTalk", "spreadShare", "reach", "reachGain", "variation", "activeShare", "chatter",
         "lessonReach", "lessonActive", "lessonChatter", "relativeReach", "relativeActive", "highShare", "voiceShare"][rawValue]
    }

    func weight(_ s: SegmenterSettings) -> Double {
        switch self {
        case .spread: return s.spreadWeight
        case .motion: return s.motionWeight
        case .loudness: return s.loudnessWeight
        case .steadyTalk: return s.steadyTalkWeight
        case .spreadShare: return s.spreadShareWeight
        case .reach: return s.reachWeight
        case .reachGain: return s.reachGainWeight
        case .variation: return s.variationWeight
        case .activeShare: return s.activeShareWeight
        case .chatter: return s.chatterWeight
        case .lessonReach: return s.lessonReachWeight
        case .lessonActive: return s.lessonActiveWeight
        case .lessonChatter: return s.lessonChatterWeight
        case .relativeReach: return s.relativeReachWeight
        case .relativeActive: return s.relativeActiveWeight
        case .highShare, .voiceShare: return 0
        }
    }
}

extension ScoreInput {
    /// Measured from the sound: missing in a step without sound.
    public var isSound: Bool {
        switch self {
        case .loudness, .steadyTalk, .variation, .chatter, .lessonChatter, .highShare, .voiceShare: return true
        default: return false
        }
    }
}

/// The transition score's boosted trees over the inputs in `ScoreInput`'s order: one set for steps with a picture
/// and sound, one for steps with a picture and no sound (fitted with the sound's inputs at 0, so that a missing
/// sound is not read as a room of a particular sound), and one for recordings without a picture (fitted with the
/// picture's inputs at 0, on the sound of every lesson with sound).
public struct ScoreTrees: Sendable, Equatable, Codable {
    public var withSound: BoostedTrees
    public var pictureOnly: BoostedTrees
    public var soundOnly: BoostedTrees

    public init(withSound: BoostedTrees, pictureOnly: BoostedTrees, soundOnly: BoostedTrees) {
        self.withSound = withSound
        self.pictureOnly = pictureOnly
        self.soundOnly = soundOnly
    }

    public init(from decoder: Decoder) throws {
        enum Keys: String, CodingKey { case withSound, pictureOnly, soundOnly }
        let c = try decoder.container(keyedBy: Keys.self)
        self.init(withSound: try c.decode(BoostedTrees.self, forKey: .withSound),
                  pictureOnly: try c.decode(BoostedTrees.self, forKey: .pictureOnly),
                  soundOnly: try c.decode(BoostedTrees.self, forKey: .soundOnly))
        try BoostedTrees.requireInputs(of: [withSound, pictureOnly, soundOnly], below: ScoreInput.allCases.count, "the score's trees",
                                       decoder)
    }

    /// The fitted trees (`SegmenterTrees.swift`).
    public static let fitted = ScoreTrees(withSound: SegmenterTrees.withSound, pictureOnly: SegmenterTrees.pictureOnly,
                                          soundOnly: SegmenterTrees.soundOnly)

    /// The log-odds of a transition for one step's inputs (`ScoreInput`'s order; nil: not measured in it). A
    /// step without the sound's variation is judged by the picture alone.
    public func logOdds(_ inputs: [Double?]) -> Double {
        let sound = inputs[ScoreInput.variation.rawValue] != nil
        let x = ScoreInput.allCases.map { input in sound || !input.isSound ? inputs[input.rawValue] ?? 0 : 0 }
        return (sound ? withSound : pictureOnly).logOdds(x)
    }

    /// The log-odds of a transition for one step of a recording without a picture: the sound's inputs alone.
    public func soundOnlyLogOdds(_ inputs: [Double?]) -> Double {
        soundOnly.logOdds(ScoreInput.allCases.map { $0.isSound ? inputs[$0.rawValue] ?? 0 : 0 })
    }
}

/// The kinds' boosted trees, one set per on-task kind, each the log-odds of its kind against the other two, over
/// the kind inputs (`KindInput`'s order) followed by the score's (`ScoreInput`'s order; 0 where not measured). A step
/// takes the kind whose trees say most.
public struct KindTrees: Sendable, Equatable, Codable {
    public var independent: BoostedTrees
    public var instruction: BoostedTrees
    public var group: BoostedTrees

    /// How many inputs the trees read: the kind inputs, then the score's.
    public static let inputCount = KindInput.allCases.count + ScoreInput.allCases.count

    public init(independent: BoostedTrees, instruction: BoostedTrees, group: BoostedTrees) {
        self.independent = independent
        self.instruction = instruction
        self.group = group
    }

    public init(from decoder: Decoder) throws {
        enum Keys: String, CodingKey { case independent, instruction, group }
        let c = try decoder.container(keyedBy: Keys.self)
        self.init(independent: try c.decode(BoostedTrees.self, forKey: .independent),
                  instruction: try c.decode(BoostedTrees.self, forKey: .instruction),
                  group: try c.decode(BoostedTrees.self, forKey: .group))
        try BoostedTrees.requireInputs(of: [independent, instruction, group], below: Self.inputCount, "the kinds' trees", decoder)
    }

    /// The fitted trees (`SegmenterTrees.swift`).
    public static let fitted = KindTrees(independent: SegmenterTrees.independent, instruction: SegmenterTrees.instruction,
                                         group: SegmenterTrees.group)

    /// The kind of one step: `inputs` are its kind inputs then its score inputs (`inputCount` of them).
    public func kind(_ inputs: [Double]) -> SegmentKind {
        let odds = [(SegmentKind.independent, independent.logOdds(inputs)), (.instruction, instruction.logOdds(inputs)),
                    (.group, group.logOdds(inputs))]
        return odds.max { $0.1 < $1.1 }!.0
    }
}
