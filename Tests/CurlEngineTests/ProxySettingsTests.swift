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
