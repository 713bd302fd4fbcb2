import Foundation
import Synchronization

@testable import MedusaStore

/// A scripted HTTP transport: answers from a queue of outcomes and records every request it got.
final class FakeTransport: HTTPTransport {
    typealias Outcome = Result<HTTPResponse, TransportError>
    private let state: Mutex<(outcomes: [Outcome], requests: [HTTPRequest])>
    private let fallback: Outcome

    init(_ outcomes: [Outcome] = [], otherwise fallback: Outcome = .success(HTTPResponse(status: 200, body: Array("{}".utf8)))) {
        state = Mutex((outcomes, []))
        self.fallback = fallback
    }

    var requests: [HTTPRequest] { state.withLock { $0.requests } }

    func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        let outcome = state.withLock { state -> Outcome in
            state.requests.append(request)
            return state.outcomes.isEmpty ? fallback : state.outcomes.removeFirst()
        }
        return try outcome.get()
    }
}

/// Records the delays a client asked to sleep, without sleeping.
final class SleepRecorder: Sendable {
    private let delays = Mutex<[Duration]>([])
    var recorded: [Duration] { delays.withLock { $0 } }
    func sleep(_ duration: Duration) async throws {
        try Task.checkCancellation()
        delays.withLock { $0.append(duration) }
    }
}

extension HTTPResponse {
    static func json(_ status: Int, _ body: String, headers: HTTPHeaders = ["Content-Type": "application/json; charset=utf-8"])
        -> HTTPResponse
    {
        HTTPResponse(status: status, headers: headers, body: Array(body.utf8))
    }

    static func text(_ status: Int, _ body: String, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        HTTPResponse(status: status, headers: headers, body: Array(body.utf8))
    }
}
