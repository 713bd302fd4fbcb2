import JSON
import JSONRPC

/// `initialize`: optional handshake on the protocol version (shaped like LSP's and MCP's).
struct Initialize: ImmediateMethod {
    static let name = "initialize"
    let protocolVersion: String?
    let clientName: String?

    init(params: Params?) throws(ResponseError) {
        let reader = try ParamReader(params, names: ["protocolVersion", "clientInfo"], positions: nil)
        protocolVersion = try reader.optionalString("protocolVersion")
        switch reader.value("clientInfo") {
        case nil, .null?: clientName = nil
        case .object(let info)?:
            // LSP's and MCP's clientInfo: {name, version?}, both strings. Other members are the
            // client's business; these two are read as the schema types them, not guessed at.
            for member in ["name", "version"] {
                guard let value = info[member], value.stringValue == nil else { continue }
                throw .invalidParams(
                    "'clientInfo.\(member)' must be a string, not \(value.typeName)", field: "clientInfo.\(member)")
            }
            clientName = info["name"]?.stringValue
        case let other?:
            throw .invalidParams("'clientInfo' must be an object, not \(other.typeName)", field: "clientInfo")
        }
    }

    func respond(in context: MethodContext) throws(ResponseError) -> JSONValue {
        if let protocolVersion, !BridgeInfo.supportedProtocolVersions.contains(protocolVersion) {
            throw ResponseError(
                code: .invalidParams, message: "Unsupported protocol version \(protocolVersion)",
                data: .object(
                    JSONObject([
                        (key: "supported", value: .array(BridgeInfo.supportedProtocolVersions.map(JSONValue.string))),
                        (key: "requested", value: .string(protocolVersion)),
                    ])))
        }
        if let clientName { context.logger.info("client \(JSONValue.string(clientName).jsonText) initialized") }
        return .object(
            JSONObject([
                (key: "protocolVersion", value: .string(protocolVersion ?? BridgeInfo.protocolVersion)),
                (
                    key: "serverInfo",
                    value: .object(
                        JSONObject([
                            (key: "name", value: .string(BridgeInfo.name)), (key: "version", value: .string(BridgeInfo.version)),
                        ]))
                ),
            ]))
    }
}
