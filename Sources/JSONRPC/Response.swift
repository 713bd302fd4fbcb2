import JSON

/// A JSON-RPC response, encoded straight into bytes without an intermediate tree.
public struct Response: Sendable, Equatable {
    public var id: RequestID
    public var outcome: Result<JSONValue, ResponseError>

    public init(id: RequestID, outcome: Result<JSONValue, ResponseError>) {
        self.id = id
        self.outcome = outcome
    }

    public static func success(_ id: RequestID, _ result: JSONValue) -> Response { Response(id: id, outcome: .success(result)) }
    public static func failure(_ id: RequestID, _ error: ResponseError) -> Response { Response(id: id, outcome: .failure(error)) }

    public func write(to writer: inout JSONWriter) {
        writer.writeRaw("{\"jsonrpc\":\"2.0\",\"id\":")
        writer.write(id.jsonValue)
        switch outcome {
        case .success(let result):
            writer.writeRaw(",\"result\":")
            writer.write(result)
        case .failure(let error):
            writer.writeRaw(",\"error\":")
            writer.write(error.jsonValue)
        }
        writer.writeRaw("}")
    }

    /// One response, or a batch answer (an array), as compact JSON.
    public static func encode(_ responses: [Response], asBatch: Bool) -> [UInt8] {
        var writer = JSONWriter()
        if asBatch { writer.writeRaw("[") }
        for (offset, response) in responses.enumerated() {
            if offset > 0 { writer.writeRaw(",") }
            response.write(to: &writer)
        }
        if asBatch { writer.writeRaw("]") }
        return writer.bytes
    }
}
