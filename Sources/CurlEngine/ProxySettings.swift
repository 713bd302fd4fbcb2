import FoundationEssentials

/// Which proxy a request goes through: `--proxy` for every request, else the environment variables
/// curl and Python read (`https_proxy`/`HTTPS_PROXY` for https, `http_proxy`/`HTTP_PROXY` for http,
/// `all_proxy`/`ALL_PROXY` for both, lowercase first), minus the hosts of `no_proxy`/`NO_PROXY`
/// (curl's syntax: comma-separated host names, domain suffixes, IP addresses or CIDR ranges, `*`).
///
/// curl itself ignores an upper-case `HTTP_PROXY` (a CGI server sets it from a request header); the
/// bridge is never a CGI program, and the users who set `HTTP_PROXY` expect it honoured, as Python's
/// urllib and requests do.
public struct ProxySettings: Sendable, Equatable {
    public var httpProxy: String?
    public var httpsProxy: String?
    public var noProxy: String?

    public init(httpProxy: String? = nil, httpsProxy: String? = nil, noProxy: String? = nil) {
        self.httpProxy = httpProxy
        self.httpsProxy = httpsProxy
        self.noProxy = noProxy
    }

    /// `explicit` (the `--proxy` option) wins over the environment; `NO_PROXY` applies to both.
    public init(explicit: String?, environment: [String: String]) {
        func variable(_ name: String) -> String? {
            for candidate in [name.lowercased(), name.uppercased()] {
                if let value = environment[candidate], !value.isEmpty { return value }
            }
            return nil
        }
        let all = variable("all_proxy")
        self.init(
            httpProxy: explicit ?? variable("http_proxy") ?? all, httpsProxy: explicit ?? variable("https_proxy") ?? all,
            noProxy: variable("no_proxy"))
    }

    /// The user, the password and the Basic credentials (`base64(user:password)`, RFC 7617) of every
    /// proxy URL that carries them, as written and percent-decoded (libcurl decodes them before it
    /// sends `Proxy-Authorization`): secrets a proxy's error page may echo.
    public var credentials: [String] {
        var found: [String] = []
        for proxy in [httpProxy, httpsProxy].compactMap(\.self) {
            // curl reads a proxy without a scheme as http.
            guard let url = URL(string: proxy.contains("://") ? proxy : "http://" + proxy) else { continue }
            let user = (url.user(percentEncoded: true) ?? "", url.user(percentEncoded: false) ?? "")
            let password = (url.password(percentEncoded: true) ?? "", url.password(percentEncoded: false) ?? "")
            guard !user.0.isEmpty || !password.0.isEmpty else { continue }
            found += [user.0, user.1, password.0, password.1]
            for basic in Set(["\(user.0):\(password.0)", "\(user.1):\(password.1)"]) {
                found.append(Data(basic.utf8).base64EncodedString())
            }
        }
        return Array(Set(found.filter { !$0.isEmpty }))
    }

    /// The proxy for `url`, or nil for a direct connection (`NO_PROXY` is matched by libcurl).
    func proxy(for url: URL) -> String? {
        url.scheme?.lowercased() == "https" ? httpsProxy : httpProxy
    }
}
