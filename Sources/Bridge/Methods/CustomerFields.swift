import JSON
import JSONRPC

/// The customer fields Medusa v2 accepts on `/store/customers` (`StoreCreateCustomer`,
/// `StoreUpdateCustomer` in medusajs/medusa `packages/medusa/src/api/store/customers/validators.ts`),
/// read from by-name params and sent in that order, only those given.
enum CustomerFields {
    /// Strings or null.
    static let textNames = ["first_name", "last_name", "phone", "company_name"]
    /// Every field `POST /store/customers/me` can change (`email` cannot change in v2).
    static let updatable = textNames + ["metadata"]
    /// Every field `POST /store/customers` takes.
    static let creatable = ["email"] + updatable

    static func read(_ names: [String], from reader: ParamReader) throws(ResponseError) -> JSONObject {
        var fields = JSONObject()
        for name in names {
            guard let value = reader.value(name) else { continue }
            let valid =
                switch value {
                case .null, .string: name != "metadata"
                case .object: name == "metadata"
                default: false
                }
            guard valid || value == .null else {
                let expected = name == "metadata" ? "an object or null" : "a string or null"
                throw .invalidParams("'\(name)' must be \(expected), not \(value.typeName)", field: name)
            }
            fields.append(name, value)
        }
        return fields
    }
}
