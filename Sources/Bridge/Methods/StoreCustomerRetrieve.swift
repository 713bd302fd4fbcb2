import JSON
import JSONRPC
import MedusaStore

/// `store.customer.retrieve` (Medusa v2): js-sdk `store.customer.retrieve(query)`,
/// `GET /store/customers/me`, with Medusa's optional `fields` selection. Needs a publishable key.
struct StoreCustomerRetrieve: ExchangeMethod {
    static let name = "store.customer.retrieve"
    let query: String?
    let options: CallOptions

    init(params: Params?) throws(ResponseError) {
        let reader = try ParamReader(params, names: ["fields", "customHeaders", "session"], positions: nil)
        query = try reader.optionalString("fields")
        options = try reader.callOptions()
    }

    var sessionUse: SessionUse? { SessionUse(session: options.session, exclusive: false) }

    func exchange(in context: MethodContext) throws(ResponseError) -> MedusaClient.Exchange<JSONValue> {
        try PublishableKeyRequirement.check(Self.name, context, options)
        return context.medusa.retrieveCustomerExchange(query: query, options: options)
    }
}
