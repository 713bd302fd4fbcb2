import JSON
import JSONRPC
import MedusaStore

/// `auth.deleteSession`: medusa-js `auth.deleteSession(customHeaders)`, `DELETE /store/auth`, then the
/// session's cookies and token are forgotten. Answers `{}` (Medusa's body is the text `OK`).
struct AuthDeleteSession: BridgeMethod {
    static let name = "auth.deleteSession"
    let options: CallOptions

    init(params: Params?) throws(ResponseError) {
        let reader = try ParamReader(params, names: ["customHeaders", "session"], positions: [.value("customHeaders")])
        options = try reader.callOptions()
    }

    var sessionUse: SessionUse? { SessionUse(session: options.session, exclusive: true) }

    func run(in context: MethodContext) async throws -> JSONValue {
        try await context.medusa.deleteSession(options: options)
        return .emptyObject
    }
}
