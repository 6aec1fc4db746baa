/// Rounds a time (or any figure the contract reports) to 0.01, the contract's resolution.
///
/// Halves round away from zero, and a result of zero is always `+0`, so JSON never shows `-0`.
public func roundedTime(_ seconds: Double) -> Double {
    // Adding +0 turns a -0 from a tiny negative input into +0.
    (seconds * 100).rounded() / 100 + 0.0
}
