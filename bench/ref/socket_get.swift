// The alternative the toolchain offers to FoundationNetworking for plain http:// upstreams: a
// keep-alive HTTP/1.1 GET over a Glibc socket (blocking read/write, one thread per connection),
// no libcurl. Measured beside urlsession_get to show what the HTTP stack itself costs.
// Usage: socket_get URL SECONDS CONCURRENCY -> one JSON line like urlsession_get's.
#if canImport(Glibc)
import Glibc
#endif
import Foundation

let arguments = CommandLine.arguments
guard arguments.count == 4, let url = URL(string: arguments[1]), let host = url.host, let port = url.port,
    let seconds = Double(arguments[2]), let concurrency = Int(arguments[3]), concurrency > 0
else {
    FileHandle.standardError.write(Data("usage: socket_get http://127.0.0.1:PORT/path SECONDS CONCURRENCY\n".utf8))
    exit(64)
}
let path = url.path.isEmpty ? "/" : (url.absoluteString.components(separatedBy: "\(port)").dropFirst().joined(separator: "\(port)"))
let request = Array("GET \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nAccept: application/json\r\nUser-Agent: socket_get\r\n\r\n".utf8)

func connectSocket() -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var one: Int32 = 1
    setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    inet_pton(AF_INET, host, &address.sin_addr)
    let status = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    if status != 0 { perror("connect"); exit(1) }
    return fd
}

/// Sends one GET and reads exactly one response (head, then Content-Length bytes); returns the status.
func get(_ fd: Int32, _ buffer: inout [UInt8]) -> Int {
    _ = request.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    var filled = 0
    var headEnd = -1
    var contentLength = 0
    while true {
        if filled == buffer.count { buffer += [UInt8](repeating: 0, count: buffer.count) }
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, $0.count - filled) }
        if count <= 0 { return -1 }
        filled += count
        if headEnd < 0, filled >= 4 {
            for index in 3..<filled where buffer[index] == 10 && buffer[index - 1] == 13 && buffer[index - 2] == 10 && buffer[index - 3] == 13 {
                headEnd = index + 1
                let head = String(decoding: buffer[0..<headEnd], as: UTF8.self).lowercased()
                if let range = head.range(of: "content-length:") {
                    let digits = head[range.upperBound...].prefix { $0 != "\r" }.trimmingCharacters(in: .whitespaces)
                    contentLength = Int(digits) ?? 0
                }
                break
            }
        }
        if headEnd >= 0 && filled >= headEnd + contentLength {
            return Int(String(decoding: buffer[9..<12], as: UTF8.self)) ?? -1
        }
    }
}

let start = Date()
let deadline = start.addingTimeInterval(seconds)
let results = NSLock()
nonisolated(unsafe) var latencies: [Double] = []
let group = DispatchGroup()
for _ in 0..<concurrency {
    group.enter()
    let thread = Thread {
        let fd = connectSocket()
        var buffer = [UInt8](repeating: 0, count: 8192)
        var mine: [Double] = []
        _ = get(fd, &buffer)
        while Date() < deadline {
            let begin = DispatchTime.now().uptimeNanoseconds
            guard get(fd, &buffer) == 200 else { FileHandle.standardError.write(Data("request failed\n".utf8)); exit(1) }
            mine.append(Double(DispatchTime.now().uptimeNanoseconds - begin) / 1000)
        }
        close(fd)
        results.lock()
        latencies += mine
        results.unlock()
        group.leave()
    }
    thread.start()
}
group.wait()
let elapsed = Date().timeIntervalSince(start)
let sorted = latencies.sorted()
print("{\"calls\": \(sorted.count), \"seconds\": \(elapsed), \"median_us\": \(sorted[sorted.count / 2]), \"calls_per_s\": \(Double(sorted.count) / elapsed)}")
