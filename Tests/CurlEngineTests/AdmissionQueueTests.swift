import Testing

@testable import CurlEngine

@Suite("Admission of one origin")
struct AdmissionQueueTests {
    final class Item {
        let name: String
        init(_ name: String) { self.name = name }
    }

    @Test("at most the limit start; the rest wait in order and take the slots as they free up")
    func limitAndOrder() {
        var queue = AdmissionQueue<Item>(connectionLimit: 2)
        let admitted = (0..<5).map { queue.admit(Item("\($0)")) }
        #expect(admitted == [true, true, false, false, false])
        #expect(queue.waitingCount == 3)
        let handedOn = (0..<5).map { _ in queue.release()?.name }
        #expect(handedOn == ["2", "3", "4", nil, nil])
        let again = queue.admit(Item("again"))
        #expect(again)
    }

    @Test("an origin that answered over HTTP/2 admits as many transfers as its connections can multiplex")
    func multiplexing() {
        var queue = AdmissionQueue<Item>(connectionLimit: 1)
        let first = queue.admit(Item("first"))
        let second = queue.admit(Item("second"))
        let next = queue.release(multiplexes: true)?.name
        #expect(first && !second && next == "second")
        let more = (0..<AdmissionQueue<Item>.streamsPerConnection - 1).map { _ in queue.admit(Item("x")) }
        let over = queue.admit(Item("over"))
        #expect(more.allSatisfy { $0 } && !over)
    }

    @Test("the queue keeps no reference to an item once it has handed it on")
    func handedOnItemsAreLetGo() {
        var queue = AdmissionQueue<Item>(connectionLimit: 1)
        let running = queue.admit(Item("running"))
        weak var first: Item?
        var queued: [Bool] = []
        do {
            let waiting = [Item("first"), Item("second")]
            first = waiting[0]
            for item in waiting { queued.append(queue.admit(item)) }
        }
        let handedOn = queue.release()?.name
        #expect(running && queued == [false, false] && handedOn == "first")
        // "second" still waits, so the queue's storage is not emptied yet.
        #expect(first == nil && queue.waitingCount == 1)
    }
}
