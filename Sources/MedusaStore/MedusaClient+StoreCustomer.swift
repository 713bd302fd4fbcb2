import JSON

/// Medusa v2's `/store/customers` routes as js-sdk's `sdk.store.customer` calls them (medusajs/medusa
/// `packages/core/js-sdk/src/store/index.ts`; routes in `packages/medusa/src/api/store/customers/`).
/// Medusa v2 refuses every `/store/*` request without a publishable key, before looking at auth.
extension MedusaClient {
    public static let publishableKeyHeader = "x-publishable-api-key"

    /// Whether a call with `options` would carry a non-empty `x-publishable-api-key`: the value that
    /// `headers(method:url:options:)` sends, the call's own over the configured headers over the configured
    /// key. An empty value (or blanks) is no key: Medusa refuses it like a missing one, and after
    /// `auth.signup`'s first step had already registered the identity.
    public func hasPublishableKey(options: CallOptions) -> Bool {
        let key =
            options.customHeaders[Self.publishableKeyHeader] ?? configuration.headers[Self.publishableKeyHeader]
            ?? configuration.publishableAPIKey
        return key.map { !$0.trimmingSpaces().isEmpty } ?? false
    }

    /// `POST /store/customers`: creates the customer of the identity whose token the session holds (a
    /// registration token, or a first OAuth login's). Medusa answers 200 `{customer}`.
    public func createCustomer(_ fields: JSONObject, query: String?, options: CallOptions) async throws(MedusaFailure) -> JSONValue {
        try await perform(createCustomerExchange(fields, query: query, options: options))
    }

    /// `createCustomer` as an `Exchange`: run in a task by `perform`, or without one by `start`.
    public func createCustomerExchange(_ fields: JSONObject, query: String?, options: CallOptions) -> Exchange<JSONValue> {
        Exchange(method: "POST", path: "/store/customers" + Self.fieldsQuery(query), body: .object(fields), options: options) {
            response throws(MedusaFailure) in try self.sessionCustomer(response, options: options)
        }
    }

    /// `GET /store/customers/me`, by Bearer in jwt mode or cookie in session mode; `fields` is Medusa's
    /// field selection (`+metadata`, `*orders`, …), passed unchanged.
    public func retrieveCustomer(query: String?, options: CallOptions) async throws(MedusaFailure) -> JSONValue {
        try await perform(retrieveCustomerExchange(query: query, options: options))
    }

    /// `retrieveCustomer` as an `Exchange`: run in a task by `perform`, or without one by `start`.
    public func retrieveCustomerExchange(query: String?, options: CallOptions) -> Exchange<JSONValue> {
        Exchange(method: "GET", path: "/store/customers/me" + Self.fieldsQuery(query), body: nil, options: options) {
            response throws(MedusaFailure) in try self.sessionCustomer(response, options: options)
        }
    }

    /// `POST /store/customers/me` with the fields to change (Medusa refuses `email` there).
    public func updateCustomer(_ fields: JSONObject, query: String?, options: CallOptions) async throws(MedusaFailure) -> JSONValue {
        try await perform(updateCustomerExchange(fields, query: query, options: options))
    }

    /// `updateCustomer` as an `Exchange`: run in a task by `perform`, or without one by `start`.
    public func updateCustomerExchange(_ fields: JSONObject, query: String?, options: CallOptions) -> Exchange<JSONValue> {
        Exchange(method: "POST", path: "/store/customers/me" + Self.fieldsQuery(query), body: .object(fields), options: options) {
            response throws(MedusaFailure) in try self.sessionCustomer(response, options: options)
        }
    }

    static func fieldsQuery(_ fields: String?) -> String {
        fields.map { queryString([(name: "fields", value: $0)]) } ?? ""
    }
}
