import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
    @preconcurrency import Glibc
#endif

/// `HTTPTransport` for plain-HTTP backends over the C socket API: HTTP/1.1 with a keep-alive
/// connection pool, each exchange done with blocking-style I/O (non-blocking sockets and `poll`) on a
/// thread of its own from `BlockingThreadPool`.
///
/// Why not URLSession: measured on this project's machines (bench/FINDINGS.md §1), URLSession costs
/// 300–420 µs of CPU per keep-alive GET and tops out at 2–3.4 k requests/s, five times the whole
/// budget of a bridged call, and it keeps ~170 bytes per request for good. HTTPS still goes through
/// URLSession, which brings TLS and certificate verification.
///
/// Like `URLSessionTransport`: redirects are answered, never followed; bodies are cut at
/// `maximumBodyBytes`; each attempt has a millisecond deadline; cancellation aborts the exchange.
public final class SocketHTTPTransport: HTTPTransport {
    let maximumBodyBytes: Int
    private let pool = ConnectionPool()
    /// Exchanges under way at once, each on a thread of its own (it blocks in `poll`); more wait for
    /// a thread. 64 is URLSession's pipelining depth as the bridge configured it and twice what the
    /// benchmark's 64-in-flight load needs of a fast backend; each thread costs ~50 KiB resident, and
    /// with 512 a soak's thread count (and memory) kept ratcheting up with its load peaks.
    public static let maximumConcurrentExchanges = 64
    private let threads = BlockingThreadPool(maximumThreads: SocketHTTPTransport.maximumConcurrentExchanges)

    public init(maximumBodyBytes: Int) { self.maximumBodyBytes = maximumBodyBytes }

    public func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        if Task.isCancelled { throw TransportError(.cancelled, "cancelled before sending") }
        let exchange = Exchange(deadline: ContinuousClock.now + request.timeout)
        let outcome: Result<HTTPResponse, TransportError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                threads.submit { [self] in continuation.resume(returning: perform(request, exchange)) }
            }
        } onCancel: {
            exchange.cancel()
        }
        return try outcome.get()
    }

    /// One exchange, blocking the calling thread. A kept-alive connection that the server closed while
    /// idle fails before any byte of the answer; such an exchange is tried once more on a new one.
    func perform(_ request: HTTPRequest, _ exchange: Exchange) -> Result<HTTPResponse, TransportError> {
        guard let target = Target(request.url) else { return .failure(TransportError(.other, "not an http:// URL")) }
        let message = Self.serialize(request, target)
        var retriedStale = false
        while true {
            var connection: Connection
            let reused: Bool
            // The retry after a stale connection opens a new one: the pool may hold more stale ones.
            if !retriedStale, let idle = pool.take(target.origin) {
                (connection, reused) = (idle, true)
            } else {
                switch Connection.open(target, deadline: exchange.deadline, exchange: exchange) {
                case .success(let opened): (connection, reused) = (opened, false)
                case .failure(let error): return .failure(exchange.isCancelled ? TransportError(.cancelled, "cancelled") : error)
                }
            }
            guard exchange.attach(connection.descriptor) else {
                connection.close()
                return .failure(TransportError(.cancelled, "cancelled"))
            }
            let result = exchange.run(&connection, message, maximumBodyBytes: maximumBodyBytes)
            exchange.detach()
            switch result {
            case .success(let (response, keepAlive)):
                if keepAlive { pool.put(connection, target.origin) } else { connection.close() }
                return .success(response)
            case .failure(let failure):
                connection.close()
                if exchange.isCancelled { return .failure(TransportError(.cancelled, "cancelled")) }
                if reused && failure.beforeAnswer && !retriedStale {
                    retriedStale = true
                    continue
                }
                return .failure(failure.error)
            }
        }
    }

    static func serialize(_ request: HTTPRequest, _ target: Target) -> [UInt8] {
        var head = "\(request.method) \(target.requestTarget) HTTP/1.1\r\n"
        var headers = HTTPHeaders([(name: "Host", value: target.hostHeader)]).merging(request.headers)
        headers["Content-Length"] = request.body.map { String($0.count) }
        for field in headers { head += "\(field.name): \(field.value)\r\n" }
        head += "\r\n"
        var bytes = Array(head.utf8)
        if let body = request.body { bytes.append(contentsOf: body) }
        return bytes
    }
}

/// Where a request goes: the origin for pooling and the text of the request line and Host header.
struct Target: Equatable {
    let host: String
    let port: Int
    let requestTarget: String

    init?(_ url: URL) {
        guard url.scheme?.lowercased() == "http", let host = url.host, !host.isEmpty,
            let components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        else { return nil }
        self.host = host
        port = url.port ?? 80
        let path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        requestTarget = path + (components.percentEncodedQuery.map { "?" + $0 } ?? "")
    }

    var origin: String { "\(host):\(port)" }
    var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == 80 ? name : "\(name):\(port)"
    }
}

/// Idle keep-alive connections per origin, most recently used first.
final class ConnectionPool: Sendable {
    /// Idle connections kept per origin: the bridge's own pipelining depth, and well under the limit
    /// of open files.
    static let maximumIdlePerOrigin = 64
    private let idle = Mutex<[String: [Connection]]>([:])

    /// The most recently used idle connection that the server has not closed meanwhile (an idle
    /// connection with something to read has been closed, or holds junk): one `poll` each.
    func take(_ origin: String) -> Connection? {
        while let connection = idle.withLock({ $0[origin]?.popLast() }) {
            var entry = pollfd(fd: connection.descriptor, events: Int16(POLLIN), revents: 0)
            if poll(&entry, 1, 0) == 0 { return connection }
            connection.close()
        }
        return nil
    }

    func put(_ connection: Connection, _ origin: String) {
        let extra = idle.withLock { table -> Connection? in
            if table[origin, default: []].count >= Self.maximumIdlePerOrigin { return connection }
            table[origin, default: []].append(connection)
            return nil
        }
        extra?.close()
    }
}
