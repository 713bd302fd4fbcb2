import JSON
import JSONRPC
import MedusaStore

/// Reads a method's params the same way whether they came by name or by position.
///
/// By-position params mirror medusa-js's argument order (`[payload, customHeaders?]`,
/// `[email, customHeaders?]`, `[customHeaders?]`) and always use the default session; they are
/// mapped onto names first, so every check and every message is shared.
public struct ParamReader: Sendable {
    /// One slot of the by-position form.
    public enum Slot: Sendable {
        /// The value itself is the named param.
        case value(String)
        /// An object whose members are the params (medusa-js's `payload`), only those named: the
        /// bridge's own options (`session`, `customHeaders`) are no payload member, and medusa-js
        /// would send anything else to Medusa, which refuses unknown properties.
        case payload([String])
    }

    private var members: JSONObject

    /// - Parameters:
    ///   - names: every by-name param the method accepts; any other member is an error.
    ///   - positions: the by-position layout; nil when the method takes none.
    public init(_ params: Params?, names: [String], positions: [Slot]?) throws(ResponseError) {
        switch params {
        case nil:
            members = JSONObject()
        case .byName(let object):
            members = object
        case .byPosition(let values):
            guard let positions else {
                if values.isEmpty {
                    members = JSONObject()
                    return
                }
                throw .invalidParams("this method takes its params by name")
            }
            guard values.count <= positions.count else {
                throw .invalidParams("expected at most \(positions.count) params by position, got \(values.count)")
            }
            members = JSONObject()
            for (value, slot) in zip(values, positions) {
                switch slot {
                case .value(let name):
                    members.append(name, value)
                case .payload(let allowed):
                    guard case .object(let payload) = value else {
                        throw .invalidParams("payload must be an object, not \(value.typeName)", field: "payload")
                    }
                    if let unknown = payload.keys.first(where: { !allowed.contains($0) }) {
                        throw .invalidParams(
                            "unknown payload member '\(unknown)' (by-position calls use the default session; name the params to choose options)",
                            field: "payload.\(unknown)")
                    }
                    for member in payload { members.append(member.key, member.value) }
                }
            }
        }
        if let unknown = members.keys.first(where: { !names.contains($0) }) {
            throw .invalidParams("unknown param '\(unknown)'", field: unknown)
        }
    }

    /// A required string param.
    public func string(_ name: String) throws(ResponseError) -> String {
        guard let value = members[name] else { throw .invalidParams("missing required param '\(name)'", field: name) }
        guard case .string(let string) = value else {
            throw .invalidParams("'\(name)' must be a string, not \(value.typeName)", field: name)
        }
        return string
    }

    /// An optional string param; null counts as absent.
    public func optionalString(_ name: String) throws(ResponseError) -> String? {
        guard let value = members[name], value != .null else { return nil }
        guard case .string(let string) = value else {
            throw .invalidParams("'\(name)' must be a string, not \(value.typeName)", field: name)
        }
        return string
    }

    /// A required string param that becomes one segment of the request's path (`auth.exists`'s
    /// email). The client percent-encodes every other character, but three values would change the
    /// route itself: an empty segment turns `GET /store/auth/{email}` into `GET /store/auth/`, which
    /// is `auth.getSession` (medusajs/medusa `packages/medusa/src/api/routes/store/auth/index.ts`),
    /// and `.` and `..` are dot segments that URL normalisation collapses (RFC 3986 §5.2.4), even
    /// when percent-encoded, in proxies that decode before normalising. No email is any of them.
    public func pathSegment(_ name: String) throws(ResponseError) -> String {
        let text = try string(name)
        guard !text.isEmpty else { throw .invalidParams("'\(name)' must not be empty", field: name) }
        guard text != ".", text != ".." else {
            throw .invalidParams("'\(name)' must not be '.' or '..', which would change the request's path", field: name)
        }
        return text
    }

    /// An optional param of any JSON type.
    public func value(_ name: String) -> JSONValue? { members[name] }

    /// `session`: a non-empty string, default "default".
    public func session() throws(ResponseError) -> String {
        guard let name = try optionalString("session") else { return CallOptions.defaultSession }
        guard !name.isEmpty else { throw .invalidParams("'session' must not be empty", field: "session") }
        return name
    }

    /// `customHeaders`: an object of strings, each a valid header (no CR/LF smuggling another header)
    /// that the HTTP layer does not own (`HeaderSyntax.isTransportOwned`).
    public func customHeaders() throws(ResponseError) -> HTTPHeaders {
        guard let value = members["customHeaders"], value != .null else { return HTTPHeaders() }
        guard case .object(let object) = value else {
            throw .invalidParams("'customHeaders' must be an object of strings, not \(value.typeName)", field: "customHeaders")
        }
        var headers = HTTPHeaders()
        for (name, member) in object {
            let field = "customHeaders.\(name)"
            guard case .string(let text) = member else {
                throw .invalidParams("'\(field)' must be a string, not \(member.typeName)", field: field)
            }
            guard HeaderSyntax.isToken(name) else { throw .invalidParams("'\(name)' is not a valid header name", field: field) }
            guard !HeaderSyntax.isTransportOwned(name) else {
                throw .invalidParams("'\(name)' is set by the HTTP layer and cannot be given", field: field)
            }
            guard HTTPHeaders.isValidValue(text) else {
                throw .invalidParams("'\(field)' holds a control character", field: field)
            }
            headers[name] = text
        }
        return headers
    }

    /// The options every `auth.*` call shares.
    public func callOptions() throws(ResponseError) -> CallOptions {
        CallOptions(session: try session(), customHeaders: try customHeaders())
    }
}
