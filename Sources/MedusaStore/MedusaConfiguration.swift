import FoundationEssentials

/// How the bridge talks to Medusa: the medusa-js `Config` (medusajs/medusa v1
/// packages/medusa-js/src/index.ts) plus the bridge's per-attempt timeout and body cap.
public struct MedusaConfiguration: Sendable {
    /// medusa-js's default `baseUrl`.
    public static let defaultBaseURL = "http://localhost:9000"
    /// Per HTTP attempt. medusa-js has none (axios `timeout: 0`); a bridge must never hang.
    public static let defaultAttemptTimeout: Duration = .seconds(30)
    /// The largest body read from Medusa. A customer with many orders is tens of KiB; 16 MiB leaves room
    /// while bounding what a broken backend can make the bridge hold (issue 5, "a body of 100 MB").
    public static let defaultMaximumBodyBytes = 16 << 20

    public var baseURL: URL {
        didSet { baseString = Self.trimmed(baseURL) }
    }
    /// `baseURL` without its trailing slashes, kept beside it: every call's URL starts with it.
    private var baseString: String
    public var maxRetries: Int
    public var publishableAPIKey: String?
    /// Sent on every request, over the bridge's own headers.
    public var headers: HTTPHeaders
    public var attemptTimeout: Duration
    public var userAgent: String
    public var maximumBodyBytes: Int
    /// Values that are secrets wherever an answer echoes them, besides the call's own (the proxy's user,
    /// password and Basic credentials, `ProxySettings.credentials`): error data redacts them.
    public var secretValues: [String] = []
    /// How the Medusa v2 methods authenticate a session (js-sdk's `auth.type`); v1 methods ignore it.
    public var authType: MedusaAuthType

    public init(
        baseURL: URL, maxRetries: Int = 0, publishableAPIKey: String? = nil, headers: HTTPHeaders = HTTPHeaders(),
        attemptTimeout: Duration = defaultAttemptTimeout, userAgent: String, maximumBodyBytes: Int = defaultMaximumBodyBytes,
        authType: MedusaAuthType = .jwt
    ) {
        self.baseURL = baseURL
        self.baseString = Self.trimmed(baseURL)
        self.maxRetries = maxRetries
        self.publishableAPIKey = publishableAPIKey
        self.headers = headers
        self.attemptTimeout = attemptTimeout
        self.userAgent = userAgent
        self.maximumBodyBytes = maximumBodyBytes
        self.authType = authType
    }

    /// `baseURL` joined with `path` with exactly one `/` between them, as axios joins `baseURL`.
    func url(for path: String) -> URL? {
        URL(string: absoluteURL(for: path))
    }

    /// `url(for:)` as text, without parsing it: `path` is the client's own, made of literals and
    /// percent-encoded parts.
    func absoluteURL(for path: String) -> String {
        baseString + path
    }

    private static func trimmed(_ url: URL) -> String {
        var base = url.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        return base
    }
}
