import MedusaStore
import Synchronization

typealias FakeOutcome = Result<HTTPResponse, TransportError>

/// Answers from a queue of outcomes (then 200 `{}`), recording every request.
final class ScriptedTransport: HTTPTransport {
    private let state: Mutex<(outcomes: [FakeOutcome], requests: [HTTPRequest])>

    init(_ outcomes: [FakeOutcome]) { state = Mutex((outcomes, [])) }

    var requests: [HTTPRequest] { state.withLock { $0.requests } }

    func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        try state.withLock { state -> FakeOutcome in
            state.requests.append(request)
            return state.outcomes.isEmpty ? .success(.json(200, "{}")) : state.outcomes.removeFirst()
        }.get()
    }
}
