import JSON

/// The params of a request: by name (an object) or by position (an array), JSON-RPC 2.0 §4.2.
public enum Params: Sendable, Equatable {
    case byName(JSONObject)
    case byPosition([JSONValue])
}

/// A well-formed request or notification.
public struct Request: Sendable, Equatable {
    /// nil for a notification (no `id` member); `.null` for `"id": null`, which is a request.
    public var id: RequestID?
    public var method: String
    public var params: Params?

    public init(id: RequestID?, method: String, params: Params? = nil) {
        self.id = id
        self.method = method
        self.params = params
    }

    public var isNotification: Bool { id == nil }
}

/// A message that is JSON but not a valid request, with the id recovered when it could be read.
public struct InvalidMessage: Sendable, Equatable, Error {
    public var id: RequestID
    public var error: ResponseError
}

/// What one frame on stdin holds.
public enum Incoming: Sendable, Equatable {
    case single(Result<Request, InvalidMessage>)
    case batch([Result<Request, InvalidMessage>])

    /// Decodes a frame. Throws only for text that is not JSON (answered -32700 with id null).
    public static func decode(_ frame: [UInt8]) throws(JSONParseError) -> Incoming {
        let document = try JSONParser.parseDocument(frame)
        return decode(document.value, lossyStrings: document.replacedLoneSurrogates)
    }

    /// - Parameter lossyStrings: some string had a lone surrogate replaced by U+FFFD; a string id
    ///   holding U+FFFD then cannot be echoed as sent, so it counts as unreadable (answered with null)
    ///   rather than answered with an id the client never used.
    public static func decode(_ value: JSONValue, lossyStrings: Bool = false) -> Incoming {
        if case .array(let elements) = value {
            return .batch(elements.map { decodeRequest($0, lossyStrings: lossyStrings) })
        }
        return .single(decodeRequest(value, lossyStrings: lossyStrings))
    }

    /// Checks one request object against JSON-RPC 2.0 §4; the error keeps the id when it is readable.
    static func decodeRequest(_ value: JSONValue, lossyStrings: Bool) -> Result<Request, InvalidMessage> {
        guard case .object(let object) = value else {
            return .failure(InvalidMessage(id: .null, error: .invalidRequest("a request must be an object, not \(value.typeName)")))
        }
        var id: RequestID?
        if let rawID = object["id"] {
            guard let parsed = RequestID(rawID) else {
                return .failure(InvalidMessage(id: .null, error: .invalidRequest("id must be a string, number or null")))
            }
            if lossyStrings, case .string(let text) = parsed, text.unicodeScalars.contains("\u{FFFD}") {
                return .failure(InvalidMessage(id: .null, error: .invalidRequest("id holds a lone surrogate, which cannot be echoed")))
            }
            id = parsed
        }
        func invalid(_ detail: String) -> Result<Request, InvalidMessage> {
            .failure(InvalidMessage(id: id ?? .null, error: .invalidRequest(detail)))
        }
        guard object["jsonrpc"] == .string("2.0") else { return invalid("jsonrpc must be \"2.0\"") }
        guard case .string(let method)? = object["method"] else { return invalid("method must be a string") }
        var params: Params?
        switch object["params"] {
        case nil: params = nil
        case .object(let members)?: params = .byName(members)
        case .array(let elements)?: params = .byPosition(elements)
        case let other?: return invalid("params must be an object or an array, not \(other.typeName)")
        }
        return .success(Request(id: id, method: method, params: params))
    }
}
