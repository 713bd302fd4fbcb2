import Foundation
import Testing

@testable import MedusaStore

@Suite("Cookies")
struct CookieJarTests {
    let origin = URL(string: "http://127.0.0.1:9000/store/auth")!
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    private func cookies(_ headers: String...) -> [SetCookie] { headers.compactMap(SetCookie.init) }

    @Test("express-session's Set-Cookie parses with its Expires date, Path and HttpOnly")
    func parsesExpressSessionCookie() throws {
        let cookie = try #require(SetCookie("connect.sid=s%3Aabc.def; Path=/; Expires=Thu, 15 Jan 2027 20:00:00 GMT; HttpOnly"))
        #expect(cookie.name == "connect.sid")
        #expect(cookie.value == "s%3Aabc.def")
        #expect(cookie.path == "/")
        #expect(cookie.httpOnly)
        #expect(!cookie.secure)
        #expect(cookie.expires == Date(timeIntervalSince1970: 1_800_043_200))
    }

    @Test("a cookie whose name or value holds a control character is refused (RFC 6265 §4.1.1)")
    func controlCharactersRefused() {
        #expect(SetCookie("a=1\u{0}2") == nil)
        #expect(SetCookie("a\tb=1") == nil)
        #expect(SetCookie("a=1\u{7F}") == nil)
        #expect(SetCookie("a=1\r\nX-Injected: yes") == nil)
        #expect(SetCookie("a=1; Path=/")?.value == "1")
    }

    @Test("a session keeps at most 180 cookies: past that the expired go first, then the oldest")
    func boundedJar() throws {
        let url = try #require(URL(string: "http://shop.test/store/auth"))
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        var jar = CookieJar()
        jar.store([try #require(SetCookie("stale=1; Path=/; Max-Age=10"))], from: url, now: now)
        jar.store((1...CookieJar.maximumCookies).map { SetCookie("c\($0)=v; Path=/")! }, from: url, now: now.addingTimeInterval(60))
        var sent = try #require(jar.header(for: url, now: now.addingTimeInterval(60)))
        #expect(!sent.contains("stale=") && sent.contains("c1=v") && sent.split(separator: ";").count == CookieJar.maximumCookies)
        jar.store([try #require(SetCookie("newest=v; Path=/"))], from: url, now: now.addingTimeInterval(60))
        sent = try #require(jar.header(for: url, now: now.addingTimeInterval(60)))
        #expect(!sent.contains("c1=v") && sent.contains("c2=v") && sent.contains("newest=v"))
        #expect(sent.split(separator: ";").count == CookieJar.maximumCookies)
    }

    @Test("a cookie whose name and value exceed 4096 bytes together is ignored (RFC 6265bis §5.7)")
    func oversizedCookieIgnored() {
        #expect(SetCookie("a=" + String(repeating: "v", count: 4095))?.value.count == 4095)
        #expect(SetCookie("a=" + String(repeating: "v", count: 4096)) == nil)
    }

    @Test("HTTP dates in the three RFC 9110 forms parse; nonsense does not")
    func httpDates() {
        let expected = Date(timeIntervalSince1970: 784_111_777)
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT") == expected)
        #expect(HTTPDate.parse("Sunday, 06-Nov-94 08:49:37 GMT") == expected)
        #expect(HTTPDate.parse("Sun Nov  6 08:49:37 1994") == expected)
        #expect(HTTPDate.parse("tomorrow") == nil)
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 25:49:37 GMT") == nil)
    }

    @Test("a stored cookie goes back to its origin only, never to another host, port or scheme")
    func originOnly() {
        var jar = CookieJar()
        jar.store(cookies("sid=1; Path=/"), from: origin, now: now)
        #expect(jar.header(for: origin, now: now) == "sid=1")
        #expect(jar.header(for: URL(string: "http://127.0.0.1:9001/store/auth")!, now: now) == nil)
        #expect(jar.header(for: URL(string: "http://localhost:9000/store/auth")!, now: now) == nil)
        #expect(jar.header(for: URL(string: "https://127.0.0.1:9000/store/auth")!, now: now) == nil)
    }

    @Test("a Domain attribute never widens a cookie to other hosts, and a foreign Domain is refused")
    func domainAttribute() {
        var jar = CookieJar()
        let shop = URL(string: "http://shop.example.com/store/auth")!
        jar.store(cookies("a=1; Domain=example.com", "b=2; Domain=other.com"), from: shop, now: now)
        #expect(jar.header(for: shop, now: now) == "a=1")
        #expect(jar.header(for: URL(string: "http://api.example.com/store/auth")!, now: now) == nil)
    }

    @Test("Path is honoured, with the RFC 6265 default path and longer paths first")
    func paths() {
        var jar = CookieJar()
        jar.store(cookies("root=1; Path=/", "store=2; Path=/store", "auth=3"), from: origin, now: now)
        #expect(jar.header(for: origin, now: now) == "store=2; auth=3; root=1")
        #expect(jar.header(for: URL(string: "http://127.0.0.1:9000/storefront")!, now: now) == "root=1")
        #expect(jar.header(for: URL(string: "http://127.0.0.1:9000/admin")!, now: now) == "root=1")
    }

    @Test("a Secure cookie is neither accepted over plain HTTP nor ever sent over it")
    func secureCookies() {
        var jar = CookieJar()
        jar.store(cookies("s=1; Secure"), from: origin, now: now)
        #expect(!jar.hasCookies(now: now))
        let https = URL(string: "https://127.0.0.1:9443/store/auth")!
        jar.store(cookies("s=1; Secure; Path=/"), from: https, now: now)
        #expect(jar.header(for: https, now: now) == "s=1")
        #expect(jar.header(for: URL(string: "http://127.0.0.1:9443/store/auth")!, now: now) == nil)
    }

    @Test("Max-Age and Expires end a cookie; Max-Age wins; zero or a past date deletes it")
    func expiry() {
        var jar = CookieJar()
        jar.store(cookies("a=1; Max-Age=60", "b=2; Expires=Sun, 06 Nov 1994 08:49:37 GMT; Max-Age=60", "c=3"), from: origin, now: now)
        #expect(jar.header(for: origin, now: now) == "a=1; b=2; c=3")
        #expect(jar.header(for: origin, now: now.addingTimeInterval(61)) == "c=3")
        jar.store(cookies("c=3; Max-Age=0"), from: origin, now: now)
        jar.store(cookies("a=1; Expires=Sun, 06 Nov 1994 08:49:37 GMT"), from: origin, now: now)
        #expect(jar.header(for: origin, now: now) == "b=2")
    }

    @Test("a cookie set again replaces the old value in place")
    func replacement() {
        var jar = CookieJar()
        jar.store(cookies("a=1", "b=2"), from: origin, now: now)
        jar.store(cookies("a=9"), from: origin, now: now)
        #expect(jar.header(for: origin, now: now) == "a=9; b=2")
    }

    @Test("headers without a name=value pair are ignored")
    func malformedCookies() {
        #expect(SetCookie("novalue") == nil)
        #expect(SetCookie("=v") == nil)
        #expect(SetCookie("a=") != nil)
    }
}
