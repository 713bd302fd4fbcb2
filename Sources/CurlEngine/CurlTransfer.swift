import CCurl
import CurlShim
import FoundationEssentials
import MedusaStore

/// One HTTP request in libcurl's hands: sets up an easy handle, collects the answer through libcurl's
/// header and write callbacks, and hands the outcome once to the waiting task or to its completion.
///
/// Ownership: created by `CurlTransport.send` or `start` and from then on touched only on the loop's
/// thread (`configure`, the callbacks, `outcome`, `finish` all run there), so it needs no lock. The
/// reference its handle holds as `CURLOPT_PRIVATE` keeps it alive while libcurl holds its address as
/// callback user data.
final class CurlTransfer: @unchecked Sendable {
    typealias Outcome = Result<HTTPResponse, TransportError>

    let request: HTTPRequest
    let settings: CurlTransport.Settings
    private var continuation: UnsafeContinuation<Outcome, Never>?
    /// Who gets the outcome instead of a waiting task, for a transfer started without one.
    var completion: (@Sendable (Outcome) -> Void)?
    private(set) var handle: UnsafeMutableRawPointer?
    /// The request's header fields as libcurl takes them, made or found with the transfer (on the
    /// thread that sends it) so that the loop's thread only hands them over.
    private let headerList: HeaderList
    /// What the URL's origin decides: the proxy (decided there, never by libcurl reading the
    /// environment itself) and whether it is TLS.
    let target: CurlTransport.Target
    /// `CURLOPT_ERRORBUFFER`: libcurl's own sentence for a failure, which names what went wrong.
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    private var headers = HTTPHeaders()
    private var body: [UInt8] = []
    private var truncated = false
    /// The Content-Length of the head being read, once seen.
    private var contentLength: UInt64?
    /// Why the answer's head was refused, when it broke HTTP's framing.
    private var framingError: String?
    /// The outcome, once known; a cancellation can decide it before the waiting task is attached.
    private(set) var finalOutcome: Outcome?

    /// `scheme://host:port`: the unit of connection limits and of error messages.
    var origin: String { target.origin }

    init(request: HTTPRequest, settings: CurlTransport.Settings, target: CurlTransport.Target, headerList: HeaderList) {
        self.request = request
        self.settings = settings
        self.target = target
        self.headerList = headerList
        errorBuffer.initialize(to: 0)
    }

    deinit { errorBuffer.deallocate() }

    /// On the loop's thread: attaches the waiting task and hands the transfer to the loop, or resumes
    /// the task at once when a cancellation already decided the outcome.
    func start(_ continuation: UnsafeContinuation<Outcome, Never>, on loop: CurlLoop) {
        if let finalOutcome {
            continuation.resume(returning: finalOutcome)
        } else {
            self.continuation = continuation
            loop.add(self)
        }
    }

    /// Decides the outcome and resumes the waiting task; later calls are ignored (a completion racing
    /// a cancellation).
    func finish(_ outcome: Outcome) {
        guard finalOutcome == nil else { return }
        finalOutcome = outcome
        let continuation = self.continuation
        self.continuation = nil
        continuation?.resume(returning: outcome)
        let completion = self.completion
        self.completion = nil
        completion?(outcome)
    }

    /// Frees what the transfer allocated for libcurl once the handle is out of the multi.
    func release(_ handle: UnsafeMutableRawPointer) {
        curlshim_easy_setopt_pointer(handle, CURLOPT_HTTPHEADER, nil)
        self.handle = nil
    }

    /// A new easy handle with the options every transfer to this transfer's target shares: the loop
    /// keeps it for reuse by transfers with the same `Target.handleKey` (CA file, proxy and NOPROXY), and
    /// `configure` sets the rest per transfer. nil when libcurl cannot make one or refuses an option.
    func makeHandle() -> UnsafeMutableRawPointer? {
        guard let handle = curlshim_easy_init() else { return nil }
        var codes: [CURLcode] = [
            // Only HTTP(S), whatever a URL or a proxy says.
            curlshim_easy_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"),
            // Threads, not signals, for timeouts and DNS (libcurl-thread(3)).
            curlshim_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1),
            // Redirects are answered, never followed: no cookie, token or key leaves the configured origin.
            curlshim_easy_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0),
            // Offer every encoding this libcurl decodes, and decode it (the 16 MiB cap applies to the
            // decoded body); a proxy that compresses anyway no longer breaks the answer.
            curlshim_easy_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, ""),
            curlshim_easy_setopt_long(handle, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS)),
            curlshim_easy_setopt_long(handle, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1),
            curlshim_easy_setopt_data_callback(handle, CURLOPT_HEADERFUNCTION, curlTransferHeader),
            curlshim_easy_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION, curlTransferBody),
        ]
        // The proxy is decided by the bridge (`CurlTransport.target`), never by libcurl reading the
        // environment: NOPROXY is always set, so that libcurl never reads `no_proxy` itself.
        codes.append(curlshim_easy_setopt_string(handle, CURLOPT_PROXY, target.proxy))
        codes.append(curlshim_easy_setopt_string(handle, CURLOPT_NOPROXY, settings.proxy.noProxy ?? ""))
        if let caFile = settings.caFile {
            // The file replaces the system's CAs: without CAPATH cleared, a libcurl built with a default
            // CA directory (Debian's /etc/ssl/certs) would trust that directory's CAs as well.
            codes.append(curlshim_easy_setopt_string(handle, CURLOPT_CAINFO, caFile))
            codes.append(curlshim_easy_setopt_pointer(handle, CURLOPT_CAPATH, nil))
        }
        guard codes.allSatisfy({ $0 == CURLE_OK }) else {
            curlshim_easy_cleanup(handle)
            return nil
        }
        return handle
    }

    /// Sets this request's options on a handle from `makeHandle`, which may have served other
    /// requests: every option a request varies is set here, each time, so nothing carries over.
    /// An error means the request cannot be sent (the handle is then discarded).
    func configure(_ handle: UnsafeMutableRawPointer) -> TransportError? {
        self.handle = handle
        let user = Unmanaged.passUnretained(self).toOpaque()
        var failed: CURLcode = CURLE_OK
        func set(_ option: CURLoption, _ value: Int) {
            let code = curlshim_easy_setopt_long(handle, option, value)
            if code != CURLE_OK && failed == CURLE_OK { failed = code }
        }
        func set(_ option: CURLoption, _ value: String?) {
            let code = value.map { curlshim_easy_setopt_string(handle, option, $0) } ?? curlshim_easy_setopt_pointer(handle, option, nil)
            if code != CURLE_OK && failed == CURLE_OK { failed = code }
        }
        func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer?) {
            let code = curlshim_easy_setopt_pointer(handle, option, pointer)
            if code != CURLE_OK && failed == CURLE_OK { failed = code }
        }
        set(CURLOPT_URL, request.url)
        // The attempt's deadline, time spent waiting for a free connection included.
        set(CURLOPT_TIMEOUT_MS, max(1, Int(request.timeout.totalMilliseconds)))
        // Over TLS, wait for a connection being set up to say (by ALPN, within its handshake) whether it
        // multiplexes HTTP/2 before opening another one. Never over plain HTTP, where libcurl would wait
        // for the first answer to learn the version, stalling every request behind a slow one.
        set(CURLOPT_PIPEWAIT, target.isHTTPS ? 1 : 0)
        // RFC 9112 §9.3.1: a request that is not idempotent must not be retried automatically, and
        // libcurl silently resends a request whose reused connection dies before answering. So a POST
        // that the bridge will not retry itself always gets a fresh connection, whatever headers
        // (an Idempotency-Key of the caller's own) it carries.
        set(CURLOPT_FRESH_CONNECT, !request.isIdempotent && !request.mayBeResent ? 1 : 0)
        // The method: HTTPGET first resets whatever an earlier request on this handle set (POST,
        // NOBODY, an upload); CUSTOMREQUEST is cleared unless this request names its own.
        if let body = request.body {
            set(CURLOPT_POSTFIELDSIZE, body.count)
            body.withUnsafeBufferPointer { buffer in
                set(CURLOPT_COPYPOSTFIELDS, pointer: UnsafeMutableRawPointer(mutating: buffer.baseAddress))
            }
        } else {
            set(CURLOPT_HTTPGET, 1)
            if request.method == "HEAD" { set(CURLOPT_NOBODY, 1) }
        }
        let impliedByOptions =
            switch request.method {
            case "POST": request.body != nil
            case "GET": request.body == nil
            case "HEAD": true
            default: false
            }
        set(CURLOPT_CUSTOMREQUEST, impliedByOptions ? nil : request.method)
        set(CURLOPT_HTTPHEADER, pointer: UnsafeMutableRawPointer(headerList.list))
        errorBuffer[0] = 0
        set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
        set(CURLOPT_HEADERDATA, pointer: user)
        set(CURLOPT_WRITEDATA, pointer: user)
        guard failed == CURLE_OK else {
            return TransportError(.other, "libcurl rejected an option: \(String(cString: curlshim_easy_strerror(failed)))")
        }
        return nil
    }

    /// One header line from libcurl, CRLF included; false stops the transfer because the head breaks
    /// HTTP's framing (`framingError` says how). A status line starts a new head (1xx answers and a
    /// proxy's CONNECT answer come before the final one); obs-fold continuation lines are joined to the
    /// previous field with one space (RFC 9112 §5.2).
    fileprivate func received(headerLine bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        // Bytes, not Characters: this runs for every header line of every answer.
        var end = bytes.count
        while end > 0, bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D { end -= 1 }
        let line = UnsafeBufferPointer(rebasing: bytes[0..<end])
        guard !line.isEmpty else { return true }
        if line.count >= 5, line[0] == 0x48, line[1] == 0x54, line[2] == 0x54, line[3] == 0x50, line[4] == 0x2F {  // "HTTP/"
            headers = HTTPHeaders()
            // A Medusa answer has about ten fields.
            headers.reserveCapacity(12)
            contentLength = nil
            // libcurl would treat the connection as switched to another protocol; the bridge never asks
            // for an upgrade, so a 101 is a broken answer (RFC 9110 §15.2.2).
            if let space = line.firstIndex(of: 0x20), line[(space + 1)...].starts(with: "101".utf8) {
                framingError = "a 101 Switching Protocols answer to a request that asked for no upgrade"
                return false
            }
            return true
        }
        if line[0] == 0x20 || line[0] == 0x09 {
            headers.continueLastValue(String(decoding: line, as: UTF8.self).trimmingSpaces())
            return true
        }
        guard let colon = line.firstIndex(of: 0x3A) else { return true }
        let name = String(decoding: UnsafeBufferPointer(rebasing: line[..<colon]), as: UTF8.self)
        var valueStart = colon + 1
        var valueEnd = line.count
        while valueStart < valueEnd, line[valueStart] == 0x20 || line[valueStart] == 0x09 { valueStart += 1 }
        while valueEnd > valueStart, line[valueEnd - 1] == 0x20 || line[valueEnd - 1] == 0x09 { valueEnd -= 1 }
        let value = String(decoding: UnsafeBufferPointer(rebasing: line[valueStart..<valueEnd]), as: UTF8.self)
        if name.caseInsensitiveEquals("Content-Length"), !checkContentLength(value) { return false }
        headers.append(name: name, value: value)
        return true
    }

    /// RFC 9112 §6.3: a Content-Length that is not digits, or several that differ, make the message's
    /// length unknowable; libcurl reads the leading digits of `12x` and takes one of two values, so the
    /// check is here. Repeats of one value (`12, 12`) are allowed, as RFC 9110 §8.6 says.
    private func checkContentLength(_ value: String) -> Bool {
        // The usual case, one plain number, without splitting.
        if !value.isEmpty, value.utf8.count < 19, value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let length = UInt64(value) {
            if let contentLength, contentLength != length {
                framingError = "several Content-Length values that differ"
                return false
            }
            contentLength = length
            return true
        }
        for item in value.split(separator: ",", omittingEmptySubsequences: false) {
            let digits = item.trimmingSpaces()
            guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let length = UInt64(digits) else {
                framingError = "an invalid Content-Length"
                return false
            }
            if let contentLength, contentLength != length {
                framingError = "several Content-Length values that differ"
                return false
            }
            contentLength = length
        }
        return true
    }

    /// A chunk of the decoded body. At the cap, keeps what fits and stops the transfer (libcurl then
    /// reports a write error, which `outcome` turns into a truncated answer).
    fileprivate func received(body bytes: UnsafeBufferPointer<UInt8>) -> Int {
        let room = settings.maximumBodyBytes - body.count
        guard bytes.count <= room else {
            body.append(contentsOf: bytes.prefix(max(room, 0)))
            truncated = true
            return 0
        }
        body.append(contentsOf: bytes)
        return bytes.count
    }

    /// The answer, or why there is none, once libcurl is done with the transfer.
    func outcome(_ code: CURLcode, handle: UnsafeMutableRawPointer) -> Outcome {
        if code == CURLE_OK || (code == CURLE_WRITE_ERROR && truncated) {
            var status = 0
            curlshim_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
            return .success(HTTPResponse(status: status, headers: headers, body: body, bodyTruncated: truncated))
        }
        if let framingError {
            return .failure(
                TransportError(.malformed, "\(origin) sent an answer that breaks HTTP's framing: \(framingError)"))
        }
        var requestBytes = 0
        curlshim_easy_getinfo_long(handle, CURLINFO_REQUEST_SIZE, &requestBytes)
        var osErrno = 0
        curlshim_easy_getinfo_long(handle, CURLINFO_OS_ERRNO, &osErrno)
        let text = String(cString: errorBuffer)
        return .failure(
            CurlFailure(
                code: code, origin: origin, proxy: target.proxy, proxyMayBeSkipped: !(settings.proxy.noProxy ?? "").isEmpty,
                requestSent: requestBytes > 0,
                osErrno: Int32(osErrno), curlText: text.isEmpty ? String(cString: curlshim_easy_strerror(code)) : text,
                timeout: request.timeout
            ).transportError)
    }
}

/// `CURLOPT_HEADERFUNCTION`: libcurl calls it on the loop thread, inside `curl_multi_perform`.
private func curlTransferHeader(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ user: UnsafeMutableRawPointer?) -> Int {
    guard let data, let user else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(user).takeUnretainedValue()
    let accepted = data.withMemoryRebound(to: UInt8.self, capacity: size * count) {
        transfer.received(headerLine: UnsafeBufferPointer(start: $0, count: size * count))
    }
    return accepted ? size * count : 0
}

/// `CURLOPT_WRITEFUNCTION`: the decoded body, in chunks, on the loop thread.
private func curlTransferBody(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ user: UnsafeMutableRawPointer?) -> Int {
    guard let data, let user else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(user).takeUnretainedValue()
    return data.withMemoryRebound(to: UInt8.self, capacity: size * count) {
        transfer.received(body: UnsafeBufferPointer(start: $0, count: size * count))
    }
}

extension HTTPRequest {
    /// RFC 9110 §9.2.2: the methods whose repetition has the same effect as one request.
    var isIdempotent: Bool { ["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"].contains(method) }
}

extension Duration {
    /// Whole milliseconds, by one division (`components` costs two 128-bit multiplications per call).
    var totalMilliseconds: Int64 { Int64((self / .milliseconds(1)).rounded(.towardZero)) }
}
