import JSON
import JSONRPC
import MedusaStore

/// How a call takes part in its session's ordering (issue 2, "Ordering within one session").
public struct SessionUse: Sendable, Equatable {
    public var session: String
    /// A state-changing call starts after every earlier call of its session has finished, and no
    /// later call of that session starts before it finishes. Other calls of the session overlap.
    public var exclusive: Bool
}

/// What every method can reach while it runs.
public struct MethodContext: Sendable {
    public var medusa: MedusaClient
    public var logger: Logger

    public init(medusa: MedusaClient, logger: Logger) {
        self.medusa = medusa
        self.logger = logger
    }
}

/// A JSON-RPC method: decoded from its params on the reader thread (cheap, no I/O, in arrival order),
/// then run. One type per method, listed once in `MethodRegistry`.
public protocol BridgeMethod: Sendable {
    static var name: String { get }
    /// Reads and checks the params; throws -32602 naming the offending field.
    init(params: Params?) throws(ResponseError)
    /// The session this call is ordered in, or nil when it touches no session.
    var sessionUse: SessionUse? { get }
    /// Runs the call. Throws `ResponseError` or `MedusaFailure`; the dispatcher maps both.
    func run(in context: MethodContext) async throws -> JSONValue
    /// Starts the call without a task, when it is one HTTP exchange the transport can start so:
    /// `completion` gets what `run` would return or throw, once and never before this returns, and
    /// the result cancels the call. nil: the dispatcher runs `run` in a task.
    func start(
        in context: MethodContext, completion: @escaping @Sendable (Result<JSONValue, ResponseError>) -> Void
    ) -> (@Sendable () -> Void)?
    /// True for an `ImmediateMethod`: lets the dispatcher skip the dynamic casts (about a tenth of a
    /// call's own work in the dispatcher) for every other method.
    static var isImmediate: Bool { get }
}

extension BridgeMethod {
    public static var isImmediate: Bool { false }

    public func start(
        in context: MethodContext, completion: @escaping @Sendable (Result<JSONValue, ResponseError>) -> Void
    ) -> (@Sendable () -> Void)? {
        nil
    }
}

/// A method that is one HTTP exchange: it says which, and runs without a task when the client can start
/// it so (`MedusaClient.start`), in a task through `perform` otherwise.
protocol ExchangeMethod: BridgeMethod {
    /// The call's exchange; throws what the call answers without sending anything.
    func exchange(in context: MethodContext) throws(ResponseError) -> MedusaClient.Exchange<JSONValue>
}

extension ExchangeMethod {
    func run(in context: MethodContext) async throws -> JSONValue {
        try await context.medusa.perform(try exchange(in: context))
    }

    func start(
        in context: MethodContext, completion: @escaping @Sendable (Result<JSONValue, ResponseError>) -> Void
    ) -> (@Sendable () -> Void)? {
        // A call refused before its exchange is answered by `run`, in a task.
        guard let exchange = try? exchange(in: context) else { return nil }
        return context.medusa.start(exchange) { completion($0.mapError { ResponseError($0) }) }
    }
}

/// A method that answers at once without touching the network: answered on the reader thread,
/// without a task, so `ping` costs a parse and a write.
public protocol ImmediateMethod: BridgeMethod {
    func respond(in context: MethodContext) throws(ResponseError) -> JSONValue
}

extension ImmediateMethod {
    public static var isImmediate: Bool { true }
    public var sessionUse: SessionUse? { nil }
    public func run(in context: MethodContext) async throws -> JSONValue { try respond(in: context) }
}

extension JSONValue {
    /// `{}`: every result is an object, which strict typed JSON-RPC clients require.
    public static let emptyObject = JSONValue.object(JSONObject())
}
