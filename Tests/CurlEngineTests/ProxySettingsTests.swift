import Foundation
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

    @Test("URLs of one origin share a target; another host gets its own origin and proxy decision")
    func targetsPerAuthority() {
        let transport = CurlTransport(
            loop: CurlLoop(maximumConnectionsPerOrigin: 1),
            settings: .init(
                maximumBodyBytes: 1024,
                proxy: ProxySettings(explicit: nil, environment: ["HTTPS_PROXY": "http://proxy:3128"])))
        let first = transport.target(of: URL(string: "http://store.test:9000/store/auth")!)
        let second = transport.target(of: URL(string: "http://store.test:9000/store/customers/me")!)
        #expect(first.origin == "http://store.test:9000" && first.proxy == "" && !first.isHTTPS)
        #expect(second.origin == first.origin && second.proxy == first.proxy)
        let other = transport.target(of: URL(string: "https://other.test/store/auth")!)
        #expect(other.origin == "https://other.test:443" && other.proxy == "http://proxy:3128" && other.isHTTPS)
    }
}
