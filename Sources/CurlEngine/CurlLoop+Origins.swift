import MedusaStore

/// What the loop keeps per origin and per set-up of easy handles, reached by a transfer through its
/// target (`CurlTransport.Target`) so that a call looks nothing up; and shutdown's abandoning of the
/// transfers its origins hold unsent.
extension CurlLoop {
    /// What the loop keeps for one origin (`scheme://host:port`): its transfers in libcurl's hands, and
    /// those waiting for a slot. A transfer reaches it through its target, without a lookup per call.
    /// Created on any thread; its queue is touched only on the loop's thread.
    final class Origin: @unchecked Sendable {
        var admission: AdmissionQueue<CurlTransfer>

        init(connectionLimit: Int) { admission = AdmissionQueue(connectionLimit: connectionLimit) }
    }

    /// Easy handles kept for reuse by transfers set up alike (`CurlTransport.Target.handleKey`: the CA
    /// file, the proxy and NOPROXY). Created on any thread; its handles are touched only on the loop's.
    final class HandlePool: @unchecked Sendable {
        var spares: [UnsafeMutableRawPointer] = []

        init() {}
    }

    /// From any thread: every transfer waiting for a slot ends cancelled, on the loop's thread, and so
    /// does every one that would wait from then on; those libcurl has go on (shutdown's grace).
    public func abandonUnsent() {
        schedule {
            self.abandoningUnsent = true
            let origins = self.registry.withLock { Array($0.origins.values) }
            for origin in origins {
                for waiting in origin.admission.removeWaiting() { waiting.finish(.failure(Self.unsent)) }
            }
        }
    }

    static let unsent = TransportError(.cancelled, "cancelled before it was sent: the bridge is stopping")

    /// The one `Origin` of `origin` for this loop, from any thread.
    func origin(_ origin: String) -> Origin {
        registry.withLock { registry in
            if let known = registry.origins[origin] { return known }
            let created = Origin(connectionLimit: maximumConnectionsPerOrigin)
            registry.origins[origin] = created
            return created
        }
    }

    /// The one `HandlePool` of handles set up as `key` says, from any thread.
    func handlePool(_ key: String) -> HandlePool {
        registry.withLock { registry in
            if let known = registry.pools[key] { return known }
            let created = HandlePool()
            registry.pools[key] = created
            return created
        }
    }
}
