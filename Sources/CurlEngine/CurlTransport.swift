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
    /// worked out when the authority changes instead of parsing the URL's parts for every call.
    struct Target: Sendable {
        let origin: String
        /// The proxy to use, "" for none.
        let proxy: String
        let isHTTPS: Bool
        /// What an easy handle set up for this target keeps from one transfer to the next (the CA file,
        /// the proxy and NOPROXY): the key of the loop's spare handles.
        let handleKey: String
        /// The loop's admission queue for `origin`, and its spare handles for `handleKey`.
        let slots: CurlLoop.Origin
        let handles: CurlLoop.HandlePool
    }

    let loop: CurlLoop
    let settings: Settings
    /// The target of the authority seen last, and that authority.
    private let lastTarget = Mutex<(authority: String, target: Target)?>(nil)
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
        let transfer = try transfer(for: request)
        let loop = self.loop
        let outcome = await withTaskCancellationHandler {
            await withUnsafeContinuation { continuation in
                // On the loop's thread, where the bridge's calls run, without the closure `schedule` takes.
                if loop.isCurrent {
                    transfer.start(continuation, on: loop)
                } else {
                    loop.schedule { transfer.start(continuation, on: loop) }
                }
            }
        } onCancel: {
            loop.cancel(transfer)
        }
        return try outcome.get()
    }

    /// `send` without a task: the transfer is handed to the loop in its next round (so `completion`,
    /// which runs on the loop's thread, never runs before this returns), and the result aborts it.
    public func abandonUnsent() { loop.abandonUnsent() }

    public func start(_ request: HTTPRequest, completion: @escaping Completion) -> Cancel? {
        guard curlshim_unavailable() == nil, let transfer = try? transfer(for: request) else { return nil }
        transfer.completion = completion
        let loop = self.loop
        loop.post { if transfer.finalOutcome == nil { loop.add(transfer) } }
        return { loop.cancel(transfer) }
    }

    /// A transfer of `request`, with its target and its header list. Fails, with nothing sent, when the
    /// URL text is not a URL or a header field holds CR, LF or NUL.
    private func transfer(for request: HTTPRequest) throws(TransportError) -> CurlTransfer {
        guard let target = target(of: request.url) else { throw TransportError(.other, "the base URL and path do not form a URL") }
        guard let headerList = headerLists.withLock({ $0.list(for: request.headers) }) else { throw HeaderList.unsendable(request.headers) }
        return CurlTransfer(request: request, settings: settings, target: target, headerList: headerList)
    }

    /// The target of the URL `text`: the last one worked out while the `scheme://authority` stays the
    /// same, which it does for every call to one store, so that the URL is parsed once. nil when the
    /// text is not a URL.
    func target(of text: String) -> Target? {
        if let last = lastTarget.withLock({ $0 }), Self.text(text, hasAuthority: last.authority) { return last.target }
        guard let url = URL(string: text) else { return nil }
        let proxy = settings.proxy.proxy(for: url) ?? ""
        let origin = settings.origin(of: url)
        let handleKey = "\(settings.caFile ?? "")\n\(proxy)\n\(settings.proxy.noProxy ?? "")"
        let target = Target(
            origin: origin, proxy: proxy, isHTTPS: url.scheme?.lowercased() == "https", handleKey: handleKey,
            slots: loop.origin(origin), handles: loop.handlePool(handleKey))
        // The authority is copied, so that it does not keep the whole URL (its path may hold an email
        // address) alive.
        if let authority = Self.authority(of: text) { lastTarget.withLock { $0 = (String(authority), target) } }
        return target
    }

    /// Whether `authority(of: text)` is `authority` (one that function returned), by comparing bytes,
    /// which costs a tenth of finding the authority: the text starts with it, and a path, query,
    /// fragment or the end follows.
    static func text(_ text: String, hasAuthority authority: String) -> Bool {
        var text = text
        var authority = authority
        return text.withUTF8 { text in
            authority.withUTF8 { authority in
                guard text.count >= authority.count, text.starts(with: authority) else { return false }
                guard text.count > authority.count else { return true }
                let next = text[authority.count]
                return next == UInt8(ascii: "/") || next == UInt8(ascii: "?") || next == UInt8(ascii: "#")
            }
        }
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
