/// A JSON-RPC error code. A struct with static constants, so adding a code edits no enum and no switch.
public struct ErrorCode: RawRepresentable, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    // JSON-RPC 2.0 §5.1.
    public static let parseError = ErrorCode(rawValue: -32700)
    public static let invalidRequest = ErrorCode(rawValue: -32600)
    public static let methodNotFound = ErrorCode(rawValue: -32601)
    public static let invalidParams = ErrorCode(rawValue: -32602)
    public static let internalError = ErrorCode(rawValue: -32603)
    // LSP 3.17 `RequestCancelled`, answered to a request abandoned by `$/cancelRequest`.
    public static let requestCancelled = ErrorCode(rawValue: -32800)
    // The bridge's own server errors (issue 2, "Errors from the backend").
    public static let medusaHTTPError = ErrorCode(rawValue: -32001)
    public static let medusaUnreachable = ErrorCode(rawValue: -32002)
    public static let medusaBadResponse = ErrorCode(rawValue: -32003)
}
