import Foundation
import Testing

@testable import MedusaStore

@Suite("HTTP/1.1 parsing for the socket transport")
struct HTTP1ParsingTests {
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test("a head ends at the first blank line, with CRLF or bare LF")
    func headEnd() {
        #expect(HTTP1.headEnd(in: bytes("HTTP/1.1 200 OK\r\nA: 1\r\n\r\nbody"), from: 0) == 25)
        #expect(HTTP1.headEnd(in: bytes("HTTP/1.1 200 OK\nA: 1\n\nbody"), from: 0) == 22)
        #expect(HTTP1.headEnd(in: bytes("HTTP/1.1 200 OK\r\nA: 1\r\n"), from: 0) == nil)
    }

    @Test("status, version and every field are read, repeated Set-Cookie fields kept apart")
    func parsesHead() throws {
        let head = try #require(
            HTTP1.parseHead(
                bytes(
                    "HTTP/1.1 401 Unauthorized\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2; Expires=Thu, 01 Jan 2037 00:00:00 GMT\r\nX:  v \r\n\r\n"
                )[...]))
        #expect(head.status == 401 && head.version == "HTTP/1.1")
        #expect(head.headers.values(for: "set-cookie") == ["a=1", "b=2; Expires=Thu, 01 Jan 2037 00:00:00 GMT"])
        #expect(head.headers["x"] == "v")
    }

    @Test(
        "garbage is not a head",
        arguments: ["garbage\r\n\r\n", "HTTP/1.1 abc OK\r\n\r\n", "HTTP/2 200\r\n\r\n", "HTTP/1.1 200 OK\r\nno colon\r\n\r\n"])
    func rejectsGarbage(text: String) {
        #expect(HTTP1.parseHead(Array(text.utf8)[...]) == nil)
    }

    @Test("the body is framed by status, Transfer-Encoding, Content-Length, or the end of the connection")
    func framing() {
        func head(_ status: Int, _ fields: HTTPHeaders) -> HTTP1.Head { HTTP1.Head(version: "HTTP/1.1", status: status, headers: fields) }
        #expect(head(204, ["Content-Length": "5"]).framing == .none)
        #expect(head(304, [:]).framing == .none)
        #expect(head(200, ["Transfer-Encoding": "chunked", "Content-Length": "5"]).framing == .chunked)
        #expect(head(200, ["Content-Length": "12"]).framing == .length(12))
        #expect(head(200, ["Content-Length": "7, 7"]).framing == .length(7))
        #expect(head(200, ["Content-Length": "7, 8"]).framing == .untilClose)
        #expect(head(200, [:]).framing == .untilClose)
    }

    @Test("HTTP/1.1 keeps the connection unless told to close; HTTP/1.0 only when asked")
    func keepAlive() {
        #expect(HTTP1.Head(version: "HTTP/1.1", status: 200, headers: [:]).keepsAlive)
        #expect(!HTTP1.Head(version: "HTTP/1.1", status: 200, headers: ["Connection": "close"]).keepsAlive)
        #expect(!HTTP1.Head(version: "HTTP/1.0", status: 200, headers: [:]).keepsAlive)
        #expect(HTTP1.Head(version: "HTTP/1.0", status: 200, headers: ["Connection": "Keep-Alive"]).keepsAlive)
    }

    @Test("chunked bodies decode across any split, with extensions and trailers, and stop at the end")
    func chunked() throws {
        let message = bytes("4;ext=1\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nTrailer: x\r\n\r\nNEXT")
        for split in [1, 3, 7, message.count] {
            var decoder = HTTP1.ChunkedDecoder()
            var body: [UInt8] = []
            var end = 0
            var start = 0
            while start < message.count && decoder.state != .done {
                let piece = Array(message[..<min(start + split, message.count)])
                end = try decoder.feed(piece, from: start, into: &body)
                start = end
            }
            #expect(String(decoding: body, as: UTF8.self) == "Wikipedia in\r\n\r\nchunks.")
            #expect(decoder.state == .done)
            #expect(Array(message[end...]) == bytes("NEXT"))
        }
    }

    @Test("a malformed chunk size is an error")
    func malformedChunk() {
        var decoder = HTTP1.ChunkedDecoder()
        var body: [UInt8] = []
        #expect(throws: HTTP1.ChunkedDecoder.Malformed.self) { try decoder.feed(Array("zz\r\n".utf8), from: 0, into: &body) }
    }

    @Test("requests carry Host, the encoded path and query, and Content-Length exactly when there is a body")
    func serializes() throws {
        let url = try #require(URL(string: "http://127.0.0.1:9000/prefix/store/auth/a%2Fb@x.io?q=1"))
        let target = try #require(Target(url))
        #expect(target.requestTarget == "/prefix/store/auth/a%2Fb@x.io?q=1")
        #expect(target.hostHeader == "127.0.0.1:9000")
        let get = HTTPRequest(method: "GET", url: url, headers: ["Accept": "application/json"], body: nil, timeout: .seconds(1))
        #expect(
            String(decoding: SocketHTTPTransport.serialize(get, target), as: UTF8.self)
                == "GET /prefix/store/auth/a%2Fb@x.io?q=1 HTTP/1.1\r\nHost: 127.0.0.1:9000\r\nAccept: application/json\r\n\r\n")
        let post = HTTPRequest(method: "POST", url: url, headers: ["host": "shop.test"], body: Array("{}".utf8), timeout: .seconds(1))
        #expect(
            String(decoding: SocketHTTPTransport.serialize(post, target), as: UTF8.self)
                == "POST /prefix/store/auth/a%2Fb@x.io?q=1 HTTP/1.1\r\nhost: shop.test\r\nContent-Length: 2\r\n\r\n{}")
        #expect(Target(try #require(URL(string: "https://x/"))) == nil)
        #expect(try #require(Target(try #require(URL(string: "http://[::1]/"))))?.hostHeader == "[::1]")
    }
}
