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
        let line = Array("medusa-auth-bridge [\(level)] \(message())\n".utf8)
        lock.withLock { _ in _ = FileDescriptorIO.writeAll(descriptor, line) }
    }

    public func error(_ message: @autoclosure () -> String) { log(.error, message()) }
    public func warn(_ message: @autoclosure () -> String) { log(.warn, message()) }
    public func info(_ message: @autoclosure () -> String) { log(.info, message()) }
    public func debug(_ message: @autoclosure () -> String) { log(.debug, message()) }
    public func trace(_ message: @autoclosure () -> String) { log(.trace, message()) }
}
