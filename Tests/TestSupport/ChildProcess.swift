import Foundation
import Synchronization

#if canImport(Glibc)
    @preconcurrency import Glibc
#endif

/// A child process with piped stdin, stdout and stderr, for end-to-end tests.
///
/// stdout is split into lines (on `\n` only) by a reader thread into an `Inbox`, stderr is drained into
/// memory by another (so the child can never stall on a full pipe), and `stop()` always ends the child:
/// every test that starts one stops it.
public final class ChildProcess: Sendable {
    public let process: Process
    private let stdinHandle: FileHandle
    /// Complete stdout lines, without their `\n`.
    public let lines = Inbox<[UInt8]>()
    private let stdoutBytes = Mutex<[UInt8]>([])
    private let stderrBytes = Mutex<[UInt8]>([])
    private let exitStatus = Inbox<Int32>()
    private let stdoutClosed = Inbox<Bool>()
    private let stderrClosed = Inbox<Bool>()

    /// - Parameter closeStdoutReader: close our end of the child's stdout at once, so that its first
    ///   write fails with EPIPE (a client that went away).
    public init(_ executable: URL, _ arguments: [String], environment: [String: String]? = nil, closeStdoutReader: Bool = false) throws {
        // A write to a child that already exited must fail with EPIPE, not kill the test runner.
        Glibc.signal(SIGPIPE, SIG_IGN)
        process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        stdinHandle = input.fileHandleForWriting
        let exitStatus = self.exitStatus
        process.terminationHandler = { exitStatus.put($0.terminationStatus) }
        try process.run()
        let outFD = output.fileHandleForReading.fileDescriptor
        if closeStdoutReader {
            try output.fileHandleForReading.close()
            stdoutClosed.put(true)
        } else {
            startStdoutReader(outFD)
        }
        let errFD = errors.fileHandleForReading.fileDescriptor
        Thread.detachNewThread { [self] in
            ChildProcess.drain(errFD) { chunk in self.stderrBytes.withLock { $0.append(contentsOf: chunk) } }
            self.stderrClosed.put(true)
        }
    }

    private func startStdoutReader(_ outFD: Int32) {
        Thread.detachNewThread { [self] in
            var pending: [UInt8] = []
            ChildProcess.drain(outFD) { chunk in
                self.stdoutBytes.withLock { $0.append(contentsOf: chunk) }
                for byte in chunk {
                    if byte == 0x0A {
                        lines.put(pending)
                        pending = []
                    } else {
                        pending.append(byte)
                    }
                }
            }
            if !pending.isEmpty { lines.put(pending) }
            stdoutClosed.put(true)
        }
    }

    private static func drain(_ descriptor: Int32, _ handle: ([UInt8]) -> Void) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return }
            handle(Array(buffer[0..<count]))
        }
    }

    /// Writes bytes to the child's stdin; false when the pipe is closed.
    @discardableResult
    public func write(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            let descriptor = stdinHandle.fileDescriptor
            while offset < buffer.count {
                let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += written
            }
            return true
        }
    }

    @discardableResult
    public func write(_ text: String) -> Bool { write(Array(text.utf8)) }

    public func closeStdin() { try? stdinHandle.close() }

    /// The next stdout line as text.
    public func nextLine(_ what: String) async throws -> String {
        String(decoding: try await lines.next(what), as: UTF8.self)
    }

    /// The exit status, waiting at most `eventTimeout`.
    public func waitForExit() async throws -> Int32 {
        let status = try await exitStatus.next("the process to exit")
        exitStatus.put(status)
        return status
    }

    /// Waits until the child has closed its stdout (all its output is in `stdoutText`).
    public func waitForStdoutClosed() async throws {
        _ = try await stdoutClosed.next("stdout to close")
        stdoutClosed.put(true)
    }

    /// Waits until the child has closed its stderr (all its log is in `stderrText`).
    public func waitForStderrClosed() async throws {
        _ = try await stderrClosed.next("stderr to close")
        stderrClosed.put(true)
    }

    public var stdoutText: String { String(decoding: stdoutBytes.withLock { $0 }, as: UTF8.self) }
    public var stdoutData: [UInt8] { stdoutBytes.withLock { $0 } }
    public var stderrText: String { String(decoding: stderrBytes.withLock { $0 }, as: UTF8.self) }

    public func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Ends the child: closes stdin, then SIGKILL if it is still running; waits for it to be reaped.
    public func stop() {
        closeStdin()
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
