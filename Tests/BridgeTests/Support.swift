import Foundation
import JSON
import MedusaStore
import Synchronization
import TestSupport
import Testing

@testable import Bridge

/// An HTTP transport whose requests wait until the test answers them, so tests can observe which
/// requests have started and in what order.
final class HeldTransport: HTTPTransport {
    struct Started: Sendable {
        let serial: Int
        let request: HTTPRequest
        /// How many requests had been answered when this one started.
        let answeredBefore: Int
    }

    private struct State {
        var waiting: [Int: CheckedContinuation<Result<HTTPResponse, TransportError>, Never>] = [:]
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

    /// Answers the request with `serial`.
    func answer(_ serial: Int, _ response: HTTPResponse) {
        let continuation = state.withLock { state in
            state.answered += 1
            return state.waiting.removeValue(forKey: serial)
        }
        continuation?.resume(returning: .success(response))
    }

    var waitingCount: Int { state.withLock { $0.waiting.count } }
}

/// A dispatcher over a given transport, with replies collected as text in a stream.
final class Harness: Sendable {
    let dispatcher: Dispatcher
    let replies = Inbox<String>()
    static let noReply = "<no reply>"

    init(transport: any HTTPTransport, retries: Int = 0, publishableKey: String? = nil) {
        let configuration = MedusaConfiguration(
            baseURL: URL(string: "http://127.0.0.1:9000")!, maxRetries: retries, publishableAPIKey: publishableKey,
            attemptTimeout: .seconds(5), userAgent: "test")
        let medusa = MedusaClient(configuration: configuration, transport: transport, sleep: { _ in })
        dispatcher = Dispatcher(context: MethodContext(medusa: medusa, logger: Logger(level: .error)))
    }

    func send(_ text: String) {
        let replies = self.replies
        dispatcher.receive(Array(text.utf8)) { bytes in
            replies.put(bytes.map { String(decoding: $0, as: UTF8.self) } ?? Harness.noReply)
        }
    }

    /// Sends a message and returns its reply.
    func call(_ text: String) async throws -> String {
        send(text)
        return try await replies.next("the reply to \(text)")
    }
}

extension HTTPResponse {
    static func json(_ status: Int, _ body: String, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        HTTPResponse(status: status, headers: headers, body: Array(body.utf8))
    }
}

func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }
