/// What `data.hint` says when the backend answered like the other Medusa major version: the bridge
/// serves both, and the method name chooses, so the fix is to call the other methods.
enum MedusaVersionHint {
    static let v1Methods = "auth.authenticate, auth.getSession, auth.deleteSession, auth.exists, auth.getToken"
    static let v2Methods =
        "auth.login, auth.register, auth.callback, auth.refresh, auth.logout, auth.resetPassword, auth.updateProvider, "
        + "auth.signup, store.customer.create, store.customer.retrieve, store.customer.update"

    static func text(backendLooksLike version: Int) -> String {
        if version == 1 {
            return "This backend looks like Medusa v1, which has no /auth/customer/... routes. Use the v1 methods: \(v1Methods)."
        }
        return "This backend looks like Medusa v2, which has no /store/auth routes. Use the v2 methods: \(v2Methods)."
    }
}
