import CurlShim
import FoundationEssentials
import MedusaStore
import Synchronization

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

    /// What a request's `scheme://authority` decides: the same for every call to one store, so
    /// worked out once per authority instead of parsing the URL's parts for every call.
    struct Target: Sendable {
        let origin: String
        /// The proxy to use, "" for none.
        let proxy: String
        let isHTTPS: Bool
        /// What an easy handle set up for this target keeps from one transfer to the next (the CA file,
        /// the proxy and NOPROXY): the key of the loop's spare handles.
        let handleKey: String
    }

    let loop: CurlLoop
    let settings: Settings
    private let targets = Mutex<[Substring: Target]>([:])
    private let headerLists = Mutex(HeaderList.Cache())

    public init(loop: CurlLoop, settings: Settings) {
        self.loop = loop
        self.settings = settings
        loop.start()
    }

    public func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        if Task.isCancelled { throw TransportError(.cancelled, "cancelled before sending") }
        // libcurl is loaded at run time (CurlShim): without it no call can be sent, and the bridge says why.
        if let unavailable = curlshim_unavailable() { throw TransportError(.other, String(cString: unavailable)) }
        let transfer = CurlTransfer(
            request: request, settings: settings, target: target(of: request.url),
            headerList: headerLists.withLock { $0.list(for: request.headers) })
        let loop = self.loop
        let outcome = await withTaskCancellationHandler {
            await withUnsafeContinuation { continuation in
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

    /// The target of `url`, from the cache when its `scheme://authority` was seen before.
    func target(of url: URL) -> Target {
        func decide() -> Target {
            let proxy = settings.proxy.proxy(for: url) ?? ""
            return Target(
                origin: settings.origin(of: url), proxy: proxy, isHTTPS: url.scheme?.lowercased() == "https",
                handleKey: "\(settings.caFile ?? "")\n\(proxy)\n\(settings.proxy.noProxy ?? "")")
        }
        guard let key = Self.authority(of: url.absoluteString) else { return decide() }
        if let known = targets.withLock({ $0[key] }) { return known }
        let target = decide()
        // Calls go to one store, so this stays tiny; bounded all the same. The key is copied, so that
        // it does not keep the whole URL (its path may hold an email address) alive.
        targets.withLock { targets in
            if targets.count >= 16 { targets.removeAll() }
            targets[Substring(String(key))] = target
        }
        return target
    }

    /// `scheme://authority` of an absolute URL's text: everything before the path, query or
    /// fragment. Two URLs with the same one have the same origin and the same proxy.
    static func authority(of text: String) -> Substring? {
        let bytes = text.utf8
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")),
            bytes[colon...].starts(with: "://".utf8)
        else { return nil }
        let authorityStart = bytes.index(colon, offsetBy: 3)
        let end = bytes[authorityStart...].firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }
        return Substring(text[..<(end ?? bytes.endIndex)])
    }
}
