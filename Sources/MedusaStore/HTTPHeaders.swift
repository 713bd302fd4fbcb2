/// An ordered list of header fields whose names compare case-insensitively.
///
/// medusa-js merges with `Object.assign`, so `authorization` and `Authorization` could both be sent;
/// the bridge merges case-insensitively instead (issue 2: custom headers "merged over the configured
/// headers case-insensitively").
public struct HTTPHeaders: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    public typealias Field = (name: String, value: String)
    public private(set) var fields: [Field] = []

    public init(_ fields: [Field] = []) {
        for field in fields { self[field.name] = field.value }
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements.map { (name: $0.0, value: $0.1) })
    }

    /// The value of `name`, or nil. Setting replaces every field of that name in place of the first.
    public subscript(name: String) -> String? {
        get { fields.first { $0.name.caseInsensitiveEquals(name) }?.value }
        set {
            let index = fields.firstIndex { $0.name.caseInsensitiveEquals(name) }
            fields.removeAll { $0.name.caseInsensitiveEquals(name) }
            guard let newValue else { return }
            fields.insert((name, newValue), at: Swift.min(index ?? fields.count, fields.count))
        }
    }

    /// Every value of `name`, in order (response headers may repeat, e.g. Set-Cookie).
    public func values(for name: String) -> [String] {
        var values: [String] = []
        for field in fields where field.name.caseInsensitiveEquals(name) { values.append(field.value) }
        return values
    }

    /// Whether `value` may be a field value (RFC 9110 §5.5): no control character but HTAB, so no CR,
    /// LF or NUL that would end the field, or the request, early. The one rule for values the caller
    /// gives (`customHeaders`, `--header`, a reset token) and tokens Medusa's answers carry.
    public static func isValidValue(_ value: some StringProtocol) -> Bool {
        value.utf8.allSatisfy { $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }
    }

    /// Adds a field without replacing others of the same name (response parsing).
    public mutating func append(name: String, value: String) { fields.append((name, value)) }

    /// Makes room for `count` fields at once, instead of growing field by field (response parsing).
    public mutating func reserveCapacity(_ count: Int) { fields.reserveCapacity(count) }

    /// These headers with `overrides` applied on top, each replacing any same-named field.
    public func merging(_ overrides: HTTPHeaders) -> HTTPHeaders {
        if overrides.isEmpty { return self }
        var merged = self
        for field in overrides.fields { merged[field.name] = field.value }
        return merged
    }

    /// Joins an obs-fold continuation line to the last field's value with one space (RFC 9112 §5.2).
    public mutating func continueLastValue(_ continuation: String) {
        guard !fields.isEmpty else { return }
        fields[fields.count - 1].value += fields[fields.count - 1].value.isEmpty ? continuation : " " + continuation
    }

    public var isEmpty: Bool { fields.isEmpty }

    public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.fields.count == rhs.fields.count
            && zip(lhs.fields, rhs.fields).allSatisfy { $0.name.caseInsensitiveEquals($1.name) && $0.value == $1.value }
    }
}

extension String {
    /// ASCII case-insensitive equality, without allocating: header names are ASCII tokens, and this
    /// runs several times for every header of every call.
    package func caseInsensitiveEquals(_ other: String) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        func same(_ left: UInt8, _ right: UInt8) -> Bool {
            left == right || (left | 0x20 == right | 0x20 && (left | 0x20) >= 0x61 && (left | 0x20) <= 0x7A)
        }
        // Over the bytes in place (native and small strings have them): the views' indices cost
        // several times the comparison itself.
        let inPlace = utf8.withContiguousStorageIfAvailable { left in
            other.utf8.withContiguousStorageIfAvailable { right in
                (0..<left.count).allSatisfy { same(left[$0], right[$0]) }
            }
        }
        if let result = inPlace ?? nil { return result }
        return zip(utf8, other.utf8).allSatisfy(same)
    }
}
