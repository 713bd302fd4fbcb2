/// Every method the bridge serves, listed once. A test checks this list against `schema/openrpc.json`.
public enum MethodRegistry {
    static let methods: [any BridgeMethod.Type] = [
        AuthAuthenticate.self,
        AuthGetSession.self,
        AuthDeleteSession.self,
        AuthExists.self,
        AuthGetToken.self,
        AuthLogin.self,
        AuthRegister.self,
        AuthCallback.self,
        AuthRefresh.self,
        AuthLogout.self,
        AuthResetPassword.self,
        AuthUpdateProvider.self,
        StoreCustomerCreate.self,
        StoreCustomerRetrieve.self,
        StoreCustomerUpdate.self,
        AuthSignup.self,
        SessionList.self,
        SessionClear.self,
        Initialize.self,
        Ping.self,
        Discover.self,
        CancelRequest.self,
    ]

    static let byName: [String: any BridgeMethod.Type] = Dictionary(uniqueKeysWithValues: methods.map { ($0.name, $0) })

    /// The names of every method served, in registry order.
    public static var names: [String] { methods.map { $0.name } }
}
