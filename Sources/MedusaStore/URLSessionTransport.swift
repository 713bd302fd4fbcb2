import Foundation
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `HTTPTransport` over one shared URLSession (libcurl underneath on Linux), with cookies, caches and
/// redirects turned off: the bridge manages cookies per session itself and never lets credentials
/// follow a redirect (STDIO-NOTES.md, "URLSession"; issue 5, "a redirect to another host").
///
/// A session-level delegate receives the body in chunks so that a huge body is cut at
/// `maximumBodyBytes` instead of being buffered whole, and each attempt's deadline is enforced here
/// because URLSession's own timeouts are whole seconds and count idle time only.
public final class URLSessionTransport: HTTPTransport {
    private let session: URLSession
    private let delegate: Delegate

    /// Concurrent connections to the backend. URLSession's default of 6 serialises pipelined calls
    /// (200 concurrent 200 ms requests took 6.9 s at 6, 0.8 s at 64: STDIO-NOTES.md).
    public static let maximumConnectionsPerHost = 64

    public init(maximumBodyBytes: Int) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        configuration.httpCookieStorage = nil
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.httpMaximumConnectionsPerHost = Self.maximumConnectionsPerHost
        delegate = Delegate(maximumBodyBytes: maximumBodyBytes)
        session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
    }

    deinit { session.invalidateAndCancel() }

    public func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        if Task.isCancelled { throw TransportError(.cancelled, "cancelled before sending") }
        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = request.method
        // Whole seconds, rounded up, as a backstop; the precise deadline is the timer below.
        urlRequest.timeoutInterval = (Double(request.timeout.components.seconds) + 1).rounded(.up)
        for field in request.headers { urlRequest.addValue(field.value, forHTTPHeaderField: field.name) }
        if let body = request.body { urlRequest.httpBody = Data(body) }
        let task = session.dataTask(with: urlRequest)
        let identifier = task.taskIdentifier
        let delegate = self.delegate
        let outcome: Result<HTTPResponse, TransportError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let timeout = request.timeout
                let deadline = Task {
                    try await Task.sleep(for: timeout)
                    delegate.markTimedOut(identifier)
                    task.cancel()
                }
                delegate.register(identifier, continuation, deadline: deadline)
                task.resume()
                if Task.isCancelled { task.cancel() }
            }
        } onCancel: {
            task.cancel()
        }
        return try outcome.get()
    }
}

extension Duration {
    var timeInterval: TimeInterval {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

extension URLSessionTransport {
    /// Collects each task's response and body; callbacks arrive on URLSession's serial delegate queue,
    /// and the table is also touched by `send` and timers, so it lives behind a mutex.
    final class Delegate: NSObject, URLSessionDataDelegate, Sendable {
        struct Pending {
            var continuation: CheckedContinuation<Result<HTTPResponse, TransportError>, Never>
            var deadline: Task<Void, any Error>
            var head: HTTPResponse?
            var body = Data()
            var truncated = false
            var timedOut = false
        }

        let maximumBodyBytes: Int
        private let pending = Mutex<[Int: Pending]>([:])

        init(maximumBodyBytes: Int) { self.maximumBodyBytes = maximumBodyBytes }

        func register(
            _ id: Int, _ continuation: CheckedContinuation<Result<HTTPResponse, TransportError>, Never>,
            deadline: Task<Void, any Error>
        ) {
            pending.withLock { $0[id] = Pending(continuation: continuation, deadline: deadline) }
        }

        func markTimedOut(_ id: Int) {
            pending.withLock { $0[id]?.timedOut = true }
        }

        func urlSession(
            _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
            completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
        ) {
            let head = (response as? HTTPURLResponse).map(Self.makeHead)
            pending.withLock { $0[dataTask.taskIdentifier]?.head = head }
            completionHandler(.allow)
        }

        func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
            let overflow = pending.withLock { table -> Bool in
                guard var entry = table[dataTask.taskIdentifier], !entry.truncated else { return false }
                if entry.head == nil { entry.head = (dataTask.response as? HTTPURLResponse).map(Self.makeHead) }
                let room = maximumBodyBytes - entry.body.count
                if data.count > room {
                    entry.body.append(data.prefix(room))
                    entry.truncated = true
                } else {
                    entry.body.append(data)
                }
                table[dataTask.taskIdentifier] = entry
                return entry.truncated
            }
            if overflow { dataTask.cancel() }
        }

        func urlSession(
            _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
            newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
        ) {
            // Never follow: the redirect itself is the answer (no cookie, token or key leaves the origin).
            completionHandler(nil)
        }

        func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
            guard let entry = pending.withLock({ $0.removeValue(forKey: task.taskIdentifier) }) else { return }
            entry.deadline.cancel()
            var response = entry.head ?? (task.response as? HTTPURLResponse).map(Self.makeHead)
            response?.body = [UInt8](entry.body)
            response?.bodyTruncated = entry.truncated
            let result: Result<HTTPResponse, TransportError>
            if entry.truncated, let response {
                result = .success(response)
            } else if entry.timedOut {
                result = .failure(TransportError(.timeout, "no complete answer before the attempt's deadline"))
            } else if let error {
                result = .failure(Self.classify(error))
            } else if let response {
                result = .success(response)
            } else {
                result = .failure(TransportError(.other, "no HTTP response"))
            }
            entry.continuation.resume(returning: result)
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
            default: return TransportError(.other, detail)
            }
        }
    }
}
