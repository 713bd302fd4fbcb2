import FoundationEssentials
import Synchronization

/// Log levels of `--log-level`, least to most verbose.
public enum LogLevel: Int, Sendable, Comparable, CaseIterable {
    case error, warn, info, debug, trace

    public init?(name: String) {
        guard let level = Self.allCases.first(where: { "\($0)" == name }) else { return nil }
        self = level
    }

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Writes log lines to stderr, never stdout (stdout belongs to the protocol). Callers pass text that
/// holds no secret; message bodies go through `Redaction` first.
///
/// Every message is written as one line of printable text: its C0 controls (CR and LF among them),
/// DEL and C1 controls are escaped (`\n`, `\u{1B}`), so that no caller's or backend's text can end a
/// line early to forge another, or send a terminal escape sequence.
public final class Logger: Sendable {
    public let level: LogLevel
    private let descriptor: Int32
    private let lock = Mutex(())

    public init(level: LogLevel, descriptor: Int32 = 2) {
        self.level = level
        self.descriptor = descriptor
    }

    public func isEnabled(_ level: LogLevel) -> Bool { level <= self.level }

    public func log(_ level: LogLevel, _ message: @autoclosure () -> String) {
        guard isEnabled(level) else { return }
        let line = Array("medusa-auth-bridge [\(level)] \(Self.escapingControls(message()))\n".utf8)
        lock.withLock { _ in _ = FileDescriptorIO.writeAll(descriptor, line) }
    }

    /// `text` with every C0 control, DEL and C1 control escaped; itself when it holds none (a byte scan).
    static func escapingControls(_ text: String) -> String {
        var needsEscaping = false
        var previous: UInt8 = 0
        for byte in text.utf8 {
            // C1 controls (U+0080-U+009F) are 0xC2 0x80-0x9F in UTF-8.
            if byte < 0x20 || byte == 0x7F || (previous == 0xC2 && byte < 0xA0) {
                needsEscaping = true
                break
            }
            previous = byte
        }
        guard needsEscaping else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0A: result += "\\n"
            case 0x0D: result += "\\r"
            case 0x09: result += "\\t"
            case 0..<0x20, 0x7F..<0xA0: result += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    public func error(_ message: @autoclosure () -> String) { log(.error, message()) }
    public func warn(_ message: @autoclosure () -> String) { log(.warn, message()) }
    public func info(_ message: @autoclosure () -> String) { log(.info, message()) }
    public func debug(_ message: @autoclosure () -> String) { log(.debug, message()) }
    public func trace(_ message: @autoclosure () -> String) { log(.trace, message()) }
}
