/// How a Medusa v2 session authenticates its requests, as js-sdk's `auth.type` (medusajs/medusa
/// `packages/core/js-sdk/src/client.ts`, `getJwtHeader_`; `src/auth/index.ts`, `setToken_`).
public enum MedusaAuthType: String, Sendable, CaseIterable {
    /// Requests carry `Authorization: Bearer <token>`: js-sdk's default.
    case jwt
    /// Each login's token is exchanged for the `connect.sid` cookie (`POST /auth/session`), and
    /// requests carry the cookie only.
    case session
}
