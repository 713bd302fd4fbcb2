/// A JSON value that keeps what a pass-through must not lose: object key order and numbers as written.
///
/// Medusa's bodies travel through the bridge unchanged (issue 2, "Medusa's response bodies pass through
/// unchanged"), and JSON-RPC ids must be echoed with their original type and value, so an id like
/// `12345678901234567890` must not become a rounded `Double`.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

/// A JSON number kept as its literal text, so it is written back exactly as it was read.
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible {
    /// The literal as it appeared in the input (already validated against the JSON grammar).
    public let literal: String

    /// Wraps a literal that is known to follow the JSON number grammar.
    public init(validatedLiteral: String) { self.literal = validatedLiteral }

    public init(_ value: Int) { self.literal = String(value) }

    /// The value as an `Int` when the literal is an integer that fits.
    public var intValue: Int? { Int(literal) }

    public var doubleValue: Double? { Double(literal) }

    public var description: String { literal }
}

/// A JSON object that keeps its members in the order they were read or added.
///
/// Lookups are linear: the objects on this protocol's paths hold a handful of members, where a scan
/// beats hashing. A repeated key resolves to its last occurrence, as in most JSON parsers.
public struct JSONObject: Sendable, Equatable, Sequence {
    public typealias Member = (key: String, value: JSONValue)
    public private(set) var members: [Member]

    public init(_ members: [Member] = []) { self.members = members }

    public var isEmpty: Bool { members.isEmpty }
    public var count: Int { members.count }
    public var keys: [String] { members.map(\.key) }

    public subscript(key: String) -> JSONValue? {
        get {
            var index = members.endIndex
            while index > members.startIndex {
                index -= 1
                if members[index].key == key { return members[index].value }
            }
            return nil
        }
        set {
            if let index = members.lastIndex(where: { $0.key == key }) {
                if let newValue { members[index].value = newValue } else { members.remove(at: index) }
            } else if let newValue {
                members.append((key, newValue))
            }
        }
    }

    public mutating func append(_ key: String, _ value: JSONValue) { members.append((key, value)) }

    /// Makes room for `count` members at once, instead of growing member by member.
    public mutating func reserveCapacity(_ count: Int) { members.reserveCapacity(count) }

    public func makeIterator() -> IndexingIterator<[Member]> { members.makeIterator() }

    /// Equal when both hold the same keys with equal values, whatever their order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        let lhsKeys = Set(lhs.keys)
        guard lhsKeys == Set(rhs.keys) else { return false }
        return lhsKeys.allSatisfy { lhs[$0] == rhs[$0] }
    }
}

extension JSONValue {
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var objectValue: JSONObject? {
        if case .object(let value) = self { return value }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    public var intValue: Int? {
        if case .number(let value) = self { return value.intValue }
        return nil
    }

    /// The member `key` when this is an object.
    public subscript(key: String) -> JSONValue? { objectValue?[key] }

    /// The JSON type name, for error messages ("must be a string, not a number").
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(JSONNumber(value)) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(elements.map { (key: $0.0, value: $0.1) }))
    }
}
