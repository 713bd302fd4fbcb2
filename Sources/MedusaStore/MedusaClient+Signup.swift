import JSON

/// The sign-up every Medusa v2 storefront writes by hand (medusajs/nextjs-starter-medusa
/// `src/lib/data/customer.ts`, `signup`), as one call that can be retried after any failure.
extension MedusaClient {
    /// Registers `email`, creates its customer with `fields` and logs in, so the session's token
    /// carries the customer; returns `{customer, token}`.
    ///
    /// Retrying after a failure at step 2 or 3 works because an identity that already exists is logged
    /// into with the same password instead (the recovery Medusa documents for "Identity with email
    /// already exists", `storefront-development/customers/register`): its token tells whether the
    /// customer was created (step 3 failed: the customer is read back) or not (step 2 is redone). Medusa
    /// ≥ 2.10.3 instead answers the second register of an identity without a customer with a token.
    ///
    /// In session mode the session's cookie, an earlier login that Medusa reads before any Bearer, is
    /// not sent with the requests made for the new identity's token, so they speak for that identity;
    /// it stays the session's until the new login replaces it, so a failed sign-up leaves the session
    /// logged in as it was, as in jwt mode.
    public func signup(email: String, password: String, fields: JSONObject, options: CallOptions) async throws(SignupFailure)
        -> JSONValue
    {
        let credentials = JSONValue.object(
            JSONObject([(key: "email", value: .string(email)), (key: "password", value: .string(password))]))
        let registration: String
        do {
            registration = try await token(
                of: perform("POST", Self.authPath(Self.defaultProvider) + "/register", body: credentials, options: options))
        } catch {
            guard case .status(let refusal) = error, refusal.status == 401 else { throw SignupFailure(step: .register, failure: error) }
            let existing: String
            do {
                existing = try await token(of: perform("POST", Self.authPath(Self.defaultProvider), body: credentials, options: options))
            } catch {
                throw SignupFailure(step: .register, failure: .status(refusal))
            }
            if JWTClaims(token: existing)?.actorID != nil {
                return try await finish(token: existing, customer: nil, options: options)
            }
            registration = existing
        }
        var customerFields = JSONObject([(key: "email", value: .string(email))])
        for member in fields where member.key != "email" { customerFields.append(member.key, member.value) }
        let created: JSONValue
        do {
            let response = try await perform(
                "POST", "/store/customers", body: .object(customerFields),
                options: asNewIdentity(options, token: registration))
            created = try expectObject(response) { Self.isCustomer($0["customer"]) }
        } catch {
            throw SignupFailure(step: .create, failure: error)
        }
        let login: String
        do {
            login = try await token(of: perform("POST", Self.authPath(Self.defaultProvider), body: credentials, options: options))
        } catch {
            throw SignupFailure(step: .login, failure: error)
        }
        return try await finish(token: login, customer: created["customer"], options: options)
    }

    /// Step 3's end: the session adopts the customer's token; the customer is read back when an
    /// earlier attempt created it.
    private func finish(token: String, customer: JSONValue?, options: CallOptions) async throws(SignupFailure) -> JSONValue {
        var customer = customer
        do {
            if customer == nil {
                let response = try await perform(
                    "GET", "/store/customers/me", body: nil, options: asNewIdentity(options, token: token))
                customer = try expectObject(response) { Self.isCustomer($0["customer"]) }["customer"]
            }
            try await adopt(token: token, options: options)
        } catch {
            throw SignupFailure(step: .login, failure: error)
        }
        return .object(JSONObject([(key: "customer", value: customer ?? .null), (key: "token", value: .string(token))]))
    }

    /// `options` for a request on behalf of `token`'s identity: the token as Bearer, and in session mode
    /// without the session's cookies, which speak for an earlier login first.
    private func asNewIdentity(_ options: CallOptions, token: String) -> CallOptions {
        let call = options.overriding(["Authorization": "Bearer \(token)"])
        return configuration.authType == .session ? call.withoutCookies() : call
    }

    private func token(of response: HTTPResponse) throws(MedusaFailure) -> String {
        try expectObject(response) { Self.isUsableToken($0["token"]) }["token"]!.stringValue!
    }
}
