import FoundationEssentials
import MedusaStore

/// `HTTPTransport` on libcurl's multi interface: every request of the process is a transfer on the one
/// `CurlLoop` thread, sharing its connection pool (keep-alive, HTTP/2 multiplexing, at most
/// `--max-connections` per origin), with cookies left to the bridge's own per-session jar: libcurl's
/// cookie engine is never enabled, so sessions share connections but never cookies.
public final class CurlTransport: HTTPTransport {
    /// What every transfer is configured with.
    public struct Settings: Sendable {
        /// The largest decoded body kept; the transfer stops there and the answer is marked truncated.
        public var maximumBodyBytes: Int
        /// PEM bundle of the certificate authorities to trust instead of the system's (`CURLOPT_CAINFO`).
        /// Verification itself is never turned off.
        public var caFile: String?
        public var proxy: ProxySettings

        public init(maximumBodyBytes: Int, caFile: String? = nil, proxy: ProxySettings = ProxySettings()) {
            self.maximumBodyBytes = maximumBodyBytes
            self.caFile = caFile
            self.proxy = proxy
        }

        /// `scheme://host:port`, as errors name it.
        func origin(of url: URL) -> String {
            let scheme = url.scheme?.lowercased() ?? "http"
            let host = url.host.map { $0.contains(":") ? "[\($0)]" : $0 } ?? "?"
            return "\(scheme)://\(host):\(url.port ?? (scheme == "https" ? 443 : 80))"
        }
    }

    let loop: CurlLoop
    let settings: Settings

    public init(loop: CurlLoop, settings: Settings) {
        self.loop = loop
        self.settings = settings
        loop.start()
    }

    public func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        if Task.isCancelled { throw TransportError(.cancelled, "cancelled before sending") }
        let transfer = CurlTransfer(request: request, settings: settings)
        let loop = self.loop
        let outcome = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                loop.schedule {
                    transfer.attach(continuation)
                    if transfer.finalOutcome == nil { loop.add(transfer) }
                }
            }
        } onCancel: {
            // Aborts the transfer at once; libcurl closes its connection if it was mid-exchange.
            loop.schedule { loop.abort(transfer, with: TransportError(.cancelled, "cancelled")) }
        }
        return try outcome.get()
    }
}
