import FoundationEssentials
import JSON

/// The options of one call: which session it uses and its own extra headers.
public struct CallOptions: Sendable {
    public var session: String
    public var customHeaders: HTTPHeaders
    /// false: the session's cookies are not sent (`withoutCookies`); those the answer sets are still kept.
    var sendsCookies = true
    /// Whether the query the call sends is secret (an OAuth callback's code and state): error data
    /// redacts its values.
    var queryIsSecret = false

    public static let defaultSession = "default"

    public init(session: String = CallOptions.defaultSession, customHeaders: HTTPHeaders = HTTPHeaders()) {
        self.session = session
        self.customHeaders = customHeaders
    }
}

/// Sends Medusa store auth requests exactly as medusa-js's `Client.request` does (medusajs/medusa v1
/// packages/medusa-js/src/request.ts: its headers and retries), with each session's cookies and token
/// taken from `SessionStore`.
public final class MedusaClient: Sendable {
    public let configuration: MedusaConfiguration
    public let sessions: SessionStore
    public let transport: any HTTPTransport
    let retryPolicy: RetryPolicy
    let sleep: @Sendable (Duration) async throws -> Void
    let makeIdempotencyKey: @Sendable () -> String

    /// - Parameters:
    ///   - sleep: waits between retries; tests pass a recorder instead of the clock.
    ///   - makeIdempotencyKey: a new key per call; medusa-js uses uuid v4.
    public init(
        configuration: MedusaConfiguration, transport: any HTTPTransport, sessions: SessionStore = SessionStore(),
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        makeIdempotencyKey: @escaping @Sendable () -> String = { UUID().uuidString.lowercased() }
    ) {
        self.configuration = configuration
        self.transport = transport
        self.sessions = sessions
        self.retryPolicy = RetryPolicy(maxRetries: configuration.maxRetries)
        self.sleep = sleep
        self.makeIdempotencyKey = makeIdempotencyKey
    }

    /// Sends one call, retrying per `RetryPolicy`, storing every cookie Medusa sets; returns the final
    /// response. Non-2xx is thrown as `.status`.
    func perform(_ method: String, _ path: String, body: JSONValue?, options: CallOptions) async throws(MedusaFailure) -> HTTPResponse {
        let request = request(method, path, body: body, options: options)
        var attempt = 0
        while true {
            attempt += 1
            let result = await Result(catching: { () async throws(TransportError) in try await transport.send(request) })
            let delay: Duration
            switch settle(result, of: request, path: path, attempt: attempt, options: options) {
            case .done(let outcome): return try outcome.get()
            case .retry(after: let wait): delay = wait
            }
            do {
                try await sleep(delay)
            } catch {
                throw .cancelled
            }
            if Task.isCancelled { throw .cancelled }
        }
    }

    /// A call that is one exchange: its request, and what its answer becomes. Written once, it runs
    /// either way: `perform(_:)` in a task, or `start(_:completion:)` without one.
    public struct Exchange<Value: Sendable>: Sendable {
        let method: String
        let path: String
        let body: JSONValue?
        let options: CallOptions
        let read: @Sendable (HTTPResponse) throws(MedusaFailure) -> Value

        /// The same exchange, its value turned into another.
        public func map<Other>(_ transform: @escaping @Sendable (Value) -> Other) -> Exchange<Other> {
            Exchange<Other>(method: method, path: path, body: body, options: options) { response throws(MedusaFailure) in
                transform(try read(response))
            }
        }
    }

    public func perform<Value>(_ exchange: Exchange<Value>) async throws(MedusaFailure) -> Value {
        try exchange.read(await perform(exchange.method, exchange.path, body: exchange.body, options: exchange.options))
    }

    /// Starts `exchange` without a task: `completion` gets what `perform` would return or throw, on the
    /// transport's thread; the result cancels the exchange (its completion then gets `.cancelled`,
    /// unless the answer came first). nil when the call needs `perform`: retries are on (they wait
    /// between attempts), or the transport cannot start exchanges from here.
    public func start<Value>(
        _ exchange: Exchange<Value>, completion: @escaping @Sendable (Result<Value, MedusaFailure>) -> Void
    ) -> HTTPTransport.Cancel? {
        guard configuration.maxRetries == 0 else { return nil }
        let options = exchange.options
        let request = request(exchange.method, exchange.path, body: exchange.body, options: options)
        return transport.start(request) { result in
            switch self.settle(result, of: request, path: exchange.path, attempt: 1, options: options) {
            case .done(let outcome):
                completion(outcome.flatMap { response in Result { () throws(MedusaFailure) in try exchange.read(response) } })
            case .retry: completion(.failure(.unreachable(reason: "other", attempts: 1, detail: "a retry without retries")))
            }
        }
    }

    private func request(_ method: String, _ path: String, body: JSONValue?, options: CallOptions) -> HTTPRequest {
        let url = configuration.absoluteURL(for: path)
        return HTTPRequest(
            method: method, url: url, headers: headers(method: method, url: url, options: options),
            body: body.map { $0.serialized() }, timeout: configuration.attemptTimeout, mayBeResent: configuration.maxRetries > 0)
    }

    /// What one attempt's result makes of the call: its outcome, or a retry after a delay. Stores the
    /// cookies an answer sets.
    private enum Step {
        case done(Result<HTTPResponse, MedusaFailure>)
        case retry(after: Duration)
    }

    private func settle(
        _ result: Result<HTTPResponse, TransportError>, of request: HTTPRequest, path: String, attempt: Int, options: CallOptions
    ) -> Step {
        switch result {
        case .success(var response):
            let setCookies = response.headers.values(for: "Set-Cookie").compactMap(SetCookie.init)
            if !setCookies.isEmpty, let url = request.parsedURL {
                sessions.update(options.session) { $0.cookies.store(setCookies, from: url) }
            }
            response.redactor = SecretRedactor(
                request: request, setCookies: setCookies, configuredSecrets: configuration.secretValues,
                queryIsSecret: options.queryIsSecret)
            if (200..<300).contains(response.status) {
                guard !response.bodyTruncated else {
                    let start = truncatedText(response.body, limit: MedusaHTTPError.maximumBodyCharacters, redactor: response.redactor)
                    return .done(.failure(.oversizedBody(status: response.status, body: start, limit: configuration.maximumBodyBytes)))
                }
                return .done(.success(response))
            }
            if let wait = retryPolicy.delay(beforeRetry: attempt, status: response.status, retryAfter: response.headers["Retry-After"]) {
                return .retry(after: wait)
            }
            var error = MedusaHTTPError(status: response.status, body: response.body, redactor: response.redactor)
                .diagnosed(path: path, publishableKeySent: request.headers["x-publishable-api-key"] != nil)
            if (300..<400).contains(response.status) { error.location = response.headers["Location"].map(response.redactor.redact) }
            return .done(.failure(.status(error)))
        case .failure(let error):
            if error.reason == .cancelled || Task.isCancelled { return .done(.failure(.cancelled)) }
            if error.reason == .malformed { return .done(.failure(.malformedResponse(detail: error.detail))) }
            if let wait = retryPolicy.delay(beforeRetry: attempt, status: nil, retryAfter: nil) { return .retry(after: wait) }
            return .done(.failure(.unreachable(reason: error.reason.rawValue, attempts: attempt, detail: error.detail)))
        }
    }

    /// The headers of medusa-js's `Client.setHeaders`, in its order, then configured and per-call headers
    /// over them.
    func headers(method: String, url: String, options: CallOptions) -> HTTPHeaders {
        let state = sessions.snapshot(options.session)
        // Distinct names, so appended without the case-insensitive replacement a merge does.
        var headers = HTTPHeaders()
        headers.reserveCapacity(7)
        headers.append(name: "Accept", value: "application/json")
        headers.append(name: "Content-Type", value: "application/json")
        if let token = state.token { headers.append(name: "Authorization", value: "Bearer \(token)") }
        if let key = configuration.publishableAPIKey { headers.append(name: "x-publishable-api-key", value: key) }
        if method == "POST" && configuration.maxRetries > 0 { headers.append(name: "Idempotency-Key", value: makeIdempotencyKey()) }
        headers.append(name: "User-Agent", value: configuration.userAgent)
        if options.sendsCookies, !state.cookies.isEmpty, let url = URL(string: url), let cookie = state.cookies.header(for: url) {
            headers.append(name: "Cookie", value: cookie)
        }
        return headers.merging(configuration.headers).merging(options.customHeaders)
    }
}

extension HTTPResponse {
    /// -32003 for this answer: its body, secrets removed and truncated, as the error's `data.body`.
    func badResponse() -> MedusaFailure {
        .badResponse(status: status, body: truncatedText(body, limit: MedusaHTTPError.maximumBodyCharacters, redactor: redactor))
    }
}

extension Result {
    /// `Result(catching:)` for an async body with a typed error.
    init(catching body: () async throws(Failure) -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
