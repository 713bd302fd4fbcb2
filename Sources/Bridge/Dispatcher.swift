import Foundation
import JSON
import JSONRPC
import Synchronization

/// Turns frames into answers: decodes, validates, orders calls per session, runs them, and tracks them
/// for `$/cancelRequest`. Knows nothing of stdin or stdout: `receive` hands each frame's encoded answer
/// (or nil: nothing to send) to a completion, exactly once.
public final class Dispatcher: Sendable {
    public typealias Reply = @Sendable ([UInt8]?) -> Void

    let context: MethodContext
    let gate = SessionGate()
    /// Running requests by id, so `$/cancelRequest` can reach them. Several may share an id (JSON-RPC
    /// leaves duplicate ids to the client); a cancel reaches all of them. A slot is entered before its
    /// task exists (nil) and removed by the task when it ends, so a task that ends before the reader
    /// stores its handle leaves nothing behind.
    private let running = Mutex<[RequestID: [UInt64: Task<Void, Never>?]]>([:])
    private let serials = Atomic<UInt64>(0)

    public init(context: MethodContext) { self.context = context }

    /// Handles one frame. Must be called from one thread in arrival order (the reader), because that
    /// order is what session ordering and cancellation rely on.
    public func receive(_ frame: [UInt8], reply: @escaping Reply) {
        let incoming: Incoming
        do {
            incoming = try Incoming.decode(frame)
        } catch {
            reply(Response.encode([.failure(.null, .parseError(error.description))], asBatch: false))
            return
        }
        switch incoming {
        case .single(let message):
            start(message) { response in reply(response.map { Response.encode([$0], asBatch: false) }) }
        case .batch(let messages) where messages.isEmpty:
            reply(Response.encode([.failure(.null, .invalidRequest("an empty batch"))], asBatch: false))
        case .batch(let messages):
            let collector = BatchCollector(count: messages.count, reply: reply)
            for (index, message) in messages.enumerated() {
                start(message) { collector.complete(index, $0) }
            }
        }
    }

    /// Abandons every running request (shutdown after the grace period); each is answered -32800.
    public func cancelAll() {
        let tasks = running.withLock { table in table.values.flatMap { $0.values.compactMap { $0 } } }
        for task in tasks { task.cancel() }
    }

    /// The number of requests running (for tests and diagnostics).
    public var runningCount: Int { running.withLock { $0.values.reduce(0) { $0 + $1.count } } }

    private func start(_ message: Result<Request, InvalidMessage>, completion: @escaping @Sendable (Response?) -> Void) {
        let request: Request
        switch message {
        case .failure(let invalid):
            completion(.failure(invalid.id, invalid.error))
            return
        case .success(let decoded):
            request = decoded
        }
        // Notifications are never answered, not even with an error (JSON-RPC 2.0 §4.1).
        let answer: @Sendable (Result<JSONValue, ResponseError>) -> Void = { outcome in
            completion(request.id.map { Response(id: $0, outcome: outcome) })
        }
        guard let type = MethodRegistry.byName[request.method] else {
            answer(.failure(.methodNotFound(request.method)))
            return
        }
        let call: any BridgeMethod
        do {
            call = try type.init(params: request.params)
        } catch {
            answer(.failure(error))
            return
        }
        if let cancel = call as? CancelRequest {
            self.cancel(cancel.target)
            answer(.success(.emptyObject))
            return
        }
        if let immediate = call as? any ImmediateMethod {
            answer(Result { () throws(ResponseError) in try immediate.respond(in: self.context) })
            return
        }
        let ticket = call.sessionUse.map(gate.enter)
        let serial = serials.add(1, ordering: .relaxed).newValue
        if let id = request.id { running.withLock { $0[id, default: [:]][serial] = .some(nil) } }
        let context = self.context
        let gate = self.gate
        let task = Task {
            let outcome: Result<JSONValue, ResponseError>
            if let ticket, await !gate.wait(ticket) {
                outcome = .failure(.requestCancelled)
            } else {
                do {
                    let result = try await call.run(in: context)
                    outcome = Task.isCancelled ? .failure(.requestCancelled) : .success(result)
                } catch {
                    outcome = .failure(Task.isCancelled ? .requestCancelled : ResponseError.from(error))
                }
            }
            if let ticket { gate.leave(ticket) }
            if let id = request.id { self.finish(id, serial) }
            answer(outcome)
        }
        if let id = request.id {
            running.withLock { table in
                if table[id]?[serial] != nil { table[id]![serial] = task }
            }
        }
    }

    private func finish(_ id: RequestID, _ serial: UInt64) {
        running.withLock { table in
            table[id]?[serial] = nil
            if table[id]?.isEmpty == true { table[id] = nil }
        }
    }

    private func cancel(_ id: RequestID) {
        let tasks = running.withLock { $0[id].map { $0.values.compactMap { $0 } } ?? [] }
        if tasks.isEmpty { context.logger.debug("cancel for \(id): no such request running") }
        for task in tasks { task.cancel() }
    }
}

/// Gathers a batch's answers in request order and replies once, when the last call finishes
/// (JSON-RPC 2.0 §6: nothing at all when every element was a notification).
final class BatchCollector: Sendable {
    private struct State {
        var responses: [Response?]
        var remaining: Int
    }

    private let state: Mutex<State>
    private let reply: Dispatcher.Reply

    init(count: Int, reply: @escaping Dispatcher.Reply) {
        state = Mutex(State(responses: Array(repeating: nil, count: count), remaining: count))
        self.reply = reply
    }

    func complete(_ index: Int, _ response: Response?) {
        let finished = state.withLock { state -> [Response]? in
            state.responses[index] = response
            state.remaining -= 1
            return state.remaining == 0 ? state.responses.compactMap { $0 } : nil
        }
        guard let finished else { return }
        reply(finished.isEmpty ? nil : Response.encode(finished, asBatch: true))
    }
}
