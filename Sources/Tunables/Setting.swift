/// One tunable: its value, the range it must lie in, and what it means, declared once beside the unit
/// that uses it. It encodes as its bare value, so a settings group is a plain JSON object of values.
///
///     @Setting(0...1, "Quantile of a cell's differences that is its noise floor.")
///     public var cellFloorQuantile = 0.2
@propertyWrapper
public struct Setting<Value: SettingValue>: Sendable, Equatable, Codable {
    public var wrappedValue: Value
    /// The values allowed (numbers only; an optional number may also be null). Empty after decoding:
    /// ranges and meanings come from the declaration, which `SettingsGroup` reads from its defaults.
    public let range: ClosedRange<Double>?
    public let meaning: String

    public init(wrappedValue: Value, _ range: ClosedRange<Double>, _ meaning: String) {
        self.wrappedValue = wrappedValue
        self.range = range
        self.meaning = meaning
    }

    /// A setting with no range to check (a switch).
    public init(wrappedValue: Value, _ meaning: String) {
        self.wrappedValue = wrappedValue
        range = nil
        self.meaning = meaning
    }

    public init(from decoder: any Decoder) throws {
        wrappedValue = try Value(from: decoder)
        range = nil
        meaning = ""
    }

    public func encode(to encoder: any Encoder) throws { try wrappedValue.encode(to: encoder) }

    public static func == (a: Self, b: Self) -> Bool { a.wrappedValue == b.wrappedValue }
}

/// A type a setting may have: a number, a whole number, a switch, or an optional number.
public protocol SettingValue: Codable, Sendable, Equatable {
    /// The value as a number for the range check; nil when there is nothing to check.
    var settingNumber: Double? { get }
    /// The value as text, for the docs.
    var settingText: String { get }
}

extension Double: SettingValue {
    public var settingNumber: Double? { self }
    public var settingText: String { self == rounded() && abs(self) < 1e15 ? String(Int(self)) : String(self) }
}
extension Int: SettingValue {
    public var settingNumber: Double? { Double(self) }
    public var settingText: String { String(self) }
}
extension Bool: SettingValue {
    public var settingNumber: Double? { nil }
    public var settingText: String { String(self) }
}
extension Optional: SettingValue where Wrapped == Double {
    public var settingNumber: Double? { self }
    public var settingText: String { map { $0.settingText } ?? "null" }
}

/// What `SettingsGroup` reads of each setting without knowing its type.
protocol AnySetting {
    var range: ClosedRange<Double>? { get }
    var meaning: String { get }
    var number: Double? { get }
    var text: String { get }
    var typeName: String { get }
}

extension Setting: AnySetting {
    var number: Double? { wrappedValue.settingNumber }
    var text: String { wrappedValue.settingText }
    var typeName: String {
        switch Value.self {
        case is Int.Type: "whole number"
        case is Bool.Type: "true or false"
        case is Double?.Type: "number or null"
        default: "number"
        }
    }
}

/// One setting as the docs show it.
public struct SettingDescription: Sendable, Equatable {
    public var key: String
    public var defaultValue: String
    public var range: ClosedRange<Double>?
    public var type: String
    public var meaning: String

    public init(key: String, defaultValue: String, range: ClosedRange<Double>?, type: String, meaning: String) {
        self.key = key
        self.defaultValue = defaultValue
        self.range = range
        self.type = type
        self.meaning = meaning
    }
}

/// A bad setting: one line, naming the key.
public struct SettingError: Error, CustomStringConvertible, Equatable {
    public let key: String
    public let message: String
    public init(key: String, message: String) {
        self.key = key
        self.message = message
    }
    public var description: String { "setting \(key): \(message)" }
}

/// A unit's settings: a struct of `@Setting`s with defaults (`init()`), checked by `validate(prefix:)`.
public protocol SettingsGroup: Codable, Sendable, Equatable {
    init()
    /// Checks that go beyond each value's own range (one setting against another). Throws `SettingError`.
    func validateRelations(prefix: String) throws(SettingError)
}

extension SettingsGroup {
    public func validateRelations(prefix: String) throws(SettingError) {}

    /// Every setting in declaration order, with its default, range and meaning (from the declaration).
    public static func descriptions(prefix: String = "") -> [SettingDescription] { descriptions(of: Self(), prefix: prefix) }

    /// The same with the values of `group` (ranges and meanings come only with declared values).
    public static func descriptions(of group: Self, prefix: String = "") -> [SettingDescription] {
        Mirror(reflecting: group).children.compactMap { child in
            guard let label = child.label, let setting = child.value as? any AnySetting else { return nil }
            return SettingDescription(key: prefix + String(label.dropFirst()), defaultValue: setting.text,
                                      range: setting.range, type: setting.typeName, meaning: setting.meaning)
        }
    }

    /// Throws for the first value outside its declared range (or not finite), then for broken relations.
    public func validate(prefix: String = "") throws(SettingError) {
        let declared = Dictionary(uniqueKeysWithValues: Self.descriptions().map { ($0.key, $0.range) })
        for child in Mirror(reflecting: self).children {
            guard let label = child.label, let setting = child.value as? any AnySetting,
                  let value = setting.number else { continue }
            let key = String(label.dropFirst())
            guard value.isFinite else { throw SettingError(key: prefix + key, message: "must be a finite number") }
            if let range = declared[key] ?? nil, !range.contains(value) {
                throw SettingError(key: prefix + key,
                                   message: "\(setting.text) is outside \(range.lowerBound.settingText)...\(range.upperBound.settingText)")
            }
        }
        try validateRelations(prefix: prefix)
    }
}

/// Throws unless `condition`, naming `key`.
public func require(_ condition: Bool, _ key: String, _ message: @autoclosure () -> String) throws(SettingError) {
    if !condition { throw SettingError(key: key, message: message()) }
}
