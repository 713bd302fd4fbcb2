import FoundationEssentials

/// One HTTP request as the Medusa client builds it.
public struct HTTPRequest: Sendable, Equatable {
    public var method: String
    /// The absolute URL, as text: the configured base URL, parsed once when the bridge starts, and a
    /// path the client builds from literals and percent-encoded parts, so that no call parses it again
    /// (`parsedURL` does, for the cookie jar, when a session holds cookies or an answer sets some).
    public var url: String
    public var headers: HTTPHeaders
    public var body: [UInt8]?
    /// Deadline for this attempt, enforced by the transport to the millisecond.
    public var timeout: Duration
    /// The client itself sends this request again after a network failure (its retries are on, and a
    /// POST then carries its Idempotency-Key). Only then may a transport resend a request that is not
    /// idempotent on its own, e.g. when a reused connection dies before answering (RFC 9112 §9.3.1).
    public var mayBeResent: Bool

    public init(method: String, url: String, headers: HTTPHeaders, body: [UInt8]?, timeout: Duration, mayBeResent: Bool = false) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.mayBeResent = mayBeResent
    }

    /// `url` parsed: its origin and path, for cookies.
    public var parsedURL: URL? { URL(string: url) }
}

/// One HTTP response. Redirects are never followed, so a 3xx arrives here as it is.
public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// The body was longer than the transport's cap; `body` holds its first bytes only.
    public var bodyTruncated: Bool
    /// The secrets of the call that produced this answer, for any error built from it. Set by
    /// `MedusaClient`, never by a transport.
    public var redactor = SecretRedactor()

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [], bodyTruncated: Bool = false) {
        self.status = status
        self.headers = headers
        self.body = body
        self.bodyTruncated = bodyTruncated
    }
}

/// Why no response arrived. `reason` is the one word that -32002 `data.reason` carries.
public struct TransportError: Error, Sendable, Equatable {
    public enum Reason: String, Sendable {
        case refused, timeout, dns, tls, other
        /// The caller's task was cancelled: never retried, never reported as unreachable.
        case cancelled
        /// An answer arrived but broke HTTP's framing (RFC 9112 §6.3): a bad answer (-32003), not a
        /// network failure, so never retried.
        case malformed
    }

    public var reason: Reason
    /// A short description for logs and `data.detail`: never a header value or a body.
    public var detail: String

    public init(_ reason: Reason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }
}

/// The seam between the Medusa client and the network; tests substitute a scripted fake.
public protocol HTTPTransport: Sendable {
    /// Gets the outcome of an exchange started with `start`.
    typealias Completion = @Sendable (Result<HTTPResponse, TransportError>) -> Void
    /// Cancels an exchange started with `start`.
    typealias Cancel = @Sendable () -> Void

    /// Sends one request; throws `TransportError` when no complete response arrived.
    func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse
    /// `send` without a task, when the transport can from the calling thread: `completion` gets the
    /// outcome once, never before this returns; the result cancels the exchange (the outcome is then
    /// `.cancelled`, unless it was decided already). nil: use `send`.
    func start(_ request: HTTPRequest, completion: @escaping Completion) -> Cancel?
    /// Shutdown: every exchange still waiting to be sent (queued for a free connection) ends
    /// `.cancelled` now, and so does any started from here on that would have to wait: a request not
    /// yet sent when the process is told to stop is never sent.
    func abandonUnsent()
}

extension HTTPTransport {
    public func start(_ request: HTTPRequest, completion: @escaping Completion) -> Cancel? { nil }
    /// A transport that never queues has nothing to abandon.
    public func abandonUnsent() {}
}
