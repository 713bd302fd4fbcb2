import JSON
import JSONRPC
import MedusaStore

/// `store.customer.create` (Medusa v2): js-sdk `store.customer.create(body, query)`,
/// `POST /store/customers` with the session's registration (or first OAuth) token. Needs a publishable
/// key.
struct StoreCustomerCreate: ExchangeMethod {
    static let name = "store.customer.create"
    let fields: JSONObject
    let query: String?
    let options: CallOptions

    init(params: Params?) throws(ResponseError) {
        let reader = try ParamReader(params, names: CustomerFields.creatable + ["fields", "customHeaders", "session"], positions: nil)
        fields = try CustomerFields.read(CustomerFields.creatable, from: reader)
        query = try reader.optionalString("fields")
        options = try reader.callOptions()
    }

    var sessionUse: SessionUse? { SessionUse(session: options.session, exclusive: false) }

    func exchange(in context: MethodContext) throws(ResponseError) -> MedusaClient.Exchange<JSONValue> {
        try PublishableKeyRequirement.check(Self.name, context, options)
        return context.medusa.createCustomerExchange(fields, query: query, options: options)
    }
}
