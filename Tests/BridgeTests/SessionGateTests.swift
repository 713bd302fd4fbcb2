import Testing

@testable import Bridge

@Suite("Session gate")
struct SessionGateTests {
    @Test("shared calls are admitted together; an exclusive one only at the front")
    func admission() async {
        let gate = SessionGate()
        let read1 = gate.enter(SessionUse(session: "s", exclusive: false))
        let read2 = gate.enter(SessionUse(session: "s", exclusive: false))
        let write = gate.enter(SessionUse(session: "s", exclusive: true))
        #expect(await gate.wait(read1))
        #expect(await gate.wait(read2))
        gate.leave(read1)
        gate.leave(read2)
        #expect(await gate.wait(write))
        gate.leave(write)
        gate.leave(write)
        #expect(gate.depth(of: "s") == 0)
    }

    @Test("a cancelled waiter leaves the queue and lets the calls behind it run")
    func cancelledWaiter() async throws {
        let gate = SessionGate()
        let write = gate.enter(SessionUse(session: "s", exclusive: true))
        let blocked = gate.enter(SessionUse(session: "s", exclusive: true))
        let task = Task { await gate.wait(blocked) }
        task.cancel()
        #expect(await task.value == false)
        #expect(gate.depth(of: "s") == 1)
        gate.leave(write)
        #expect(gate.depth(of: "s") == 0)
    }
}
