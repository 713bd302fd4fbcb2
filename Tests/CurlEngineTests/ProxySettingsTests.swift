import CCurl
import Foundation
import MedusaStore
import Testing

@testable import CurlEngine

@Suite("Proxy settings")
struct ProxySettingsTests {
    @Test("--proxy wins over the environment for both schemes, and NO_PROXY still applies")
    func explicitProxyWins() {
        let settings = ProxySettings(
            explicit: "http://proxy.test:3128", environment: ["HTTPS_PROXY": "http://other:1", "NO_PROXY": "localhost"])
        #expect(settings.proxy(for: URL(string: "http://a.test/")!) == "http://proxy.test:3128")
        #expect(settings.proxy(for: URL(string: "https://a.test/")!) == "http://proxy.test:3128")
        #expect(settings.noProxy == "localhost")
    }

    @Test("lower-case variables win over upper-case ones, ALL_PROXY fills in, and https uses HTTPS_PROXY")
    func environmentVariables() {
        let settings = ProxySettings(
            explicit: nil, environment: ["http_proxy": "http://lower:1", "HTTP_PROXY": "http://upper:2", "ALL_PROXY": "http://all:3"])
        #expect(settings.proxy(for: URL(string: "http://a.test/")!) == "http://lower:1")
        #expect(settings.proxy(for: URL(string: "https://a.test/")!) == "http://all:3")
        #expect(
            ProxySettings(explicit: nil, environment: ["HTTP_PROXY": "http://upper:2"]).proxy(for: URL(string: "http://a/")!)
                == "http://upper:2")
        #expect(ProxySettings(explicit: nil, environment: ["HTTPS_PROXY": ""]).proxy(for: URL(string: "https://a/")!) == nil)
    }
}

@Suite("A request's target, decided once per scheme://authority")
struct TransportTargetTests {
    @Test("the authority is the text before the path, query or fragment, and absent without a scheme")
    func authorityOfURLText() {
        #expect(CurlTransport.authority(of: "http://127.0.0.1:9000/store/auth/a%40b.co") == "http://127.0.0.1:9000")
        #expect(CurlTransport.authority(of: "https://user:pw@[::1]:8443?x=1") == "https://user:pw@[::1]:8443")
        #expect(CurlTransport.authority(of: "http://a.test#top") == "http://a.test")
        #expect(CurlTransport.authority(of: "http://a.test") == "http://a.test")
        #expect(CurlTransport.authority(of: "a.test:80/x") == nil)
    }

    /// A transport on a loop of its own, with the proxy variables of `environment` and a CA file.
    static func transport(environment: [String: String] = [:], caFile: String? = nil) -> CurlTransport {
        CurlTransport(
            loop: CurlLoop(maximumConnectionsPerOrigin: 1),
            settings: .init(maximumBodyBytes: 1024, caFile: caFile, proxy: ProxySettings(explicit: nil, environment: environment)))
    }

    @Test("URLs of one origin share a target; another host gets its own origin and proxy decision")
    func targetsPerAuthority() {
        let transport = Self.transport(environment: ["HTTPS_PROXY": "http://proxy:3128"])
        let first = transport.target(of: "http://store.test:9000/store/auth")!
        let second = transport.target(of: "http://store.test:9000/store/customers/me")!
        #expect(first.origin == "http://store.test:9000" && first.proxy == "" && !first.isHTTPS)
        #expect(second.origin == first.origin && second.proxy == first.proxy)
        let other = transport.target(of: "https://other.test/store/auth")!
        #expect(other.origin == "https://other.test:443" && other.proxy == "http://proxy:3128" && other.isHTTPS)
        // Easy handles are reused only between targets with the same proxy and CA file.
        #expect(first.handleKey == second.handleKey && first.handleKey != other.handleKey)
        // One admission queue per origin and one pool per set-up, whichever target reaches them.
        #expect(first.slots === second.slots && first.slots !== other.slots)
        #expect(first.handles === second.handles && first.handles !== other.handles)
        let again = transport.target(of: "http://store.test:9000/store/auth")!
        #expect(again.slots === first.slots && again.handles === first.handles)
        // Text that is not a URL has no target (the transport then refuses to send it).
        #expect(transport.target(of: "http://[::1") == nil)
        let withCA = Self.transport(caFile: "/tmp/ca.pem")
        #expect(withCA.target(of: "http://store.test:9000/")!.handleKey != first.handleKey)
        let withNoProxy = Self.transport(environment: ["NO_PROXY": "a.test"])
        #expect(withNoProxy.target(of: "http://store.test:9000/")!.handleKey != first.handleKey)
    }

    @Test("the last authority is matched by its bytes only when a path, query, fragment or the end follows")
    func lastAuthorityMatch() {
        let has = CurlTransport.text(_:hasAuthority:)
        #expect(has("http://a.test:9000/store/auth", "http://a.test:9000"))
        #expect(has("http://a.test:9000?x", "http://a.test:9000") && has("http://a.test:9000#f", "http://a.test:9000"))
        #expect(has("http://a.test:9000", "http://a.test:9000"))
        // A longer port or host, or a user part, is another authority.
        #expect(!has("http://a.test:90001/store", "http://a.test:9000"))
        #expect(!has("http://a.test.evil/store", "http://a.test"))
        #expect(!has("http://a.test@b.test/", "http://a.test"))
        #expect(!has("http://a.tes", "http://a.test") && !has("https://a.test/", "http://a.test"))
    }

    @Test("targets alternating between authorities each come back right, the last one and the others")
    func alternatingTargets() {
        let transport = Self.transport(environment: ["HTTPS_PROXY": "http://proxy:3128"])
        for _ in 0..<3 {
            let a = transport.target(of: "https://a.test/store/auth")!
            let b = transport.target(of: "http://a.test/store/auth")!
            let b2 = transport.target(of: "http://a.test:8443/store/auth")!
            #expect(a.origin == "https://a.test:443" && a.proxy == "http://proxy:3128" && a.isHTTPS)
            #expect(b.origin == "http://a.test:80" && b.proxy == "" && !b.isHTTPS)
            #expect(b2.origin == "http://a.test:8443" && b2.proxy == "")
        }
    }
}

@Suite("Header lists shared between transfers")
struct HeaderListCacheTests {
    /// What every list ends with: the codings libcurl decodes, and no `Expect: 100-continue` wait.
    private let engineLines = ["Accept-Encoding: \(HeaderList.acceptEncoding ?? "")", "Expect:"]

    /// The lines of a libcurl header list, in order.
    /// The list's lines; none for no list (a set `HeaderList` refused).
    private func lines(_ list: HeaderList?) -> [String] {
        var lines: [String] = []
        var node = list?.list
        while let current = node {
            lines.append(String(cString: current.pointee.data))
            node = current.pointee.next
        }
        return lines
    }

    @Test("equal header sets share one list, in order with `Name;` for empty values and no Expect wait")
    func sharedWhenEqual() {
        var cache = HeaderList.Cache()
        let headers: HTTPHeaders = ["Accept": "application/json", "X-Empty": ""]
        let first = cache.list(for: headers)
        #expect(cache.list(for: headers) === first)
        #expect(lines(first) == ["Accept: application/json", "X-Empty;"] + engineLines)
        // Names compare exactly here: another spelling is another list (libcurl sends it as written).
        let other = cache.list(for: ["accept": "application/json", "X-Empty": ""])
        #expect(other !== first && cache.count == 2)
    }

    @Test("a set naming its own Accept-Encoding, in any case, gets no second one")
    func ownAcceptEncoding() {
        var cache = HeaderList.Cache()
        #expect(HeaderList.acceptEncoding?.contains("gzip") == true)
        let list = cache.list(for: ["Accept": "application/json", "accept-ENCODING": "identity"])
        #expect(lines(list) == ["Accept: application/json", "accept-ENCODING: identity", "Expect:"])
    }

    @Test("sets asked for in turn each get their own list, however they alternate")
    func alternatingSets() {
        var cache = HeaderList.Cache()
        let a: HTTPHeaders = ["Accept": "application/json", "X-A": "1"]
        let b: HTTPHeaders = ["Accept": "application/json", "X-A": "2"]
        let personal: HTTPHeaders = ["Accept": "application/json", "X-A": "1", "Cookie": "sid=secret"]
        let listA = cache.list(for: a)
        for _ in 0..<3 {
            #expect(lines(cache.list(for: b)) == ["Accept: application/json", "X-A: 2"] + engineLines)
            #expect(cache.list(for: a) === listA)
            #expect(cache.list(for: a) === listA)
            // A set with a credential right after a kept one is built for itself and not kept.
            let withCookie = cache.list(for: personal)
            #expect(lines(withCookie) == ["Accept: application/json", "X-A: 1", "Cookie: sid=secret"] + engineLines)
            #expect(cache.list(for: personal) !== withCookie)
        }
        #expect(cache.count == 2)
    }

    @Test("a set carrying a cookie, a token or an idempotency key is never kept")
    func credentialsNotKept() {
        var cache = HeaderList.Cache()
        for personal in ["Cookie", "authorization", "Idempotency-Key"] {
            let headers: HTTPHeaders = ["Accept": "application/json", personal: "secret"]
            let first = cache.list(for: headers)
            #expect(lines(first) == ["Accept: application/json", "\(personal): secret"] + engineLines)
            #expect(cache.list(for: headers) !== first)
        }
        #expect(cache.count == 0)
    }

    @Test("the cache stays bounded, and a list outlives its eviction while a transfer holds it")
    func bounded() {
        var cache = HeaderList.Cache()
        let held = cache.list(for: ["X-N": "held"])
        for n in 0..<(HeaderList.Cache.capacity * 3) {
            _ = cache.list(for: ["X-N": "\(n)"])
            #expect(cache.count <= HeaderList.Cache.capacity)
        }
        #expect(lines(held) == ["X-N: held"] + engineLines)
    }

    @Test("a field whose name or value holds CR, LF or NUL gets no list, and nothing refused is kept")
    func injectionRefused() {
        var cache = HeaderList.Cache()
        for bad: HTTPHeaders in [
            ["Accept": "application/json", "Authorization": "Bearer abc\r\nX-Injected: yes"],
            ["Accept": "application/json", "X-A": "1\nX-Injected: yes"],
            ["Accept": "application/json", "X-A": "1\u{0}2"],
            ["Accept": "application/json", "X-A\r\nX-Injected": "1"],
        ] {
            #expect(cache.list(for: bad) == nil)
            #expect(HeaderList(bad) == nil)
        }
        #expect(cache.count == 0)
        // A tab is a field value's own whitespace (RFC 9110 §5.5), not an injection.
        #expect(lines(cache.list(for: ["X-A": "1\t2"])) == ["X-A: 1\t2"] + engineLines)
        let detail = HeaderList.unsendable(["Authorization": "Bearer abc\r\nX-Injected: yes"]).detail
        #expect(detail.contains("'Authorization'") && !detail.contains("abc") && !detail.contains("Injected"))
    }
}

@Suite("Proxy credentials")
struct ProxyCredentialsTests {
    @Test("a proxy's user, password and Basic credentials are listed, as written and percent-decoded")
    func credentials() {
        let settings = ProxySettings(explicit: nil, environment: ["http_proxy": "http://proxy%40user:pa%3Ass@127.0.0.1:1"])
        let credentials = Set(settings.credentials)
        for expected in [
            "proxy%40user", "proxy@user", "pa%3Ass", "pa:ss", Data("proxy@user:pa:ss".utf8).base64EncodedString(),
        ] {
            #expect(credentials.contains(expected))
        }
        #expect(ProxySettings(explicit: "http://127.0.0.1:1", environment: [:]).credentials.isEmpty)
    }
}
