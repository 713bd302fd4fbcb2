import Testing

@testable import CurlEngine

@Suite("Admission per origin")
struct AdmissionQueueTests {
    final class Item {
        let name: String
        init(_ name: String) { self.name = name }
    }

    @Test("at most the limit start per origin; the rest wait in order and take the slots as they free up")
    func limitAndOrder() {
        var queue = AdmissionQueue<Item>(connectionLimit: 2)
        let items = (0..<5).map { Item("\($0)") }
        let admitted = items.map { queue.admit($0, origin: "http://a:80") }
        #expect(admitted == [true, true, false, false, false])
        #expect(queue.admit(Item("other"), origin: "http://b:80"))
        #expect(queue.waitingCount(origin: "http://a:80") == 3)
        #expect(queue.release(origin: "http://a:80")?.name == "2")
        #expect(queue.release(origin: "http://a:80")?.name == "3")
        #expect(queue.release(origin: "http://a:80")?.name == "4")
        #expect(queue.release(origin: "http://a:80") == nil)
        #expect(queue.release(origin: "http://a:80") == nil)
        #expect(queue.admit(Item("again"), origin: "http://a:80"))
    }

    @Test("an origin that answered over HTTP/2 admits as many transfers as its connections can multiplex")
    func multiplexing() {
        var queue = AdmissionQueue<Item>(connectionLimit: 1)
        #expect(queue.admit(Item("first"), origin: "https://a:443"))
        #expect(!queue.admit(Item("second"), origin: "https://a:443"))
        #expect(queue.release(origin: "https://a:443", multiplexes: true)?.name == "second")
        let more = (0..<AdmissionQueue<Item>.streamsPerConnection - 1).map { _ in queue.admit(Item("x"), origin: "https://a:443") }
        #expect(more.allSatisfy { $0 })
        #expect(!queue.admit(Item("over"), origin: "https://a:443"))
    }
}
