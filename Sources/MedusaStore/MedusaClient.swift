import FoundationEssentials
import JSON

/// The options of one call: which session it uses and its own extra headers.
public struct CallOptions: Sendable {
    public var session: String
    public var customHeaders: HTTPHeaders

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
    let transport: any HTTPTransport
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
        let url = configuration.absoluteURL(for: path)
        let request = HTTPRequest(
            method: method, url: url, headers: headers(method: method, url: url, options: options),
            body: body.map { $0.serialized() }, timeout: configuration.attemptTimeout)
        var attempt = 0
        while true {
            attempt += 1
            let delay: Duration
            switch await Result(catching: { () async throws(TransportError) in try await transport.send(request) }) {
            case .success(var response):
                let setCookies = response.headers.values(for: "Set-Cookie").compactMap(SetCookie.init)
                if !setCookies.isEmpty, let url = request.parsedURL {
                    sessions.update(options.session) { $0.cookies.store(setCookies, from: url) }
                }
                response.redactor = SecretRedactor(request: request, setCookies: setCookies)
                if (200..<300).contains(response.status) {
                    if response.bodyTruncated { throw response.badResponse() }
                    return response
                }
                guard
                    let wait = retryPolicy.delay(beforeRetry: attempt, status: response.status, retryAfter: response.headers["Retry-After"])
                else {
                    throw .status(
                        MedusaHTTPError(status: response.status, body: response.body, redactor: response.redactor).diagnosed(path: path))
                }
                delay = wait
            case .failure(let error):
                if error.reason == .cancelled || Task.isCancelled { throw .cancelled }
                if error.reason == .malformed { throw .malformedResponse(detail: error.detail) }
                guard let wait = retryPolicy.delay(beforeRetry: attempt, status: nil, retryAfter: nil)
                else { throw .unreachable(reason: error.reason.rawValue, attempts: attempt, detail: error.detail) }
                delay = wait
            }
            do {
                try await sleep(delay)
            } catch {
                throw .cancelled
            }
            if Task.isCancelled { throw .cancelled }
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
        if !state.cookies.isEmpty, let url = URL(string: url), let cookie = state.cookies.header(for: url) {
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
