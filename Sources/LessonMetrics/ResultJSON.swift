import Foundation

/// The contract's text form: stable, pretty-printed JSON with sorted keys and a final newline.
///
/// The same value always gives the same bytes, so results can be compared and kept under version
/// control. Times are rounded to 0.01 s by the model types' own encoding.
public enum ResultJSON {
    /// An encoder set up for the contract's text form (without the final newline).
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// The value as contract JSON, ending in a newline.
    ///
    /// - Throws: `EncodingError` for a value JSON cannot hold, such as a NaN or infinite number.
    public static func encode<Value: Encodable>(_ value: Value) throws -> Data {
        var data = try makeEncoder().encode(value)
        data.append(UInt8(ascii: "\n"))
        return data
    }

    /// Reads a value, such as an ``AnalysisResult`` or a ``TruthFile``, from JSON.
    ///
    /// - Throws: `DecodingError` when the JSON does not have the expected shape.
    public static func decode<Value: Decodable>(_ type: Value.Type, from data: Data) throws -> Value {
        try JSONDecoder().decode(type, from: data)
    }
}
