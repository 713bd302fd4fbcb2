/// Which transfers of one origin libcurl may work on now: at most `connectionLimit` at once while the
/// origin answers over HTTP/1.1 (one connection each), `connectionLimit` x `streamsPerConnection` once
/// it has answered over HTTP/2; the rest wait here, in arrival order.
///
/// libcurl enforces `CURLMOPT_MAX_HOST_CONNECTIONS` itself, but a transfer waiting inside libcurl for a
/// connection is already on its `CURLOPT_TIMEOUT_MS` clock; waiting here instead, `--timeout` bounds
/// each attempt and never the time spent queued behind other calls.
struct AdmissionQueue<Item: AnyObject> {
    /// HTTP/2 streams libcurl runs on one connection (`CURLMOPT_MAX_CONCURRENT_STREAMS`' default).
    static var streamsPerConnection: Int { 100 }

    let connectionLimit: Int
    private var active = 0
    /// Arrival order from `head` on; the slots before it are emptied as their items leave, so that a
    /// transfer (and the request it holds) is not kept alive by the queue once it started.
    private var waiting: [Item?] = []
    private var head = 0
    private var multiplexes = false

    init(connectionLimit: Int) { self.connectionLimit = max(1, connectionLimit) }

    /// True when `item` may start now (it then holds a slot until `release`); false when it waits.
    mutating func admit(_ item: Item) -> Bool {
        if active < (multiplexes ? connectionLimit * Self.streamsPerConnection : connectionLimit) {
            active += 1
            return true
        }
        waiting.append(item)
        return false
    }

    /// Gives back a slot; returns the waiting item that takes it, if any. `multiplexes` records that
    /// the origin answered over HTTP/2.
    mutating func release(multiplexes: Bool = false) -> Item? {
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

    /// Takes every waiting item out, in arrival order, leaving the slots in use as they are.
    mutating func removeWaiting() -> [Item] {
        let taken = waiting[head...].compactMap { $0 }
        waiting.removeAll(keepingCapacity: true)
        head = 0
        return taken
    }

    /// Items waiting (for tests and diagnostics).
    var waitingCount: Int { waiting.count - head }
}
