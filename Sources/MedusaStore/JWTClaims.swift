import FoundationEssentials
import JSON

/// The payload of a JWT, read without verifying it: the bridge only needs to know which customer a
/// token speaks for (for `session.list`, and whether Medusa v2 would accept it on `POST /auth/session`).
struct JWTClaims: Sendable {
    let payload: JSONValue

    init?(token: String) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        var base64 = String(parts[1]).replacing("-", with: "+").replacing("_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let payload = try? JSONParser.parse([UInt8](data)),
            payload.objectValue != nil
        else { return nil }
        self.payload = payload
    }

    /// Medusa v1's `customer_id` (medusajs/medusa v1 packages/medusa/src/api/routes/store/auth/get-token.ts).
    var customerID: String? { payload["customer_id"]?.stringValue }

    /// Medusa v2's `actor_id` (medusajs/medusa `packages/medusa/src/api/auth/utils/generate-jwt-token.ts`):
    /// the customer's id, or nil for the empty string of a token whose identity has no customer yet
    /// (a registration token, a first OAuth login).
    var actorID: String? {
        guard let id = payload["actor_id"]?.stringValue, !id.isEmpty else { return nil }
        return id
    }
}
