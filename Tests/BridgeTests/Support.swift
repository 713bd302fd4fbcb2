import Foundation
import JSON
import MedusaStore
import Synchronization
import TestSupport
import Testing

@testable import Bridge

/// An HTTP transport whose requests wait until the test answers them, so tests can observe which
/// requests have started and in what order. It serves both forms: `send`, from a call's task, and
/// `start`, for the calls that run without one.
final class HeldTransport: HTTPTransport {
    struct Started: Sendable {
        let serial: Int
        let request: HTTPRequest
        /// How many requests had been answered when this one started.
        let answeredBefore: Int
        /// Started by `start`, without a task.
        var withoutTask = false
    }

    private struct State {
        var waiting: [Int: CheckedContinuation<Result<HTTPResponse, TransportError>, Never>] = [:]
        var completions: [Int: HTTPTransport.Completion] = [:]
        var cancelled: Set<Int> = []
        var serial = 0
        var answered = 0
    }

    private let state = Mutex(State())
    let started = Inbox<Started>()

    init() {}

    func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        let serial = state.withLock { state -> Int in
            state.serial += 1
            return state.serial
        }
        let outcome = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let answered = state.withLock { state -> Int? in
                    if state.cancelled.contains(serial) { return nil }
                    state.waiting[serial] = continuation
                    return state.answered
                }
                if let answered {
                    started.put(Started(serial: serial, request: request, answeredBefore: answered))
                } else {
                    continuation.resume(returning: .failure(TransportError(.cancelled, "cancelled")))
                }
            }
        } onCancel: {
            let continuation = state.withLock { state in
                state.cancelled.insert(serial)
                return state.waiting.removeValue(forKey: serial)
            }
            continuation?.resume(returning: .failure(TransportError(.cancelled, "cancelled")))
        }
        return try outcome.get()
    }

    func start(_ request: HTTPRequest, completion: @escaping Completion) -> Cancel? {
        let (serial, answered) = state.withLock { state in
            state.serial += 1
            state.completions[state.serial] = completion
            return (state.serial, state.answered)
        }
        started.put(Started(serial: serial, request: request, answeredBefore: answered, withoutTask: true))
        return { [self] in
            let completion = state.withLock { $0.completions.removeValue(forKey: serial) }
            completion?(.failure(TransportError(.cancelled, "cancelled")))
        }
    }

    /// Answers the request with `serial`.
    func answer(_ serial: Int, _ response: HTTPResponse) {
        let (continuation, completion) = state.withLock { state in
            state.answered += 1
            return (state.waiting.removeValue(forKey: serial), state.completions.removeValue(forKey: serial))
        }
        continuation?.resume(returning: .success(response))
        completion?(.success(response))
    }

    var waitingCount: Int { state.withLock { $0.waiting.count + $0.completions.count } }
}

/// A dispatcher over a given transport, with every answer it writes collected as text, one per line.
final class Harness: Sendable {
    let dispatcher: Dispatcher
    let replies = Inbox<String>()

    init(
        transport: any HTTPTransport, retries: Int = 0, publishableKey: String? = nil, limits: Dispatcher.Limits = Dispatcher.Limits(),
        authType: MedusaAuthType = .jwt
    ) {
        let configuration = MedusaConfiguration(
            baseURL: URL(string: "http://127.0.0.1:9000")!, maxRetries: retries, publishableAPIKey: publishableKey,
            attemptTimeout: .seconds(5), userAgent: "test", authType: authType)
        let medusa = MedusaClient(configuration: configuration, transport: transport, sleep: { _ in })
        let replies = self.replies
        dispatcher = Dispatcher(context: MethodContext(medusa: medusa, logger: Logger(level: .error)), limits: limits) { bytes in
            for line in bytes.split(separator: 0x0A) { replies.put(String(decoding: line, as: UTF8.self)) }
        }
    }

    func send(_ text: String) { dispatcher.receive(Array(text.utf8)) }

    /// Sends a message and returns the next answer written.
    func call(_ text: String) async throws -> String {
        send(text)
        return try await replies.next("the reply to \(text)")
    }

    /// Sends a message that must get no answer: a ping sent after it must be the next answer.
    func expectNoReply(to text: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        send(text)
        let next = try await call(#"{"jsonrpc":"2.0","id":"after","method":"ping"}"#)
        #expect(next == #"{"jsonrpc":"2.0","id":"after","result":{}}"#, "\(text) was answered", sourceLocation: sourceLocation)
    }
}

extension HTTPResponse {
    static func json(_ status: Int, _ body: String, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        HTTPResponse(status: status, headers: headers, body: Array(body.utf8))
    }
}

func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }
