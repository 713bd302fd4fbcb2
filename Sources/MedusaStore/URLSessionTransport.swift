import Foundation
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `HTTPTransport` over one URLSession (libcurl underneath on Linux), with cookies, caches and
/// redirects turned off: the bridge manages cookies per session itself and never lets credentials
/// follow a redirect (STDIO-NOTES.md, "URLSession"; issue 5, "a redirect to another host").
///
/// A session-level delegate receives the body in chunks so that a huge body is cut at
/// `maximumBodyBytes` instead of being buffered whole, and each attempt's deadline is enforced here
/// because URLSession's own timeouts are whole seconds and count idle time only. The URLSession is
/// created on the first request, so a bridge that never calls Medusa never pays for it.
public final class URLSessionTransport: HTTPTransport {
    private let delegate: Delegate
    private let session: Mutex<URLSession?> = Mutex(nil)

    /// Concurrent connections to the backend. URLSession's default of 6 serialises pipelined calls
    /// (200 concurrent 200 ms requests took 6.9 s at 6, 0.8 s at 64: STDIO-NOTES.md).
    public static let maximumConnectionsPerHost = 64

    public init(maximumBodyBytes: Int) {
        delegate = Delegate(maximumBodyBytes: maximumBodyBytes)
    }

    deinit { session.withLock { $0?.invalidateAndCancel() } }

    private var urlSession: URLSession {
        session.withLock { session in
            if let session { return session }
            let configuration = URLSessionConfiguration.ephemeral
            configuration.httpShouldSetCookies = false
            configuration.httpCookieAcceptPolicy = .never
            configuration.httpCookieStorage = nil
            configuration.urlCache = nil
            configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
            configuration.httpMaximumConnectionsPerHost = Self.maximumConnectionsPerHost
            let created = URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
            session = created
            return created
        }
    }

    public func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        if Task.isCancelled { throw TransportError(.cancelled, "cancelled before sending") }
        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = request.method
        // Whole seconds, rounded up, as a backstop; the precise deadline is the timer below.
        urlRequest.timeoutInterval = (Double(request.timeout.components.seconds) + 1).rounded(.up)
        for field in request.headers { urlRequest.addValue(field.value, forHTTPHeaderField: field.name) }
        if let body = request.body { urlRequest.httpBody = Data(body) }
        let task = urlSession.dataTask(with: urlRequest)
        let call = Call()
        delegate.register(task.taskIdentifier, call)
        defer { delegate.forget(task.taskIdentifier) }
        // A dispatch timer, not a sleeping Task: a cancelled `Task.sleep` keeps its memory until the
        // sleep would have ended (30 s by default), which showed as ~750 bytes per call under load.
        let deadline = DispatchSource.makeTimerSource(queue: .global())
        deadline.schedule(deadline: .now() + request.timeout.timeInterval)
        deadline.setEventHandler {
            call.finish(.failure(TransportError(.timeout, "no complete answer before the attempt's deadline")))
            task.cancel()
        }
        deadline.resume()
        defer { deadline.cancel() }
        // The cancellation handler and the deadline answer the call themselves instead of waiting for
        // URLSession to report the cancelled task: a task cancelled before `resume()` is never reported.
        let outcome = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if call.wait(continuation) { task.resume() }
            }
        } onCancel: {
            call.finish(.failure(TransportError(.cancelled, "cancelled")))
            task.cancel()
        }
        return try outcome.get()
    }
}

extension URLSessionTransport {
    typealias Outcome = Result<HTTPResponse, TransportError>

    /// One request's state, shared by `send`, its cancellation handler, its deadline and the delegate.
    /// The first outcome wins; the others are ignored.
    final class Call: Sendable {
        private struct State {
            var continuation: CheckedContinuation<Outcome, Never>?
            var outcome: Outcome?
            var head: HTTPResponse?
            var body = Data()
            var truncated = false
        }

        private let state = Mutex(State())

        /// Stores the continuation; false when the call already finished (it is then resumed at once).
        func wait(_ continuation: CheckedContinuation<Outcome, Never>) -> Bool {
            let early = state.withLock { state -> Outcome? in
                if let outcome = state.outcome { return outcome }
                state.continuation = continuation
                return nil
            }
            guard let early else { return true }
            continuation.resume(returning: early)
            return false
        }

        func finish(_ outcome: Outcome) {
            let continuation = state.withLock { state -> CheckedContinuation<Outcome, Never>? in
                guard state.outcome == nil else { return nil }
                state.outcome = outcome
                defer { state.continuation = nil }
                return state.continuation
            }
            continuation?.resume(returning: outcome)
        }

        func received(head: HTTPResponse) { state.withLock { $0.head = $0.head ?? head } }

        /// Appends a body chunk; at the cap, finishes the call with what was read and returns true.
        func received(_ data: Data, head: HTTPResponse?, cap: Int) -> Bool {
            let capped = state.withLock { state -> HTTPResponse? in
                guard state.outcome == nil, !state.truncated else { return nil }
                if state.head == nil { state.head = head }
                let room = cap - state.body.count
                guard data.count > room else {
                    state.body.append(data)
                    return nil
                }
                state.body.append(data.prefix(room))
                state.truncated = true
                guard var response = state.head else { return nil }
                response.body = [UInt8](state.body)
                response.bodyTruncated = true
                return response
            }
            guard let capped else { return false }
            finish(.success(capped))
            return true
        }

        /// The task ended: the response read so far, or the error.
        func completed(error: Error?, head: HTTPResponse?) {
            let outcome = state.withLock { state -> Outcome in
                if let error { return .failure(Delegate.classify(error)) }
                guard var response = state.head ?? head else { return .failure(TransportError(.other, "no HTTP response")) }
                response.body = [UInt8](state.body)
                return .success(response)
            }
            finish(outcome)
        }
    }

    /// Routes URLSession's callbacks (on its serial delegate queue) to each request's `Call`.
    final class Delegate: NSObject, URLSessionDataDelegate, Sendable {
        let maximumBodyBytes: Int
        private let calls = Mutex<[Int: Call]>([:])

        init(maximumBodyBytes: Int) { self.maximumBodyBytes = maximumBodyBytes }

        func register(_ id: Int, _ call: Call) { calls.withLock { $0[id] = call } }

        func forget(_ id: Int) { _ = calls.withLock { $0.removeValue(forKey: id) } }

        private func call(_ id: Int) -> Call? { calls.withLock { $0[id] } }

        func urlSession(
            _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
            completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
        ) {
            if let head = (response as? HTTPURLResponse).map(Self.makeHead) { call(dataTask.taskIdentifier)?.received(head: head) }
            completionHandler(.allow)
        }

        func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
            let head = (dataTask.response as? HTTPURLResponse).map(Self.makeHead)
            // At the cap the call is answered with what was read; stop the transfer.
            if call(dataTask.taskIdentifier)?.received(data, head: head, cap: maximumBodyBytes) == true { dataTask.cancel() }
        }

        func urlSession(
            _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
            newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
        ) {
            // Never follow: the redirect itself is the answer (no cookie, token or key leaves the origin).
            completionHandler(nil)
        }

        func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
            call(task.taskIdentifier)?.completed(error: error, head: (task.response as? HTTPURLResponse).map(Self.makeHead))
        }

        /// Status and headers, as Sendable values, before the body arrives.
        static func makeHead(_ response: HTTPURLResponse) -> HTTPResponse {
            var headers = HTTPHeaders()
            for (name, value) in response.allHeaderFields {
                headers.append(name: String(describing: name), value: String(describing: value))
            }
            return HTTPResponse(status: response.statusCode, headers: headers)
        }

        /// Maps URLSession's errors onto the one-word reasons of -32002 (issue 2, "Errors from the backend").
        static func classify(_ error: Error) -> TransportError {
            guard let urlError = error as? URLError else {
                return TransportError(.other, String(describing: type(of: error)))
            }
            let detail = "URLError \(urlError.code.rawValue)"
            switch urlError.code {
            case .cancelled: return TransportError(.cancelled, detail)
            case .cannotConnectToHost: return TransportError(.refused, "\(detail): connection refused")
            case .timedOut: return TransportError(.timeout, "\(detail): timed out")
            case .cannotFindHost, .dnsLookupFailed: return TransportError(.dns, "\(detail): host not found")
            case .secureConnectionFailed, .serverCertificateHasBadDate, .serverCertificateUntrusted,
                .serverCertificateHasUnknownRoot, .serverCertificateNotYetValid, .clientCertificateRejected,
                .clientCertificateRequired:
                return TransportError(.tls, "\(detail): TLS handshake or certificate verification failed")
            case .networkConnectionLost: return TransportError(.other, "\(detail): connection lost")
            case .badServerResponse: return TransportError(.other, "\(detail): empty or malformed reply")
            default:
                // corelibs reports curl's certificate and handshake failures as URLError -1 (unknown)
                // with curl's text, e.g. "SSL certificate problem: self-signed certificate".
                let text = urlError.localizedDescription
                if text.contains("SSL") || text.contains("certificate") || text.contains("TLS") {
                    return TransportError(.tls, "\(detail): \(text.prefix(120))")
                }
                return TransportError(.other, detail)
            }
        }
    }
}
