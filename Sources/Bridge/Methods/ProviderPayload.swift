import JSON
import JSONRPC
import MedusaStore

/// The params of the v2 calls that reach an auth provider (`auth.login`, `auth.register`): `email` and
/// `password` for `emailpass`, or `provider` with its own `payload` object, as js-sdk's
/// `auth.login("customer", provider, payload)`.
struct ProviderPayload: Sendable {
    static let names = ["provider", "email", "password", "payload"]

    let provider: String
    let payload: JSONValue

    init(_ reader: ParamReader) throws(ResponseError) {
        provider = try Self.provider(reader)
        if let payload = reader.value("payload"), payload != .null {
            guard payload.objectValue != nil else {
                throw .invalidParams("'payload' must be an object, not \(payload.typeName)", field: "payload")
            }
            if let both = ["email", "password"].first(where: { reader.value($0) != nil }) {
                throw .invalidParams("give either 'payload' or 'email' and 'password', not both", field: both)
            }
            self.payload = payload
        } else if provider == MedusaClient.defaultProvider || reader.value("email") != nil || reader.value("password") != nil {
            self.payload = .object(
                JSONObject([
                    (key: "email", value: .string(try reader.string("email"))),
                    (key: "password", value: .string(try reader.string("password"))),
                ]))
        } else {
            // An OAuth start takes no payload (js-sdk's docs call `login("customer", "google", {})`).
            self.payload = .emptyObject
        }
    }

    /// `provider`: a non-empty string, default `emailpass`.
    static func provider(_ reader: ParamReader) throws(ResponseError) -> String {
        guard let provider = try reader.optionalString("provider") else { return MedusaClient.defaultProvider }
        guard !provider.isEmpty else { throw .invalidParams("'provider' must not be empty", field: "provider") }
        return provider
    }
}
