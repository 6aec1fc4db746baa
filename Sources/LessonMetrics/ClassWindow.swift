/// The contract's class window: from the bell (0 without one) to the end of the recording.
///
/// A bell outside the recording is clamped into it, so the window never has a negative length.
struct ClassWindow: Equatable {
    var start: Double
    var end: Double

    init(bell: Double?, duration: Double) {
        end = max(duration, 0)
        start = min(max(bell ?? 0, 0), end)
    }

    var length: Double { end - start }

    /// Seconds of `[from, to)` inside the window; 0 when they do not overlap.
    func overlap(_ from: Double, _ to: Double) -> Double {
        max(0, min(to, end) - max(from, start))
    }
}
