import JSON
import JSONRPC
import MedusaStore

/// The params of both logins: medusa-js's `payload` (`{email, password}`) by name or first by
/// position, then `customHeaders`, plus the `session` of every auth call.
struct Credentials: Sendable {
    let email: String
    let password: String
    let options: CallOptions

    init(params: Params?) throws(ResponseError) {
        let reader = try ParamReader(
            params, names: ["email", "password", "customHeaders", "session"],
            positions: [.payload(["email", "password"]), .value("customHeaders")])
        email = try reader.string("email")
        password = try reader.string("password")
        options = try reader.callOptions()
    }

    /// Logins change the session's state, so they are ordered exclusively within it.
    var sessionUse: SessionUse { SessionUse(session: options.session, exclusive: true) }
}
