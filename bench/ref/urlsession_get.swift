// FoundationNetworking in isolation: the same keep-alive GETs the bridge makes, from one shared
// URLSession configured as the bridge configures it, with no JSON-RPC, no stdio and no JSON work.
// Usage: urlsession_get URL SECONDS CONCURRENCY  -> one JSON line:
//   {"calls": N, "seconds": S, "median_us": M (per-call latency), "calls_per_s": R}
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

let arguments = CommandLine.arguments
guard arguments.count == 4, let url = URL(string: arguments[1]), let seconds = Double(arguments[2]),
    let concurrency = Int(arguments[3]), concurrency > 0
else {
    FileHandle.standardError.write(Data("usage: urlsession_get URL SECONDS CONCURRENCY\n".utf8))
    exit(64)
}

let configuration = URLSessionConfiguration.ephemeral
configuration.httpShouldSetCookies = false
configuration.httpCookieAcceptPolicy = .never
configuration.httpCookieStorage = nil
configuration.urlCache = nil
configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
configuration.httpMaximumConnectionsPerHost = 64
let session = URLSession(configuration: configuration)

func get() async -> Bool {
    var request = URLRequest(url: url)
    request.setValue("application/json", forHTTPHeaderField: "Accept")
    guard let (data, response) = try? await session.data(for: request) else { return false }
    return (response as? HTTPURLResponse)?.statusCode == 200 && !data.isEmpty
}

/// One worker: GETs back to back until the deadline, recording each call's latency.
func worker(until deadline: ContinuousClock.Instant) async -> [Duration] {
    var latencies: [Duration] = []
    let clock = ContinuousClock()
    while clock.now < deadline {
        let start = clock.now
        guard await get() else {
            FileHandle.standardError.write(Data("request failed\n".utf8))
            exit(1)
        }
        latencies.append(clock.now - start)
    }
    return latencies
}

let clock = ContinuousClock()
// Warm-up: open the connections.
await withTaskGroup(of: Bool.self) { group in
    for _ in 0..<concurrency { group.addTask { await get() } }
    for await _ in group {}
}
let start = clock.now
let deadline = start + .milliseconds(Int(seconds * 1000))
let all = await withTaskGroup(of: [Duration].self) { group in
    for _ in 0..<concurrency { group.addTask { await worker(until: deadline) } }
    var all: [Duration] = []
    for await part in group { all += part }
    return all
}
let elapsed = clock.now - start
let micros = all.map { Double($0.components.attoseconds) / 1e12 + Double($0.components.seconds) * 1e6 }.sorted()
let elapsedSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
print(
    "{\"calls\": \(all.count), \"seconds\": \(elapsedSeconds), \"median_us\": \(micros[micros.count / 2]), \"calls_per_s\": \(Double(all.count) / elapsedSeconds)}"
)
