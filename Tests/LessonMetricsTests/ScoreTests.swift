import Foundation
import LessonMetrics
import Testing

@Suite struct ScoreTests {
    @Test func transitionMatchFigures() {
        let some = TransitionMatch(resultCount: 4, truthCount: 2, matchedCount: 1)
        #expect(some.precision == 0.25)
        #expect(some.recall == 0.5)
        #expect(some.f1 == 2.0 / 6.0)  // 2 × 1 / (4 + 2)
        let none = TransitionMatch(resultCount: 0, truthCount: 0, matchedCount: 0)
        #expect((none.precision, none.recall, none.f1) == (1, 1, 1))
        let missedAll = TransitionMatch(resultCount: 0, truthCount: 3, matchedCount: 0)
        #expect((missedAll.precision, missedAll.recall, missedAll.f1) == (1, 0, 0))
    }

    @Test func bellOutcomeMisses() {
        #expect(BellOutcome.missed.isMiss)
        #expect(BellOutcome.extra.isMiss)
        #expect(!BellOutcome.noBell.isMiss)
        #expect(!BellOutcome.found(errorSeconds: 3).isMiss)
        #expect(BellOutcome.found(errorSeconds: 3).errorSeconds == 3)
        #expect(BellOutcome.missed.errorSeconds == nil)
    }

    @Test func encodesBellOutcomeAndNullLatency() throws {
        let score = Score(
            labelAgreement: 0.5, transitions: .init(resultCount: 1, truthCount: 1, matchedCount: 1),
            bell: .missed, latencyErrorSeconds: nil, timeOnTaskErrorPoints: 4)
        let members = try jsonMembers(ResultJSON.encode(score))
        #expect(members["latencyErrorSeconds"] == .null)
        #expect(members["bell"] == ["outcome": "missed", "errorSeconds": .null])
        #expect(members["timeOnTaskErrorPoints"] == 4)
        let found = try jsonMembers(ResultJSON.encode(BellOutcome.found(errorSeconds: 2.5)))
        #expect(found == ["outcome": "found", "errorSeconds": 2.5])
    }

    @Test func roundTrips() throws {
        for bell in [BellOutcome.noBell, .found(errorSeconds: 0.25), .missed, .extra] {
            let score = Score(
                labelAgreement: 0.75, transitions: .init(resultCount: 3, truthCount: 2, matchedCount: 2),
                bell: bell, latencyErrorSeconds: bell == .noBell ? nil : 1.5, timeOnTaskErrorPoints: 2)
            #expect(try ResultJSON.decode(Score.self, from: ResultJSON.encode(score)) == score)
        }
    }

    @Test func aggregatesLessons() throws {
        let scores = [
            Score(
                labelAgreement: 0.9, transitions: .init(resultCount: 2, truthCount: 2, matchedCount: 2),
                bell: .found(errorSeconds: 2), latencyErrorSeconds: 4, timeOnTaskErrorPoints: 1),
            Score(
                labelAgreement: 0.7, transitions: .init(resultCount: 1, truthCount: 3, matchedCount: 1),
                bell: .missed, latencyErrorSeconds: nil, timeOnTaskErrorPoints: 3),
            Score(
                labelAgreement: 0.8, transitions: .init(resultCount: 2, truthCount: 0, matchedCount: 0),
                bell: .extra, latencyErrorSeconds: nil, timeOnTaskErrorPoints: 5),
        ]
        let total = AggregateScore(scores)
        #expect(total.lessonCount == 3)
        #expect(abs(try #require(total.meanLabelAgreement) - 0.8) < 1e-12)  // (0.9 + 0.7 + 0.8) / 3
        #expect(total.meanTransitionF1 == 0.5)  // (1 + 0.5 + 0) / 3
        #expect(total.pooledTransitionF1 == 0.6)  // 2 × 3 / (5 + 5)
        #expect(total.bellMisses == 2)
        #expect(total.meanBellErrorSeconds == 2)
        #expect(total.maxBellErrorSeconds == 2)
        #expect(total.meanLatencyErrorSeconds == 4)
        #expect(total.maxLatencyErrorSeconds == 4)
        #expect(total.meanTimeOnTaskErrorPoints == 3)  // (1 + 3 + 5) / 3
        #expect(total.maxTimeOnTaskErrorPoints == 5)
        #expect(Accuracy.aggregate(scores) == total)
    }

    @Test func aggregateOfNoLessonsIsAllNull() throws {
        let total = AggregateScore([])
        #expect(total.lessonCount == 0)
        #expect(total.bellMisses == 0)
        let members = try jsonMembers(ResultJSON.encode(total))
        #expect(members.count == 12)
        #expect(members.filter { $0.value == .null }.count == 10)  // all but the two counts
    }
}
