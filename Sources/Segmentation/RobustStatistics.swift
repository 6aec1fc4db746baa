/// Median, MAD and robust standardisation, for per-lesson normalisation.
public enum RobustStatistics {
    /// The median of `values` (the mean of the middle two for an even count); nil when empty.
    public static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let s = values.sorted()
        let m = s.count / 2
        return s.count % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2
    }

    /// The `q`-quantile (0...1) by linear interpolation between order statistics; nil when empty.
    public static func quantile(_ values: [Double], _ q: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let s = values.sorted()
        let pos = min(1, max(0, q)) * Double(s.count - 1)
        let lo = Int(pos.rounded(.down)), hi = min(s.count - 1, lo + 1)
        return s[lo] + (s[hi] - s[lo]) * (pos - Double(lo))
    }

    /// Median absolute deviation from the median, scaled by 1.4826 so that it estimates a normal
    /// distribution's standard deviation; nil when empty.
    public static func mad(_ values: [Double]) -> Double? {
        guard let m = median(values) else { return nil }
        return median(values.map { abs($0 - m) }).map { $0 * 1.4826 }
    }

    /// `(x − median) / max(MAD, minimumScale)` for each value; nil values (no data) stay nil.
    public static func standardise(_ values: [Double?], minimumScale: Double) -> [Double?] {
        let present = values.compactMap { $0 }
        guard let m = median(present), let d = mad(present) else { return values.map { _ in nil } }
        let scale = max(d, minimumScale)
        return values.map { $0.map { ($0 - m) / scale } }
    }

    /// `(x − baseline) / max(MAD, minimumScale)`, where the baseline is the `q`-quantile of the values
    /// present; nil values (no data) stay nil.
    public static func standardise(_ values: [Double?], baselineQuantile q: Double, minimumScale: Double) -> [Double?] {
        let present = values.compactMap { $0 }
        guard let b = quantile(present, q), let d = mad(present) else { return values.map { _ in nil } }
        let scale = max(d, minimumScale)
        return values.map { $0.map { ($0 - b) / scale } }
    }

    /// A running median over `2 × half + 1` values (fewer at the ends); nil values are skipped, and a
    /// window with none gives nil.
    public static func medianFilter(_ values: [Double?], half: Int) -> [Double?] {
        guard half > 0 else { return values }
        var result = [Double?](repeating: nil, count: values.count)
        var window: [Double] = []
        window.reserveCapacity(2 * half + 1)
        for i in values.indices {
            window.removeAll(keepingCapacity: true)
            for j in max(0, i - half)...min(values.count - 1, i + half) {
                if let v = values[j] { window.append(v) }
            }
            result[i] = median(window)
        }
        return result
    }
}
