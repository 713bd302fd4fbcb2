/// A step of `MedusaClient.signup` failed; the earlier steps' effects stay in Medusa, and a retry of
/// the whole sign-up picks up from them.
public struct SignupFailure: Error, Sendable, Equatable {
    /// The three requests every v2 storefront makes to sign a customer up (medusajs/medusa
    /// `integration-tests/modules/helpers/create-authenticated-customer.ts`).
    public enum Step: String, Sendable {
        /// `POST /auth/customer/emailpass/register`.
        case register
        /// `POST /store/customers` with the registration token.
        case create
        /// `POST /auth/customer/emailpass`, and `POST /auth/session` in session mode.
        case login

        /// 1, 2 or 3.
        public var number: Int {
            switch self {
            case .register: 1
            case .create: 2
            case .login: 3
            }
        }
    }

    public var step: Step
    public var failure: MedusaFailure

    public init(step: Step, failure: MedusaFailure) {
        self.step = step
        self.failure = failure
    }
}
