import JSON
import JSONRPC
import MedusaStore

/// The one place where the Medusa client's failures become JSON-RPC errors (issue 2, "Errors from the
/// backend").
extension ResponseError {
    init(_ failure: MedusaFailure) {
        switch failure {
        case .status(let error):
            var data = JSONObject([(key: "status", value: .number(JSONNumber(error.status)))])
            if let type = error.type { data.append("type", .string(type)) }
            if let message = error.message { data.append("message", .string(message)) }
            if let code = error.code { data.append("code", .string(code)) }
            if let body = error.body { data.append("body", .string(body)) }
            if let location = error.location { data.append("location", .string(location)) }
            if let version = error.backendLooksLike { data.append("hint", .string(MedusaVersionHint.text(backendLooksLike: version))) }
            let summary =
                error.message.map { ": \($0)" } ?? error.body.flatMap {
                    $0.isEmpty ? nil : ": \(String(String.UnicodeScalarView($0.unicodeScalars.prefix(80))))"
                } ?? ""
            // RFC 9110 §15.5.8: a 407 comes from a proxy on the way (HTTP_PROXY, --proxy), never from Medusa.
            let who = error.status == 407 ? "A proxy between the bridge and Medusa" : "Medusa"
            self.init(code: .medusaHTTPError, message: "\(who) answered \(error.status)\(summary)", data: .object(data))
        case .unreachable(let reason, let attempts, let detail):
            self.init(
                code: .medusaUnreachable,
                message: "No answer from Medusa (\(reason)) after \(attempts) attempt\(attempts == 1 ? "" : "s")",
                data: .object(
                    JSONObject([
                        (key: "reason", value: .string(reason)), (key: "attempts", value: .number(JSONNumber(attempts))),
                        (key: "detail", value: .string(detail)),
                    ])))
        case .badResponse(let status, let body):
            self.init(
                code: .medusaBadResponse, message: "Medusa answered \(status) with a body that is not the JSON expected",
                data: .object(JSONObject([(key: "status", value: .number(JSONNumber(status))), (key: "body", value: .string(body))])))
        case .oversizedBody(let status, let body, let limit):
            let size = limit % (1 << 20) == 0 ? "\(limit >> 20) MiB" : "\(limit) bytes"
            self.init(
                code: .medusaBadResponse, message: "Medusa answered \(status) with a body longer than the \(size) the bridge reads",
                data: .object(JSONObject([(key: "status", value: .number(JSONNumber(status))), (key: "body", value: .string(body))])))
        case .malformedResponse(let detail):
            self.init(
                code: .medusaBadResponse, message: "Medusa's answer broke HTTP's framing",
                data: .object(JSONObject([(key: "detail", value: .string(detail))])))
        case .noSessionCookie(let status, let overHTTP):
            let hint =
                overHTTP
                ? "Medusa in production (NODE_ENV=production) sets its session cookie Secure and only over https, and a Secure"
                    + " cookie is never sent over http (medusa#14550): use an https base URL, or --auth-type jwt"
                : "No session cookie reached the bridge (a proxy may strip Set-Cookie, or Medusa's session is not set up): fix"
                    + " that, or use --auth-type jwt"
            self.init(
                code: .medusaBadResponse,
                message: "Medusa answered \(status) to POST /auth/session without a session cookie the bridge can send back, so every"
                    + " later call would be answered 401",
                data: .object(JSONObject([(key: "status", value: .number(JSONNumber(status))), (key: "hint", value: .string(hint))])))
        case .sessionExchange(let exchange):
            var error = ResponseError(exchange)
            guard exchange != .cancelled else {
                self = error
                return
            }
            error.message = "The token was issued, but exchanging it for the session cookie (POST /auth/session) failed: \(error.message)"
            var data = error.data?.objectValue ?? JSONObject()
            data.append("step", .string("session"))
            error.data = .object(data)
            self = error
        case .cancelled:
            self = .requestCancelled
        }
    }

    /// Any error a method throws, as a wire error; unknown errors become -32603 without their text.
    static func from(_ error: any Error) -> ResponseError {
        switch error {
        case let error as ResponseError: error
        case let failure as MedusaFailure: ResponseError(failure)
        case is CancellationError: .requestCancelled
        default: .internalError(String(describing: type(of: error)))
        }
    }
}
