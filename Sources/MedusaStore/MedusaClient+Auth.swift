import FoundationEssentials
import JSON

/// The five methods of medusa-js's `AuthResource` (medusajs/medusa v1
/// packages/medusa-js/src/resources/auth.ts), each returning Medusa's body unchanged after checking it
/// has the shape the route documents (packages/medusa/src/api/routes/store/auth/).
extension MedusaClient {
    /// `POST /store/auth` (create-session.ts): logs in with a cookie session; the jar keeps `connect.sid`.
    public func authenticate(email: String, password: String, options: CallOptions) async throws(MedusaFailure) -> JSONValue {
        try await perform(authenticateExchange(email: email, password: password, options: options))
    }

    /// `authenticate` as an `Exchange`: run in a task by `perform`, or without one by `start`.
    public func authenticateExchange(email: String, password: String, options: CallOptions) -> Exchange<JSONValue> {
        Exchange(method: "POST", path: "/store/auth", body: credentials(email, password), options: options) {
            response throws(MedusaFailure) in try self.sessionCustomer(response, options: options)
        }
    }

    /// `GET /store/auth` (get-session.ts): the current customer, by cookie or bearer token.
    public func getSession(options: CallOptions) async throws(MedusaFailure) -> JSONValue {
        try await perform(getSessionExchange(options: options))
    }

    /// `getSession` as an `Exchange`: run in a task by `perform`, or without one by `start`.
    public func getSessionExchange(options: CallOptions) -> Exchange<JSONValue> {
        Exchange(method: "GET", path: "/store/auth", body: nil, options: options) { response throws(MedusaFailure) in
            try self.sessionCustomer(response, options: options)
        }
    }

    /// The `{customer}` a login, the session route or a v2 `/store/customers` route answers (each the
    /// session's own), remembered as the session's customer (`session.list`).
    func sessionCustomer(_ response: HTTPResponse, options: CallOptions) throws(MedusaFailure) -> JSONValue {
        let body = try expect(response, member: "customer", Self.isCustomer)
        rememberCustomer(in: body, session: options.session)
        return body
    }

    /// `DELETE /store/auth` (delete-session.ts) with medusa-js's `{}` body, then forgets the session's
    /// cookies and token whatever Medusa answered: unlike medusa-js, the JWT does not outlive logout
    /// (medusa#7236). A call cancelled before its answer changes nothing, so that its -32800 is true.
    public func deleteSession(options: CallOptions) async throws(MedusaFailure) {
        try await signingOut(options.session) { () async throws(MedusaFailure) in
            _ = try await perform("DELETE", "/store/auth", body: .object(JSONObject()), options: options)
        }
    }

    /// Runs a logout's request, then forgets what signs the session in, whatever the answer: a refusal
    /// or no answer at all still ends the bridge's login. Only a cancelled call leaves the session as
    /// it was: it is answered -32800, which says the call did nothing (the README's promise), as js-sdk's
    /// `logout`, whose aborted `fetch` throws before `clearToken`, leaves it too.
    func signingOut(_ session: String, _ request: () async throws(MedusaFailure) -> Void) async throws(MedusaFailure) {
        do {
            try await request()
        } catch .cancelled {
            throw .cancelled
        } catch {
            sessions.signOut(session)
            throw error
        }
        sessions.signOut(session)
    }

    /// `GET /store/auth/{email}` (exists.ts), the email percent-encoded as one path segment (medusa-js
    /// interpolates it raw, so `a/b@x.io` would reach another route).
    public func exists(email: String, options: CallOptions) async throws(MedusaFailure) -> JSONValue {
        try await perform(existsExchange(email: email, options: options))
    }

    /// `exists` as an `Exchange`: run in a task by `perform`, or without one by `start`.
    public func existsExchange(email: String, options: CallOptions) -> Exchange<JSONValue> {
        Exchange(method: "GET", path: "/store/auth/" + Self.pathSegment(email), body: nil, options: options) {
            response throws(MedusaFailure) in
            try self.expect(response, member: "exists") { $0.boolValue != nil }
        }
    }

    /// `POST /store/auth/token` (get-token.ts); on success the session sends `Authorization: Bearer` from now on,
    /// as medusa-js's `JwtTokenManager.registerJwt` makes it do (packages/medusa-js/src/jwt-token-manager.ts), but per session.
    public func getToken(email: String, password: String, options: CallOptions) async throws(MedusaFailure) -> JSONValue {
        try await perform(getTokenExchange(email: email, password: password, options: options))
    }

    /// `getToken` as an `Exchange`: run in a task by `perform`, or without one by `start`.
    public func getTokenExchange(email: String, password: String, options: CallOptions) -> Exchange<JSONValue> {
        Exchange(method: "POST", path: "/store/auth/token", body: credentials(email, password), options: options) {
            response throws(MedusaFailure) in
            let body = try self.expect(response, member: "access_token", Self.isUsableToken)
            if let token = body["access_token"]?.stringValue {
                let customerID = JWTClaims(token: token)?.customerID
                self.sessions.update(options.session) { state in
                    state.token = token
                    if let customerID { state.customerID = customerID }
                }
            }
            return body
        }
    }

    private func credentials(_ email: String, _ password: String) -> JSONValue {
        .object(JSONObject([(key: "email", value: .string(email)), (key: "password", value: .string(password))]))
    }

    /// The parsed body when it is a JSON object whose `member` passes `check`; otherwise -32003.
    private func expect(_ response: HTTPResponse, member: String, _ check: (JSONValue) -> Bool) throws(MedusaFailure) -> JSONValue {
        if let body = try? JSONParser.parse(response.body), let value = body[member], check(value) {
            return body
        }
        throw response.badResponse()
    }

    /// A token as Medusa issues it: a non-empty string that can be a header value. An empty one would
    /// be sent back as a bare `Authorization: Bearer `, where medusa-js sends no header for a falsy
    /// token; one holding CR or LF would end the `Authorization` field early and add fields, or a whole
    /// request, of the answer's choosing to every later call. Such an answer is -32003, never stored.
    static func isUsableToken(_ value: JSONValue?) -> Bool {
        guard let token = value?.stringValue, !token.isEmpty else { return false }
        return HTTPHeaders.isValidValue(token)
    }

    /// A customer as the schema promises it: an object with a non-empty string `id` (what
    /// `session.list` reports). Its other members are Medusa's, passed through unchanged.
    static func isCustomer(_ value: JSONValue?) -> Bool { value?["id"]?.stringValue?.isEmpty == false }

    private func rememberCustomer(in body: JSONValue, session: String) {
        guard let id = body["customer"]?["id"]?.stringValue else { return }
        sessions.update(session) { $0.customerID = id }
    }

    /// RFC 3986 pchar minus what curl or Express would reinterpret: `/`, `?`, `#`, `%`, and the dot
    /// segments `.` and `..`, which URL normalisation would collapse.
    static func pathSegment(_ text: String) -> String {
        if text == "." || text == ".." { return text.replacing(".", with: "%2E") }
        return text.percentEncoded(keeping: "-._~!$&'()*+,;=:@")
    }

}
