import FoundationEssentials

/// The cookies of one bridge session (RFC 6265 §5.3, §5.4), deliberately stricter than a browser:
/// a cookie goes back only to the origin (scheme, host and port) that set it, honouring Path, Secure and
/// expiry; a `Domain` attribute never widens it to other hosts (issue 5, "Security").
public struct CookieJar: Sendable, Equatable {
    struct Cookie: Sendable, Equatable {
        var name: String
        var value: String
        var origin: Origin
        var path: String
        var secure: Bool
        /// nil: a session cookie, kept for the life of the bridge session.
        var expires: Date?
        var created: UInt64
    }

    struct Origin: Sendable, Equatable {
        var scheme: String
        var host: String
        var port: Int

        init?(_ url: URL) {
            guard let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased() else { return nil }
            self.scheme = scheme
            self.host = host
            self.port = url.port ?? (scheme == "https" ? 443 : 80)
        }
    }

    private var cookies: [Cookie] = []
    private var counter: UInt64 = 0

    /// The most cookies one session keeps (RFC 6265 §6.1 asks for at least 50 per domain; browsers keep
    /// about 180): a backend setting more, by mistake or on purpose, cannot grow the bridge or every
    /// request's `Cookie` header without end. Past it, expired cookies go first, then the oldest
    /// (RFC 6265 §5.3 step 12).
    static let maximumCookies = 180

    public init() {}

    /// No cookie kept, expired ones included.
    public var isEmpty: Bool { cookies.isEmpty }

    /// Stores the cookies of a response from `url`; an expired or `Max-Age<=0` cookie deletes its match.
    public mutating func store(_ setCookies: [SetCookie], from url: URL, now: Date = Date()) {
        guard let origin = Origin(url) else { return }
        for setCookie in setCookies {
            // RFC 6265bis §5.6 step 10: a Secure cookie cannot be set over plain HTTP.
            if setCookie.secure && origin.scheme != "https" { continue }
            // A Domain that does not cover this host is rejected (RFC 6265 §5.3 step 6).
            if let domain = setCookie.domain, domain != origin.host, !origin.host.hasSuffix("." + domain) { continue }
            let expires: Date? =
                if let maxAge = setCookie.maxAge { now.addingTimeInterval(TimeInterval(maxAge)) } else { setCookie.expires }
            let path = setCookie.path ?? Self.defaultPath(url.path)
            let existing = cookies.firstIndex { $0.name == setCookie.name && $0.origin == origin && $0.path == path }
            if let expires, expires <= now {
                if let existing { cookies.remove(at: existing) }
                continue
            }
            counter += 1
            let cookie = Cookie(
                name: setCookie.name, value: setCookie.value, origin: origin, path: path, secure: setCookie.secure,
                expires: expires, created: existing.map { cookies[$0].created } ?? counter)
            if let existing {
                cookies[existing] = cookie
            } else {
                cookies.append(cookie)
                if cookies.count > Self.maximumCookies { evictOne(now: now) }
            }
        }
    }

    private mutating func evictOne(now: Date) {
        cookies.removeAll { $0.expires.map { $0 <= now } ?? false }
        guard cookies.count > Self.maximumCookies,
            let oldest = cookies.indices.min(by: { cookies[$0].created < cookies[$1].created })
        else { return }
        cookies.remove(at: oldest)
    }

    /// The `Cookie` header for a request to `url`, or nil when no cookie applies.
    public func header(for url: URL, now: Date = Date()) -> String? {
        // Most calls of most sessions carry no cookie: skip parsing the URL for them.
        guard !cookies.isEmpty, let origin = Origin(url) else { return nil }
        let path = url.path.isEmpty ? "/" : url.path
        let matching = cookies.filter { cookie in
            cookie.origin == origin && (cookie.expires.map { $0 > now } ?? true) && Self.pathMatches(path, cookie.path)
                && (!cookie.secure || origin.scheme == "https")
        }
        guard !matching.isEmpty else { return nil }
        // RFC 6265 §5.4 step 2: longer paths first, then earlier creation.
        return matching.sorted { ($0.path.count, $1.created) > ($1.path.count, $0.created) }
            .map { "\($0.name)=\($0.value)" }.joined(separator: "; ")
    }

    /// Whether any unexpired cookie is held.
    public func hasCookies(now: Date = Date()) -> Bool {
        cookies.contains { $0.expires.map { $0 > now } ?? true }
    }

    public mutating func removeAll() { cookies.removeAll() }

    /// RFC 6265 §5.1.4: the directory of the request path.
    static func defaultPath(_ path: String) -> String {
        guard path.hasPrefix("/"), let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }

    /// RFC 6265 §5.1.4 path-match.
    static func pathMatches(_ requestPath: String, _ cookiePath: String) -> Bool {
        if requestPath == cookiePath { return true }
        guard requestPath.hasPrefix(cookiePath) else { return false }
        return cookiePath.hasSuffix("/") || requestPath.dropFirst(cookiePath.count).hasPrefix("/")
    }
}
