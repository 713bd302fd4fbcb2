import JSON

/// Reading a non-2xx answer in the light of the route it came from.
extension MedusaHTTPError {
    /// The v1 store auth routes (medusajs/medusa v1 `packages/medusa/src/api/routes/store/auth/`).
    static let v1RoutePrefix = "/store/auth"
    /// The v2 auth routes (medusajs/medusa `packages/medusa/src/api/auth/`); `/store/customers` exists
    /// in both versions, so only `/auth/` tells them apart.
    static let v2AuthRoutePrefix = "/auth/"
    /// Medusa v2's `ensurePublishableApiKeyMiddleware` (`packages/core/framework/src/http/middlewares/
    /// ensure-publishable-api-key.ts`) runs before routing on every `/store/*` path, so a v1 route
    /// called on v2 without a key is refused with this message before its 404 could say more.
    static let v2PublishableKeyRequired = "Publishable API key required"

    /// This error with what the route tells about it:
    /// - on a v2 route (`/auth/*`, `/store/customers*`), the bare `{"message": "Unauthorized"}` of
    ///   Medusa v2's `authenticate` middleware (`packages/core/framework/src/http/middlewares/
    ///   authenticate-middleware.ts`) is read as a message instead of kept as body text;
    /// - a 404 that is not a Medusa error body (Express's `Cannot POST /auth/customer/emailpass`) on a
    ///   route only one version has means the backend is the other version (`backendLooksLike`), as
    ///   do v2's publishable-key refusal on a v1 route and v1's plain-text 401 on `/store/customers`.
    ///   A v1 route's 404 says so only when the request carried a publishable key: without one, v2
    ///   refuses every `/store/*` path with 400 before routing, so the 404 came from something else
    ///   (a `--base-url` with a wrong path or port, a proxy).
    func diagnosed(path: String, publishableKeySent: Bool) -> MedusaHTTPError {
        var error = self
        let isV2Route = path.hasPrefix(Self.v2AuthRoutePrefix) || path.hasPrefix("/store/customers")
        if isV2Route, error.type == nil, let text = error.body,
            let object = try? JSONParser.parse(Array(text.utf8)).objectValue, let message = object["message"]?.stringValue
        {
            error.message = message
            error.code = object["code"]?.stringValue
            error.body = nil
        }
        let routeMissing = error.status == 404 && error.type == nil
        if path.hasPrefix(Self.v1RoutePrefix) {
            let keyRefused =
                error.status == 400 && error.type == "not_allowed"
                && error.message?.hasPrefix(Self.v2PublishableKeyRequired) == true
            if (routeMissing && publishableKeySent) || keyRefused { error.backendLooksLike = 2 }
        } else if path.hasPrefix(Self.v2AuthRoutePrefix), routeMissing {
            error.backendLooksLike = 1
        } else if path.hasPrefix("/store/customers") {
            // v1 has these routes too, but its passport middleware refuses with the text `Unauthorized`
            // (`res.sendStatus(401)`), which v2, whose refusals are all JSON, never sends.
            let v1Refusal = error.status == 401 && error.type == nil && error.message == nil && error.body == "Unauthorized"
            if routeMissing || v1Refusal { error.backendLooksLike = 1 }
        }
        return error
    }
}
