import JSON
import JSONRPC
import MedusaStore

/// `store.customer.update` (Medusa v2): js-sdk `store.customer.update(body, query)`,
/// `POST /store/customers/me` with the fields to change (not `email`, which v2 keeps). Needs a
/// publishable key.
struct StoreCustomerUpdate: ExchangeMethod {
    static let name = "store.customer.update"
    let fields: JSONObject
    let query: String?
    let options: CallOptions

    init(params: Params?) throws(ResponseError) {
        let reader = try ParamReader(params, names: CustomerFields.updatable + ["fields", "customHeaders", "session"], positions: nil)
        fields = try CustomerFields.read(CustomerFields.updatable, from: reader)
        query = try reader.optionalString("fields")
        options = try reader.callOptions()
    }

    var sessionUse: SessionUse? { SessionUse(session: options.session, exclusive: false) }

    func exchange(in context: MethodContext) throws(ResponseError) -> MedusaClient.Exchange<JSONValue> {
        try PublishableKeyRequirement.check(Self.name, context, options)
        return context.medusa.updateCustomerExchange(fields, query: query, options: options)
    }
}
