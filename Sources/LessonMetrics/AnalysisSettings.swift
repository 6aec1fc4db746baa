/// Every tunable that shaped a result (the contract's `settings`), so the result can be reproduced.
///
/// Encodes as one flat JSON object: `settleSeconds`, `minTransitionSeconds` and every entry of `other`.
public struct AnalysisSettings: Sendable, Equatable, Codable {
    /// How long the class must stay clear of transitions and unknown stretches to count as settled.
    public var settleSeconds: Double
    /// The shortest transition the segmenter reports.
    public var minTransitionSeconds: Double
    /// Every other tunable by name (analysis rate, thresholds, …). Entries named `settleSeconds` or
    /// `minTransitionSeconds` are ignored in favour of the properties above.
    public var other: [String: JSONValue]

    public init(
        settleSeconds: Double = Metrics.defaultSettleSeconds, minTransitionSeconds: Double,
        other: [String: JSONValue] = [:]
    ) {
        self.settleSeconds = settleSeconds
        self.minTransitionSeconds = minTransitionSeconds
        self.other = other
    }

    /// Every tunable as JSON members, the required two included.
    public var values: [String: JSONValue] {
        var values = other
        values[Key.settleSeconds.stringValue] = .number(settleSeconds)
        values[Key.minTransitionSeconds.stringValue] = .number(minTransitionSeconds)
        return values
    }

    private enum Key: String, CodingKey {
        case settleSeconds, minTransitionSeconds
    }

    /// Decodes any settings object that holds the two required numbers.
    public init(from decoder: any Decoder) throws {
        var values = try [String: JSONValue](from: decoder)
        func required(_ key: Key) throws -> Double {
            guard let value = values.removeValue(forKey: key.stringValue)?.doubleValue else {
                throw DecodingError.dataCorrupted(.init(
                    codingPath: decoder.codingPath + [key],
                    debugDescription: "settings must hold a number named \(key.stringValue)"))
            }
            return value
        }
        settleSeconds = try required(.settleSeconds)
        minTransitionSeconds = try required(.minTransitionSeconds)
        other = values
    }

    public func encode(to encoder: any Encoder) throws {
        try values.encode(to: encoder)
    }
}
