import Testing
@testable import Segmentation

@Suite struct RobustStatisticsTests {
    @Test func medianQuantileMad() {
        #expect(RobustStatistics.median([3, 1, 2]) == 2)
        #expect(RobustStatistics.median([4, 1, 2, 3]) == 2.5)
        #expect(RobustStatistics.median([]) == nil)
        #expect(RobustStatistics.quantile([0, 10, 20, 30, 40], 0.25) == 10)
        #expect(RobustStatistics.quantile([0, 10], 0.5) == 5)
        // Deviations from 3: 2,1,0,1,97 → median 1 → MAD 1.4826.
        #expect(abs(RobustStatistics.mad([1, 2, 3, 4, 100])! - 1.4826) < 1e-12)
    }

    @Test func standardiseKeepsGaps() {
        let z = RobustStatistics.standardise([1, 2, nil, 3, 4, 100], baselineQuantile: 0.5, minimumScale: 0.1)
        #expect(z[2] == nil)
        #expect(z[1]! == 0 / 1.4826 - 1 / 1.4826)  // baseline 3, MAD 1.4826
    }

    @Test func medianFilterRemovesSpikes() {
        let f = RobustStatistics.medianFilter([0, 0, 9, 0, 0], half: 1)
        #expect(f.map { $0! } == [0, 0, 0, 0, 0])
    }
}
