import Foundation
import Segmentation

/// Every per-step feature of a lesson and the segmenter's view of it, as CSV (one row per step): what
/// anyone checking a segment by eye can plot beside the video.
public enum FeatureTable {
    public static let columns = ["time", "motion", "localMotion", "globalChange", "motionSpread", "motionReach",
                                 "activeShare", "cameraSpeed", "luma", "audioDb", "audioVariation", "voiceDb", "bellBandDb", "bellShare",
                                 "dead", "wholePicture", "cameraMoving", "noClass", "transitionScore", "transitionProbability"]
        + ScoreInput.allCases.map { "input." + $0.name } + KindInput.allCases.map { "kindInput." + $0.name }

    /// The table of `series` beside what the segmenter decided from it (`trace`).
    public static func csv(_ series: FeatureSeries, trace: SegmenterTrace) -> String {
        let (dead, whole, scores, probabilities) = (trace.dead, trace.wholePicture, trace.scores, trace.probabilities)
        func f(_ x: Double?) -> String {
            guard let x, x.isFinite else { return "" }
            return String(format: "%.4g", x)
        }
        var text = columns.joined(separator: ",") + "\n"
        for i in 0..<series.stepCount {
            let row = [f(Double(i) * series.stepSeconds), f(series.motion[i]), f(series.localMotion[i]),
                       f(series.globalChange[i]), f(series.motionSpread[i]), f(series.motionReach[i]),
                       f(series.activeShare[i]), f(series.cameraSpeed[i]), f(series.luma[i]),
                       f(series.audioDb[i]), f(series.audioVariation[i]), f(series.voiceDb[i]), f(series.bellBandDb[i]),
                       f(series.bellShare[i]), dead[i] ? "1" : "0",
                       whole[i] ? "1" : "0", trace.cameraMoving[i] ? "1" : "0", trace.noClass[i] ? "1" : "0",
                       f(scores[i]), f(probabilities[i])]
                + ScoreInput.allCases.map { trace.inputs.isEmpty ? "" : f(trace.inputs[$0.rawValue][i]) }
                + KindInput.allCases.map { trace.kindInputs.isEmpty ? "" : f(trace.kindInputs[$0.rawValue][i]) }
            text += row.joined(separator: ",") + "\n"
        }
        return text
    }

    /// The classifier's inputs of `c` under its own model's columns, the other model's left empty.
    static func inputColumns(_ c: BellCandidate, _ around: BellSurroundings, format f: (Double) -> String) -> [String] {
        let own = BellModel.of(c)
        let inputs = BellModel.inputs(c, around)
        return BellModel.allCases.flatMap { model in
            model == own ? inputs.map(f) : Array(repeating: "", count: model.inputNames.count)
        }
    }
}

/// Every bell-like sound the detector heard, as CSV (one row per candidate, in time order): what it
/// measured, how sure it was that each is a bell, and which one it took for the bell that starts the class.
public enum BellCandidateTable {
    public static let columns = ["start", "end", "found", "confidence", "chosen", "riseDb", "tiltDb", "purity",
                                 "brightShare", "sustainShare", "slopeDbPerSecond", "levelSwingDb", "stableShare", "excessRiseDb", "harmonicity", "partials", "onsetDb", "holdSeconds"]
        + BellModel.allCases.flatMap { model in model.inputNames.map { "\(model.rawValue).\($0)" } }

    /// The table of the candidates in `series` beside what the detector decided of them (`decision`).
    public static func csv(_ series: FeatureSeries, decision: BellDecision) -> String {
        let chosen = decision.chosen
        func f(_ x: Double) -> String { x.isFinite ? String(format: "%.4g", x) : "" }
        var text = columns.joined(separator: ",") + "\n"
        let context = BellContext(voiceDb: series.voiceDb, stepSeconds: series.stepSeconds)
        for (index, c) in series.bellCandidates.enumerated() {
            let tonal = c.meanPartials > 0
            let isChosen = index == chosen
            let found = switch BellModel.of(c) {
            case .band: "bellBand"
            case .tonal: "partials"
            case .fine: "fineLines"
            }
            let row = [f(c.start), f(c.end), found, f(decision.confidences[index]),
                       isChosen ? "1" : "0", f(c.meanRiseDb), tonal ? "" : f(c.meanTiltDb), tonal ? "" : f(c.meanPurity),
                       f(c.brightShare), f(c.sustainShare), f(c.slopeDbPerSecond), tonal ? "" : f(c.levelSwingDb),
                       tonal ? "" : f(c.stableShare), tonal ? "" : f(c.excessRiseDb),
                       tonal ? "" : f(c.harmonicity),
                       tonal ? f(c.meanPartials) : "", tonal ? "" : f(c.onsetDb), tonal ? f(c.holdSeconds) : ""]
                + Self.inputColumns(c, context.surroundings(of: index, in: series.bellCandidates), format: f)
            text += row.joined(separator: ",") + "\n"
        }
        return text
    }

    /// The classifier's inputs of `c` under its own model's columns, the other model's left empty.
    static func inputColumns(_ c: BellCandidate, _ around: BellSurroundings, format f: (Double) -> String) -> [String] {
        let own = BellModel.of(c)
        let inputs = BellModel.inputs(c, around)
        return BellModel.allCases.flatMap { model in
            model == own ? inputs.map(f) : Array(repeating: "", count: model.inputNames.count)
        }
    }
}
