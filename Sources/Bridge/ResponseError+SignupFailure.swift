import JSON
import JSONRPC
import MedusaStore

/// A failed step of `auth.signup` as a wire error: the step's own error, its message saying which step
/// failed and `data.step` naming it, so a client can tell "this email is taken" from "Medusa was down
/// between two steps" and retry the latter.
extension ResponseError {
    init(_ failure: SignupFailure) {
        var error = ResponseError(failure.failure)
        guard failure.failure != .cancelled else {
            self = error
            return
        }
        let step = failure.step
        error.message = "auth.signup failed at step \(step.number) of 3 (\(step.rawValue)): \(error.message)"
        // The sign-up's step names what failed, also over the `session` of a step-3 exchange.
        var data = JSONObject((error.data?.objectValue ?? JSONObject()).filter { $0.key != "step" })
        data.append("step", .string(step.rawValue))
        error.data = .object(data)
        self = error
    }
}
