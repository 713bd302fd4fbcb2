import FoundationEssentials
import JSON

/// Medusa v2's customer auth as js-sdk's `sdk.auth` calls it (medusajs/medusa
/// `packages/core/js-sdk/src/auth/index.ts`; routes in `packages/medusa/src/api/auth/`), per session and
/// in either `MedusaAuthType`. The actor is always `customer`.
extension MedusaClient {
    /// The provider of `auth.login` and the others when none is named.
    public static let defaultProvider = "emailpass"
    static let actor = "customer"

    /// `POST /auth/customer/{provider}`: `{token}`, which the session adopts, or `{location}` (an OAuth
    /// start), which changes nothing. An answer with a non-empty `location` is an OAuth start even when it
    /// holds a token too: as js-sdk (`if (location) return { location }`, before `setToken_`), only
    /// `{location}` is answered and nothing is stored. Otherwise Medusa's body is returned unchanged.
    public func login(provider: String, payload: JSONValue, options: CallOptions) async throws(MedusaFailure) -> JSONValue {
        let response = try await perform("POST", Self.authPath(provider), body: payload, options: options)
        let body = try expectObject(response) { Self.isUsableToken($0["token"]) || $0["location"]?.stringValue != nil }
        if let location = body["location"]?.stringValue, !location.isEmpty {
            return .object(JSONObject([(key: "location", value: .string(location))]))
        }
        guard let token = body["token"]?.stringValue, Self.isUsableToken(body["token"]) else { throw response.badResponse() }
        try await adopt(token: token, options: options)
        return body
    }

    /// `POST /auth/customer/{provider}/register`: the registration token (its `actor_id` is empty) is
    /// sent as Bearer by this session from now on in both modes, so a following `POST /store/customers`
    /// is authorised; js-sdk keeps it in session mode too but never sends it (nuxt-modules/medusa#68).
    public func register(provider: String, payload: JSONValue, options: CallOptions) async throws(MedusaFailure) -> JSONValue {
        let response = try await perform("POST", Self.authPath(provider) + "/register", body: payload, options: options)
        let body = try expectObject(response) { Self.isUsableToken($0["token"]) }
        if let token = body["token"]?.stringValue { try await adopt(token: token, options: options) }
        return body
    }

    /// `GET /auth/customer/{provider}/callback?{query}` (the OAuth provider's redirect, passed through),
    /// then the token is adopted as after a login.
    public func callback(provider: String, query: [(name: String, value: String)], options: CallOptions) async throws(MedusaFailure)
        -> JSONValue
    {
        let path = Self.authPath(provider) + "/callback" + Self.queryString(query)
        var call = options
        call.queryIsSecret = true
        let response = try await perform("GET", path, body: nil, options: call)
        let body = try expectObject(response) { Self.isUsableToken($0["token"]) }
        if let token = body["token"]?.stringValue { try await adopt(token: token, options: options) }
        return body
    }

    /// `POST /auth/token/refresh` with the session's token (in session mode the one exchanged for the
    /// cookie: Medusa ≤ 2.12 accepts only a Bearer there); the new token replaces it, and in session
    /// mode is exchanged again so the cookie's session carries a customer created since. A caller's
    /// `customHeaders.Authorization` is sent instead, as on every call (js-sdk's `refresh(headers)`,
    /// medusa#13689): it refreshes that token.
    public func refresh(options: CallOptions) async throws(MedusaFailure) -> JSONValue {
        let state = sessions.snapshot(options.session)
        var call = options
        if let token = state.token ?? state.exchangedToken { call = options.withDefaults(["Authorization": "Bearer \(token)"]) }
        let response = try await perform("POST", "/auth/token/refresh", body: nil, options: call)
        let body = try expectObject(response) { Self.isUsableToken($0["token"]) }
        if let token = body["token"]?.stringValue { try await adopt(token: token, options: options) }
        return body
    }

    /// `DELETE /auth/session` when this session logged in to Medusa's cookie session (session mode, a
    /// token exchanged by `POST /auth/session`), then the session's tokens and cookies are forgotten
    /// whatever Medusa answered, unless the call was cancelled first (`signingOut`). Otherwise no
    /// request, as js-sdk's jwt-mode logout (#10862): a bearer session has nothing to end server-side
    /// (v2 JWTs cannot be revoked), and a cookie it holds (a load balancer's, an uninitialised
    /// `connect.sid`) is no login, so Medusa would only answer 401.
    public func logout(options: CallOptions) async throws(MedusaFailure) {
        let state = sessions.snapshot(options.session)
        try await signingOut(options.session) { () async throws(MedusaFailure) in
            guard configuration.authType == .session, state.exchangedToken != nil,
                let url = configuration.url(for: "/auth/session"), state.cookies.header(for: url) != nil
            else { return }
            _ = try await perform("DELETE", "/auth/session", body: nil, options: options)
        }
    }

    /// `POST /auth/customer/{provider}/reset-password` `{identifier}`. Medusa answers 201 with the text
    /// `Created` whoever the identifier is, so js-sdk asks for `text/plain`, and so does the bridge.
    public func resetPassword(provider: String, identifier: String, options: CallOptions) async throws(MedusaFailure) {
        try await perform(resetPasswordExchange(provider: provider, identifier: identifier, options: options))
    }

    /// `resetPassword` as an `Exchange`: run in a task by `perform`, or without one by `start`.
    public func resetPasswordExchange(provider: String, identifier: String, options: CallOptions) -> Exchange<Void> {
        let body = JSONValue.object(JSONObject([(key: "identifier", value: .string(identifier))]))
        return Exchange(
            method: "POST", path: Self.authPath(provider) + "/reset-password", body: body,
            options: options.withDefaults(["Accept": "text/plain"])
        ) { _ in }
    }

    /// `POST /auth/customer/{provider}/update` with the reset token as Bearer (Medusa ≥ 2.6), e.g.
    /// `{password}`. Only the password can change: Medusa takes the identity from the token.
    public func updateProvider(provider: String, token: String, payload: JSONValue, options: CallOptions) async throws(MedusaFailure) {
        try await perform(updateProviderExchange(provider: provider, token: token, payload: payload, options: options))
    }

    /// `updateProvider` as an `Exchange`: run in a task by `perform`, or without one by `start`.
    public func updateProviderExchange(provider: String, token: String, payload: JSONValue, options: CallOptions) -> Exchange<Void> {
        Exchange(
            method: "POST", path: Self.authPath(provider) + "/update", body: payload,
            options: options.overriding(["Authorization": "Bearer \(token)"])
        ) { _ in }
    }

    /// Makes `token` the session's: in jwt mode it is sent as Bearer from now on; in session mode it is
    /// exchanged for the `connect.sid` cookie by `POST /auth/session` and then only held for
    /// `refresh`. A token without a customer (`actor_id` empty) is sent as Bearer in both modes, since
    /// Medusa ≤ 2.12 refuses it on `POST /auth/session` (medusa#12929) and only `POST /store/customers`
    /// and `/auth/token/refresh` accept it.
    func adopt(token: String, options: CallOptions) async throws(MedusaFailure) {
        let customerID = JWTClaims(token: token)?.actorID
        if configuration.authType == .session, customerID != nil {
            try await exchangeForCookie(token: token, customerID: customerID, options: options)
            sessions.update(options.session) { state in
                state.token = nil
                state.exchangedToken = token
                state.customerID = customerID
            }
        } else {
            dropEarlierLogin(options.session)
            sessions.update(options.session) { state in
                state.token = token
                state.exchangedToken = nil
                state.customerID = customerID
            }
        }
    }

    /// `POST /auth/session` with `token` as Bearer: Medusa answers with the `connect.sid` cookie of a
    /// session that carries the token's customer. A failure is `.sessionExchange` (the token was
    /// issued: only the exchange failed). So is a 2xx that leaves the session no cookie to send back:
    /// the login would look done and every later call would be answered 401 (medusa#14550).
    private func exchangeForCookie(token: String, customerID: String?, options: CallOptions) async throws(MedusaFailure) {
        let before = sessions.snapshot(options.session)
        let response: HTTPResponse
        do {
            response = try await perform(
                "POST", "/auth/session", body: nil, options: options.overriding(["Authorization": "Bearer \(token)"]))
        } catch .cancelled {
            throw .cancelled
        } catch {
            throw .sessionExchange(error)
        }
        // The session must now send a cookie this answer set, or still hold the cookie session of this
        // same customer (a refresh: Medusa re-sends no cookie for a session it did not change). Else a
        // cookie of an earlier login would pass for the new one, and the session would go on speaking
        // for that login. A Secure cookie from a plain-http base URL is never kept (`CookieJar.store`).
        let url = configuration.url(for: "/store/customers/me")
        let overHTTP = url?.scheme?.lowercased() != "https"
        let sent = Set(
            (url.flatMap { sessions.snapshot(options.session).cookies.header(for: $0) } ?? "")
                .split(separator: ";").map { String($0.trimmingSpaces()) })
        let setHere = response.headers.values(for: "Set-Cookie").compactMap { SetCookie($0) }
        let secureRefused = overHTTP && setHere.contains { $0.secure }
        let sameLogin = before.exchangedToken != nil && before.customerID == customerID && !sent.isEmpty && !secureRefused
        guard setHere.contains(where: { sent.contains("\($0.name)=\($0.value)") }) || sameLogin else {
            throw .sessionExchange(.noSessionCookie(status: response.status, overHTTP: overHTTP))
        }
    }

    /// In session mode Medusa reads a login cookie before any Bearer (its authenticate middleware), so
    /// the cookie of an earlier login in this session would go on speaking for that customer when a
    /// token of another identity, without a customer yet, is sent as Bearer: the cookie is dropped.
    func dropEarlierLogin(_ session: String) {
        guard configuration.authType == .session else { return }
        sessions.update(session) { state in
            guard state.exchangedToken != nil else { return }
            state.cookies.removeAll()
            state.exchangedToken = nil
        }
    }

    static func authPath(_ provider: String) -> String { "/auth/\(actor)/" + pathSegment(provider) }

    /// `?a=1&b=2` with names and values percent-encoded as `encodeURIComponent` does (js-sdk builds it
    /// with `qs.stringify`); empty for no pairs.
    static func queryString(_ pairs: [(name: String, value: String)]) -> String {
        guard !pairs.isEmpty else { return "" }
        func encode(_ text: String) -> String { text.percentEncoded(keeping: "-_.!~*'()") }
        return "?" + pairs.map { encode($0.name) + "=" + encode($0.value) }.joined(separator: "&")
    }

    /// The parsed body when it is a JSON object that passes `check`; otherwise -32003.
    func expectObject(_ response: HTTPResponse, _ check: (JSONValue) -> Bool) throws(MedusaFailure) -> JSONValue {
        if let body = try? JSONParser.parse(response.body), body.objectValue != nil, check(body) { return body }
        throw response.badResponse()
    }
}

extension CallOptions {
    /// These options without the session's cookies: in session mode they are its login, which Medusa
    /// reads before any Bearer, so a request made for another identity's token leaves them out.
    func withoutCookies() -> CallOptions {
        var options = self
        options.sendsCookies = false
        return options
    }

    /// These options with `headers` over the caller's custom headers (a header the call itself needs).
    func overriding(_ headers: HTTPHeaders) -> CallOptions {
        var options = self
        options.customHeaders = customHeaders.merging(headers)
        return options
    }

    /// These options with `headers` under the caller's custom headers (a default the caller may change).
    func withDefaults(_ headers: HTTPHeaders) -> CallOptions {
        var options = self
        options.customHeaders = headers.merging(customHeaders)
        return options
    }
}
