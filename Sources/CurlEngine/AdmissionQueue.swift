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
        /// Arrival order from `head` on; the slots before it are emptied as their items leave, so that a
        /// transfer (and the request it holds) is not kept alive by the queue once it started.
        var waiting: [Item?] = []
        var head = 0
        var multiplexes = false

        /// Nothing running or waiting, and nothing learnt worth keeping.
        var isIdle: Bool { active == 0 && head == waiting.count && !multiplexes }

        mutating func admit(_ item: Item, limit connectionLimit: Int) -> Bool {
            if active < (multiplexes ? connectionLimit * AdmissionQueue.streamsPerConnection : connectionLimit) {
                active += 1
                return true
            }
            waiting.append(item)
            return false
        }

        mutating func release(multiplexes: Bool) -> Item? {
            self.multiplexes = self.multiplexes || multiplexes
            guard head < waiting.count else {
                active -= 1
                return nil
            }
            let next = waiting[head]
            waiting[head] = nil
            head += 1
            if head == waiting.count {
                waiting.removeAll(keepingCapacity: true)
                head = 0
            } else if head > 1024 && head * 2 > waiting.count {
                waiting.removeFirst(head)
                head = 0
            }
            return next
        }
    }

    let connectionLimit: Int
    private var origins: [String: Origin] = [:]

    init(connectionLimit: Int) { self.connectionLimit = max(1, connectionLimit) }

    /// True when `item` may start now (it then holds a slot until `release`); false when it waits.
    mutating func admit(_ item: Item, origin key: String) -> Bool {
        // Mutated in place through the dictionary's subscript: a copy of `Origin` taken out and put
        // back would copy its `waiting` array on every append (copy-on-write), O(n) per call.
        origins[key, default: Origin()].admit(item, limit: connectionLimit)
    }

    /// Gives back a slot of `origin`; returns the waiting item that takes it, if any. `multiplexes`
    /// records that the origin answered over HTTP/2.
    mutating func release(origin key: String, multiplexes: Bool = false) -> Item? {
        // One lookup (hashing the origin's text) instead of one per access.
        guard let index = origins.index(forKey: key) else { return nil }
        let next = origins.values[index].release(multiplexes: multiplexes)
        if origins.values[index].isIdle { origins.remove(at: index) }
        return next
    }

    /// Items waiting for `origin` (for tests and diagnostics).
    func waitingCount(origin key: String) -> Int {
        origins[key].map { $0.waiting.count - $0.head } ?? 0
    }
}
