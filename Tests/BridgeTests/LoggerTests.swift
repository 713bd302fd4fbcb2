import Testing

@testable import Bridge

@Suite("Log lines")
struct LoggerTests {
    @Test("C0 controls, DEL and C1 controls are escaped, so a message stays one line of printable text")
    func controlsEscaped() {
        #expect(
            Logger.escapingControls("a\nb\r\t\u{1B}[2J\u{0}\u{7F}\u{85}\u{9F} ü €")
                == #"a\nb\r\t\u{1B}[2J\u{0}\u{7F}\u{85}\u{9F} ü €"#)
    }

    @Test("a message without controls is written as it is")
    func plainUnchanged() {
        #expect(Logger.escapingControls("client \"x\" initialized ü") == "client \"x\" initialized ü")
    }
}
