import JSON
import JSONRPC
import Testing

@testable import Bridge

/// `SessionLine` is a pure value; these drive it step by step (results are taken before `#expect`,
/// which cannot call mutating members).
@Suite("Session line")
struct SessionLineTests {
    @Test("shared calls are admitted together; an exclusive one waits for them and holds back later ones")
    func admission() {
        var line = SessionLine()
        let arrivals = [
            line.arrive(1, exclusive: false), line.arrive(2, exclusive: false), line.arrive(3, exclusive: true),
            line.arrive(4, exclusive: false),
        ]
        #expect(arrivals == [true, true, false, false])
        let afterFirst = line.leave(exclusive: false)
        let afterSecond = line.leave(exclusive: false)
        let afterExclusive = line.leave(exclusive: true)
        let afterLast = line.leave(exclusive: false)
        #expect(afterFirst == [] && afterSecond == [3] && afterExclusive == [4] && afterLast == [])
        #expect(line.isIdle)
    }

    @Test("a shared call arriving behind a waiting exclusive one waits too, so the client's order holds")
    func noOvertaking() {
        var line = SessionLine()
        let arrivals = [line.arrive(1, exclusive: false), line.arrive(2, exclusive: true), line.arrive(3, exclusive: false)]
        #expect(arrivals == [true, false, false])
        #expect(line.waitingCount == 2)
    }

    @Test("a withdrawn waiter leaves the line and admits the shared calls behind it")
    func withdraw() {
        var line = SessionLine()
        let arrivals = [
            line.arrive(1, exclusive: false), line.arrive(2, exclusive: true), line.arrive(3, exclusive: false),
            line.arrive(4, exclusive: false),
        ]
        #expect(arrivals == [true, false, false, false])
        let (found, admitted) = line.withdraw(2)
        #expect(found && admitted == [3, 4])
        let again = line.withdraw(2)
        #expect(!again.found)
        for _ in 1...3 { _ = line.leave(exclusive: false) }
        #expect(line.isIdle)
    }
}

@Suite("Request path: calls by id")
struct CallsByIDTests {
    @Test("calls sharing an id are all found, oldest first, and each leaves the index alone")
    func duplicateIDs() {
        var state = RequestPathState()
        let id = RequestID.number(JSONNumber(7))
        state.index(id, 1)
        state.index(id, 2)
        state.index(id, 3)
        state.index(.string("other"), 4)
        state.index(nil, 5)
        #expect(state.serials(for: id) == [1, 2, 3] && state.serials(for: .string("other")) == [4])
        state.unindex(id, 2)
        #expect(state.serials(for: id) == [1, 3])
        state.unindex(id, 1)
        #expect(state.serials(for: id) == [3])
        state.unindex(id, 3)
        state.unindex(.string("other"), 4)
        #expect(state.serials(for: id).isEmpty && state.byID.isEmpty && state.duplicateIDs.isEmpty)
    }
}
