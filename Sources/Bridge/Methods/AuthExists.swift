import JSON
import JSONRPC
import MedusaStore

/// `auth.exists`: medusa-js `auth.exists(email, customHeaders)`, `GET /store/auth/{email}`. The email is
/// checked as a path segment: medusa-js would send `exists("")` as `GET /store/auth/`, which is the
/// session route, and answer with the logged-in customer.
struct AuthExists: BridgeMethod {
    static let name = "auth.exists"
    let email: String
    let options: CallOptions

    init(params: Params?) throws(ResponseError) {
        let reader = try ParamReader(
            params, names: ["email", "customHeaders", "session"], positions: [.value("email"), .value("customHeaders")])
        email = try reader.pathSegment("email")
        options = try reader.callOptions()
    }

    var sessionUse: SessionUse? { SessionUse(session: options.session, exclusive: false) }

    func run(in context: MethodContext) async throws -> JSONValue {
        try await context.medusa.exists(email: email, options: options)
    }

    func start(
        in context: MethodContext, completion: @escaping @Sendable (Result<JSONValue, ResponseError>) -> Void
    ) -> (@Sendable () -> Void)? {
        context.medusa.startExists(email: email, options: options) { completion($0.mapError { ResponseError($0) }) }
    }
}
