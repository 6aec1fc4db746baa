/// Something that may make a result's figures wrong (the contract's `warnings` items): a code to group
/// by, a sentence for a person, and where in the recording, when it is somewhere.
public struct AnalysisWarning: Sendable, Equatable, Codable {
    /// Lower-case words and dashes: `no-bell-found`, `truncated`, `too-short`, … (the contract lists them).
    public var code: String
    public var message: String
    public var atSeconds: Double?

    public init(code: String, message: String, atSeconds: Double? = nil) {
        self.code = code
        self.message = message
        self.atSeconds = atSeconds
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(code, forKey: .code)
        try c.encode(message, forKey: .message)
        try c.encode(atSeconds.map(roundedTime), forKey: .atSeconds)  // null when nowhere in particular
    }

    /// How much a code matters: the lower, the earlier it is listed.
    static let order = ["too-short", "no-class-in-view", "camera-moving", "truncated", "timestamp-jump", "unreadable-tail",
                        "video-part-failed", "no-bell-found", "bell-outside-recording", "damaged-packets",
                        "audio-gaps", "no-video", "no-audio"]

    /// Codes that say only what the recording lacks, not that the figures may be wrong.
    static let informational: Set<String> = ["no-video", "no-audio"]

    /// `warnings` most important first (stable within a code).
    public static func sorted(_ warnings: [AnalysisWarning]) -> [AnalysisWarning] {
        warnings.enumerated().sorted { a, b in
            let ra = order.firstIndex(of: a.element.code) ?? order.count
            let rb = order.firstIndex(of: b.element.code) ?? order.count
            return ra != rb ? ra < rb : a.offset < b.offset
        }.map(\.element)
    }

    /// The contract's `status`: `check` when a warning says the figures may be wrong, else `ok`.
    public static func status(_ warnings: [AnalysisWarning]) -> String {
        warnings.contains { !informational.contains($0.code) } ? "check" : "ok"
    }
}
