import JSON
import JSONRPC
import MedusaStore

/// Medusa v2 refuses every `/store/*` request without `x-publishable-api-key` (400 `not_allowed`, from
/// `ensurePublishableApiKeyMiddleware` in medusajs/medusa `packages/core/framework/src/http/
/// middlewares/ensure-publishable-api-key.ts`), so the bridge says how to configure one before sending
/// anything.
enum PublishableKeyRequirement {
    static func check(_ method: String, _ context: MethodContext, _ options: CallOptions) throws(ResponseError) {
        guard !context.medusa.hasPublishableKey(options: options) else { return }
        throw ResponseError(
            code: .invalidParams,
            message:
                "Invalid params: \(method) calls Medusa v2's /store/* routes, which need a publishable API key: start the bridge with "
                + "--publishable-api-key (or set MEDUSA_PUBLISHABLE_API_KEY)",
            data: .object(JSONObject([(key: "header", value: .string("x-publishable-api-key"))])))
    }
}
