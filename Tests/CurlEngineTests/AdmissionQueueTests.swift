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
        let admitted = (0..<5).map { queue.admit(Item("\($0)"), origin: "http://a:80") }
        #expect(admitted == [true, true, false, false, false])
        let other = queue.admit(Item("other"), origin: "http://b:80")
        #expect(other)
        #expect(queue.waitingCount(origin: "http://a:80") == 3)
        let handedOn = (0..<5).map { _ in queue.release(origin: "http://a:80")?.name }
        #expect(handedOn == ["2", "3", "4", nil, nil])
        let again = queue.admit(Item("again"), origin: "http://a:80")
        #expect(again)
    }

    @Test("an origin that answered over HTTP/2 admits as many transfers as its connections can multiplex")
    func multiplexing() {
        var queue = AdmissionQueue<Item>(connectionLimit: 1)
        let first = queue.admit(Item("first"), origin: "https://a:443")
        let second = queue.admit(Item("second"), origin: "https://a:443")
        let next = queue.release(origin: "https://a:443", multiplexes: true)?.name
        #expect(first && !second && next == "second")
        let more = (0..<AdmissionQueue<Item>.streamsPerConnection - 1).map { _ in queue.admit(Item("x"), origin: "https://a:443") }
        let over = queue.admit(Item("over"), origin: "https://a:443")
        #expect(more.allSatisfy { $0 } && !over)
    }

    @Test("the queue keeps no reference to an item once it has handed it on")
    func handedOnItemsAreLetGo() {
        var queue = AdmissionQueue<Item>(connectionLimit: 1)
        let running = queue.admit(Item("running"), origin: "http://a:80")
        weak var first: Item?
        var queued: [Bool] = []
        do {
            let waiting = [Item("first"), Item("second")]
            first = waiting[0]
            for item in waiting { queued.append(queue.admit(item, origin: "http://a:80")) }
        }
        let handedOn = queue.release(origin: "http://a:80")?.name
        #expect(running && queued == [false, false] && handedOn == "first")
        // "second" still waits, so the queue's storage is not emptied yet.
        #expect(first == nil && queue.waitingCount(origin: "http://a:80") == 1)
    }
}
