import LessonMetrics
import Testing

@Suite struct RoundingTests {
    @Test func roundsToHundredths() {
        #expect(roundedTime(12.344) == 12.34)
        #expect(roundedTime(12.346) == 12.35)
        #expect(roundedTime(2.5) == 2.5)
        #expect(roundedTime(1.0 / 3.0) == 0.33)
        #expect(roundedTime(600) == 600)
    }

    @Test func tinyNegativeRoundsToPositiveZero() {
        let value = roundedTime(-0.001)
        #expect(value == 0)
        #expect(value.sign == .plus)
    }
}
