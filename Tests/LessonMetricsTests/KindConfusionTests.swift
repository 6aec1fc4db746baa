import LessonMetrics
import Testing

/// Cohen's kappa and the confusion matrix of the kinds; every figure worked out by hand.
@Suite struct KindConfusionTests {
    /// Truth: 60 s of instruction then 60 s of transition. The result calls the first 30 s instruction and the
    /// rest transition: 300 + 600 of 1200 samples agree (0.75); by chance 0.5 × 0.25 + 0.5 × 0.75 = 0.5;
    /// kappa (0.75 − 0.5) / (1 − 0.5) = 0.5.
    @Test func kappaIsAgreementBeyondChance() throws {
        let truth = TruthFile(durationSeconds: 120, bell: nil, segments: [seg(0, 60, .instruction), seg(60, 120, .transition)])
        let result = TruthFile(durationSeconds: 120, bell: nil, segments: [seg(0, 30, .instruction), seg(30, 120, .transition)])
        let c = KindConfusion(result: result, truth: truth)
        let i = try #require(KindConfusion.labels.firstIndex(of: "instruction"))
        let t = try #require(KindConfusion.labels.firstIndex(of: "transition"))
        #expect(c.samples[i][i] == 300 && c.samples[i][t] == 300 && c.samples[t][t] == 600 && c.samples[t][i] == 0)
        #expect(abs(c.seconds[i][t] - 30) < 1e-9)
        #expect(abs(try #require(c.kappa) - 0.5) < 1e-12)
        // A coding against itself: kappa 1; pooled with the first, the samples add up.
        let same = KindConfusion(result: truth, truth: truth)
        #expect(same.kappa == 1)
        let pooled = c + same
        #expect(pooled.samples[i][i] == 900 && pooled.samples[t][t] == 1200)
        #expect(abs(try #require(pooled.kappa) - (2100.0 / 2400 - 0.5) / 0.5) < 1e-12)   // chance still 0.5 × 0.375 + 0.5 × 0.625
    }

    /// Where no segment is, the kind is "none"; one label throughout leaves kappa undefined; the window is the
    /// truth's class window (from its bell).
    @Test func noneAndUndefined() throws {
        let truth = TruthFile(durationSeconds: 100, bell: Bell(timeSeconds: 40), segments: [seg(0, 100, .group)])
        let result = TruthFile(durationSeconds: 100, bell: nil, segments: [seg(0, 70, .group)])
        let c = KindConfusion(result: result, truth: truth)
        let g = try #require(KindConfusion.labels.firstIndex(of: "group"))
        let none = KindConfusion.labels.count - 1
        #expect(c.samples[g][g] == 300 && c.samples[g][none] == 300)
        #expect(c.samples.joined().reduce(0, +) == 600)
        #expect(c.kappa == 0)                                   // all truth one kind: chance equals observed
        #expect(KindConfusion(result: truth, truth: truth).kappa == nil)
        #expect(KindConfusion().kappa == nil)
    }
}
