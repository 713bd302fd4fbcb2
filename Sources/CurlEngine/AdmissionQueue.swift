/// Which transfers libcurl may work on now, per origin: at most `connectionLimit` at once for an origin
/// that answers over HTTP/1.1 (one connection each), `connectionLimit` x `streamsPerConnection` once it
/// has answered over HTTP/2; the rest wait here, in arrival order.
///
/// libcurl enforces `CURLMOPT_MAX_HOST_CONNECTIONS` itself, but a transfer waiting inside libcurl for a
/// connection is already on its `CURLOPT_TIMEOUT_MS` clock; waiting here instead, `--timeout` bounds
/// each attempt and never the time spent queued behind other calls.
struct AdmissionQueue<Item: AnyObject> {
    /// HTTP/2 streams libcurl runs on one connection (`CURLMOPT_MAX_CONCURRENT_STREAMS`' default).
    static var streamsPerConnection: Int { 100 }

    private struct Origin {
        var active = 0
        var waiting: [Item] = []
        var head = 0
        var multiplexes = false
    }

    let connectionLimit: Int
    private var origins: [String: Origin] = [:]

    init(connectionLimit: Int) { self.connectionLimit = max(1, connectionLimit) }

    /// True when `item` may start now (it then holds a slot until `release`); false when it waits.
    mutating func admit(_ item: Item, origin key: String) -> Bool {
        var origin = origins[key, default: Origin()]
        defer { origins[key] = origin }
        if origin.active < limit(origin) {
            origin.active += 1
            return true
        }
        origin.waiting.append(item)
        return false
    }

    /// Gives back a slot of `origin`; returns the waiting item that takes it, if any. `multiplexes`
    /// records that the origin answered over HTTP/2.
    mutating func release(origin key: String, multiplexes: Bool = false) -> Item? {
        guard var origin = origins[key] else { return nil }
        origin.multiplexes = origin.multiplexes || multiplexes
        defer {
            if origin.active == 0 && origin.head == origin.waiting.count && !origin.multiplexes {
                origins[key] = nil
            } else {
                origins[key] = origin
            }
        }
        guard origin.head < origin.waiting.count else {
            origin.active -= 1
            return nil
        }
        let next = origin.waiting[origin.head]
        origin.head += 1
        if origin.head == origin.waiting.count {
            origin.waiting.removeAll(keepingCapacity: true)
            origin.head = 0
        } else if origin.head > 1024 && origin.head * 2 > origin.waiting.count {
            origin.waiting.removeFirst(origin.head)
            origin.head = 0
        }
        return next
    }

    /// Items waiting for `origin` (for tests and diagnostics).
    func waitingCount(origin key: String) -> Int {
        origins[key].map { $0.waiting.count - $0.head } ?? 0
    }

    private func limit(_ origin: Origin) -> Int {
        origin.multiplexes ? connectionLimit * Self.streamsPerConnection : connectionLimit
    }
}
