import JSON
import JSONRPC
import MedusaStore

/// `auth.callback` (Medusa v2): js-sdk `auth.callback("customer", provider, query)`,
/// `GET /auth/customer/{provider}/callback?{query}` with the OAuth provider's redirect query (`code`,
/// `state`, …); the session adopts the token as after `auth.login`.
struct AuthCallback: BridgeMethod {
    static let name = "auth.callback"
    let provider: String
    let query: [(name: String, value: String)]
    let options: CallOptions

    init(params: Params?) throws(ResponseError) {
        let reader = try ParamReader(params, names: ["provider", "query", "customHeaders", "session"], positions: nil)
        provider = try reader.string("provider")
        guard !provider.isEmpty else { throw .invalidParams("'provider' must not be empty", field: "provider") }
        var query: [(name: String, value: String)] = []
        switch reader.value("query") {
        case nil, .null?: break
        case .object(let object)?:
            for (name, value) in object {
                guard case .string(let text) = value else {
                    throw .invalidParams("'query.\(name)' must be a string, not \(value.typeName)", field: "query.\(name)")
                }
                query.append((name, text))
            }
        case let other?:
            throw .invalidParams("'query' must be an object of strings, not \(other.typeName)", field: "query")
        }
        self.query = query
        options = try reader.callOptions()
    }

    var sessionUse: SessionUse? { SessionUse(session: options.session, exclusive: true) }

    func run(in context: MethodContext) async throws -> JSONValue {
        try await context.medusa.callback(provider: provider, query: query, options: options)
    }
}
