import Foundation
import Synchronization

#if canImport(Glibc)
    @preconcurrency import Glibc
#endif

/// One open TCP connection and the bytes read from it but not used yet. Owned by one exchange at a
/// time: taken from the pool (or opened), used, then returned to the pool or closed.
struct Connection: Sendable {
    let descriptor: Int32
    var buffer: [UInt8] = []
    var readIndex = 0

    func close() { _ = Glibc.close(descriptor) }

    /// Resolves and connects, trying each address in turn, within the deadline.
    static func open(_ target: Target, deadline: ContinuousClock.Instant, exchange: Exchange) -> Result<Connection, TransportError> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(target.host, String(target.port), &hints, &list)
        guard status == 0, let first = list else {
            return .failure(TransportError(.dns, "cannot resolve the host (\(String(cString: gai_strerror(status))))"))
        }
        defer { freeaddrinfo(list) }
        var lastError = TransportError(.refused, "no address to connect to")
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let address = entry {
            entry = address.pointee.ai_next
            let descriptor = socket(
                address.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard descriptor >= 0 else { continue }
            var one: Int32 = 1
            setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            guard exchange.attach(descriptor) else {
                _ = Glibc.close(descriptor)
                return .failure(TransportError(.cancelled, "cancelled"))
            }
            defer { exchange.detach() }
            if connect(descriptor, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 {
                return .success(Connection(descriptor: descriptor))
            }
            if errno == EINPROGRESS {
                switch Exchange.wait(descriptor, for: Int16(POLLOUT), until: deadline) {
                case .ready:
                    var error: Int32 = 0
                    var length = socklen_t(MemoryLayout<Int32>.size)
                    getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &error, &length)
                    if error == 0 { return .success(Connection(descriptor: descriptor)) }
                    lastError = Self.connectError(error)
                case .timedOut:
                    _ = Glibc.close(descriptor)
                    return .failure(TransportError(.timeout, "no connection before the attempt's deadline"))
                }
            } else {
                lastError = Self.connectError(errno)
            }
            _ = Glibc.close(descriptor)
        }
        return .failure(lastError)
    }

    static func connectError(_ code: Int32) -> TransportError {
        code == ECONNREFUSED
            ? TransportError(.refused, "connection refused")
            : TransportError(.other, "connect failed: \(String(cString: strerror(code)))")
    }
}

/// The state of one request that its cancellation handler can reach: the socket in use, so that
/// cancelling can shut it down and wake the thread blocked in `poll`.
final class Exchange: Sendable {
    let deadline: ContinuousClock.Instant
    private let state = Mutex<(descriptor: Int32?, cancelled: Bool)>((nil, false))

    init(deadline: ContinuousClock.Instant) { self.deadline = deadline }

    var isCancelled: Bool { state.withLock { $0.cancelled } }

    /// Makes `descriptor` the one to shut down on cancellation; false when already cancelled.
    func attach(_ descriptor: Int32) -> Bool {
        state.withLock { state in
            guard !state.cancelled else { return false }
            state.descriptor = descriptor
            return true
        }
    }

    func detach() { state.withLock { $0.descriptor = nil } }

    func cancel() {
        state.withLock { state in
            state.cancelled = true
            if let descriptor = state.descriptor { shutdown(descriptor, Int32(SHUT_RDWR)) }
        }
    }

    /// Why an exchange failed, and whether the server had sent anything of its answer (only then is
    /// a failure on a reused connection not a stale connection).
    struct Failure: Error {
        var error: TransportError
        var beforeAnswer: Bool
    }

    enum Readiness { case ready, timedOut }

    /// Waits until the socket is ready for `events` or the deadline passes.
    static func wait(_ descriptor: Int32, for events: Int16, until deadline: ContinuousClock.Instant) -> Readiness {
        while true {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { return .timedOut }
            let milliseconds = Int32(
                min(Double(remaining.components.seconds) * 1000 + Double(remaining.components.attoseconds) / 1e15 + 1, 2_000_000_000))
            var entry = pollfd(fd: descriptor, events: events, revents: 0)
            let count = poll(&entry, 1, milliseconds)
            if count > 0 { return .ready }
            if count < 0 && errno != EINTR { return .ready }  // let the next read or write report it
        }
    }

    /// Writes the request and reads one response; returns it and whether the connection stays usable.
    func run(_ connection: inout Connection, _ message: [UInt8], maximumBodyBytes: Int) -> Result<(HTTPResponse, Bool), Failure> {
        do throws(Failure) {
            try write(connection.descriptor, message)
            var head: HTTP1.Head
            repeat {
                head = try readHead(&connection)
            } while (100..<200).contains(head.status) && head.status != 101
            var response = HTTPResponse(status: head.status, headers: head.headers)
            var keepAlive = head.keepsAlive
            switch head.framing {
            case .none:
                break
            case .length(let length):
                let wanted = min(length, maximumBodyBytes)
                while connection.buffer.count - connection.readIndex < wanted {
                    guard try fill(&connection) else { throw Failure(error: closedEarly, beforeAnswer: false) }
                }
                response.body = Array(connection.buffer[connection.readIndex..<(connection.readIndex + wanted)])
                connection.readIndex += wanted
                if length > maximumBodyBytes {
                    response.bodyTruncated = true
                    keepAlive = false
                }
            case .chunked:
                var decoder = HTTP1.ChunkedDecoder()
                while decoder.state != .done {
                    do {
                        connection.readIndex = try decoder.feed(connection.buffer, from: connection.readIndex, into: &response.body)
                    } catch {
                        throw Failure(error: TransportError(.other, "malformed chunked body"), beforeAnswer: false)
                    }
                    if response.body.count > maximumBodyBytes {
                        response.body.removeLast(response.body.count - maximumBodyBytes)
                        response.bodyTruncated = true
                        keepAlive = false
                        break
                    }
                    if decoder.state != .done, !(try fill(&connection)) {
                        throw Failure(error: closedEarly, beforeAnswer: false)
                    }
                }
            case .untilClose:
                keepAlive = false
                while try fill(&connection) {
                    if connection.buffer.count - connection.readIndex > maximumBodyBytes {
                        response.bodyTruncated = true
                        break
                    }
                }
                let end = min(connection.buffer.count, connection.readIndex + maximumBodyBytes)
                response.body = Array(connection.buffer[connection.readIndex..<end])
            }
            compact(&connection)
            return .success((response, keepAlive))
        } catch {
            return .failure(error)
        }
    }

    private var closedEarly: TransportError { TransportError(.other, "the connection closed before a complete answer") }

    private func write(_ descriptor: Int32, _ bytes: [UInt8]) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if written > 0 {
                offset += written
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                if Self.wait(descriptor, for: Int16(POLLOUT), until: deadline) == .timedOut {
                    throw Failure(
                        error: TransportError(.timeout, "the request was not sent before the attempt's deadline"), beforeAnswer: true)
                }
            } else if errno != EINTR {
                throw Failure(error: TransportError(.other, "sending failed: \(String(cString: strerror(errno)))"), beforeAnswer: true)
            }
        }
    }

    private func readHead(_ connection: inout Connection) throws(Failure) -> HTTP1.Head {
        var answered = connection.buffer.count > connection.readIndex
        while true {
            if let end = HTTP1.headEnd(in: connection.buffer, from: connection.readIndex) {
                guard let head = HTTP1.parseHead(connection.buffer[connection.readIndex..<end]) else {
                    throw Failure(error: TransportError(.other, "malformed HTTP response head"), beforeAnswer: false)
                }
                connection.readIndex = end
                return head
            }
            guard connection.buffer.count - connection.readIndex <= HTTP1.maximumHeadBytes else {
                throw Failure(
                    error: TransportError(.other, "HTTP response head longer than \(HTTP1.maximumHeadBytes) bytes"), beforeAnswer: false)
            }
            let more: Bool
            do throws(Failure) {
                more = try fill(&connection)
            } catch {
                throw Failure(error: error.error, beforeAnswer: !answered)
            }
            guard more else { throw Failure(error: closedEarly, beforeAnswer: !answered) }
            answered = true
        }
    }

    /// Reads what is available into the connection's buffer; false at end of stream.
    private func fill(_ connection: inout Connection) throws(Failure) -> Bool {
        compact(&connection)
        let chunk = 64 * 1024
        while true {
            let (count, code) = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: chunk) { scratch in
                let count = recv(connection.descriptor, scratch.baseAddress, chunk, 0)
                let code = errno
                if count > 0 { connection.buffer.append(contentsOf: scratch[0..<count]) }
                return (count, code)
            }
            if count > 0 { return true }
            if count == 0 { return false }
            if code == EAGAIN || code == EWOULDBLOCK {
                if Self.wait(connection.descriptor, for: Int16(POLLIN), until: deadline) == .timedOut {
                    throw Failure(error: TransportError(.timeout, "no complete answer before the attempt's deadline"), beforeAnswer: false)
                }
            } else if code != EINTR {
                let reason = code == ECONNRESET ? "the connection was reset" : "receiving failed: \(String(cString: strerror(code)))"
                throw Failure(error: TransportError(.other, reason), beforeAnswer: false)
            }
        }
    }

    /// Drops consumed bytes so the buffer does not grow over a connection's lifetime.
    private func compact(_ connection: inout Connection) {
        if connection.readIndex == connection.buffer.count {
            connection.buffer.removeAll(keepingCapacity: connection.buffer.capacity <= 256 * 1024)
            connection.readIndex = 0
        } else if connection.readIndex > 64 * 1024 {
            connection.buffer.removeFirst(connection.readIndex)
            connection.readIndex = 0
        }
    }
}
