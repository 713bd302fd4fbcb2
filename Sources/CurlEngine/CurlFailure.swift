import CCurl
import FoundationEssentials
import MedusaStore

#if canImport(Glibc)
    import Glibc
#endif

/// Why libcurl ended a transfer without an answer, as the one-word reason of -32002 and a sentence
/// that says truthfully what happened: which origin, and whether the request reached it.
struct CurlFailure {
    var code: CURLcode
    /// `scheme://host:port` of the request, named in every sentence so a wrong `--base-url` shows.
    var origin: String
    /// The proxy the request was to go through, "" for none, and whether `NO_PROXY` may have sent it
    /// direct instead (libcurl matches `NO_PROXY` and does not say whether it did).
    var proxy: String
    var proxyMayBeSkipped: Bool
    /// libcurl sent request bytes (`CURLINFO_REQUEST_SIZE` > 0): the server may have acted on it.
    var requestSent: Bool
    var osErrno: Int32
    /// libcurl's `CURLOPT_ERRORBUFFER` text. It names hosts, ports and protocol faults, never a header
    /// value or a body.
    var curlText: String
    var timeout: Duration

    var transportError: TransportError {
        switch code {
        case CURLE_COULDNT_CONNECT where osErrno == ECONNREFUSED && proxy.isEmpty:
            return TransportError(.refused, "\(origin) refused the connection")
        case CURLE_COULDNT_CONNECT where osErrno == ECONNREFUSED && !proxyMayBeSkipped:
            return TransportError(.refused, "the proxy \(proxyName) refused the connection (the request was for \(origin))")
        case CURLE_COULDNT_CONNECT where osErrno == ECONNREFUSED:
            // libcurl's sentence names the host and port it tried: the proxy's, or the store's.
            return TransportError(
                .refused, "\(curlText) (the request was for \(origin), through the proxy \(proxyName) unless NO_PROXY exempts it)")
        case CURLE_COULDNT_CONNECT where proxy.isEmpty:
            return TransportError(.other, "could not connect to \(origin): \(curlText)")
        case CURLE_COULDNT_CONNECT:
            return TransportError(.other, "could not connect to \(origin) through the proxy \(proxyName): \(curlText)")
        case CURLE_COULDNT_RESOLVE_HOST:
            return TransportError(.dns, "the host of \(origin) was not found: \(curlText)")
        case CURLE_COULDNT_RESOLVE_PROXY:
            return TransportError(.dns, "the proxy's host was not found: \(curlText)")
        case CURLE_OPERATION_TIMEDOUT where requestSent:
            return TransportError(.timeout, "\(origin) received the request but sent no complete answer within \(seconds)")
        case CURLE_OPERATION_TIMEDOUT:
            return TransportError(
                .timeout, "no connection to \(origin) was established or became free within \(seconds); the request was not sent")
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED,
            CURLE_USE_SSL_FAILED, CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
            CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CLIENTCERT:
            return TransportError(.tls, "TLS with \(origin) failed: \(curlText)")
        case CURLE_HTTP2_STREAM where curlText.contains("was not closed cleanly"):
            // RST_STREAM from the server (RFC 9113 §6.4): it abandoned this request's stream, as a
            // connection lost mid-answer is abandoned; whether it acted on the request is unknown.
            return TransportError(.other, "\(origin) reset the request's HTTP/2 stream: \(curlText)")
        case CURLE_RECV_ERROR where curlText.hasPrefix("CONNECT tunnel failed") && !proxy.isEmpty:
            // The proxy answered the CONNECT for an https store with a refusal (407, 403, ...): the
            // store's request never left the proxy.
            return TransportError(
                .other, "the proxy \(proxyName) refused the tunnel to \(origin) (\(curlText)); the request was not sent")
        case CURLE_WEIRD_SERVER_REPLY, CURLE_BAD_CONTENT_ENCODING, CURLE_HTTP2, CURLE_HTTP2_STREAM, CURLE_UNSUPPORTED_PROTOCOL,
            CURLE_RANGE_ERROR:
            // RFC 9112 §6.3: an answer whose framing is broken is not an answer. Not a network failure,
            // so never retried as one.
            return TransportError(.malformed, "\(origin) sent an answer that breaks HTTP's framing: \(curlText)")
        case CURLE_RECV_ERROR where curlText.hasSuffix(" in chunked-encoding"):
            // libcurl's chunked decoder (lib/http_chunks.c) refused the body's framing: a bad answer,
            // like any other framing fault, not a network failure to retry.
            return TransportError(.malformed, "\(origin) sent an answer that breaks HTTP's framing: \(curlText)")
        case CURLE_RECV_ERROR where curlText.hasPrefix("Too large response headers"), CURLE_OUT_OF_MEMORY where requestSent:
            // libcurl reads at most 100 KiB per header line and 300 KiB of headers in all (its
            // CURL_MAX_HTTP_HEADER); a longer line surfaces as "out of memory".
            return TransportError(
                .malformed,
                "\(origin) sent answer headers longer than libcurl reads (100 KiB a line, 300 KiB in all): \(curlText)")
        case CURLE_GOT_NOTHING:
            return TransportError(.other, "\(origin) closed the connection without answering")
        case CURLE_PARTIAL_FILE:
            return TransportError(.other, "\(origin) closed the connection before the whole answer arrived: \(curlText)")
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR:
            let stage = requestSent ? "after the request was sent" : "before the request was sent"
            return TransportError(.other, "the connection to \(origin) failed \(stage): \(curlText)")
        default:
            return TransportError(.other, "HTTP to \(origin) failed: \(curlText)")
        }
    }

    /// The proxy as errors name it: without the credentials its URL may carry (`user:password@`).
    var proxyName: String { proxy.replacingURLCredentials(with: "") }

    private var seconds: String {
        let milliseconds = timeout.totalMilliseconds
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : "\(Double(milliseconds) / 1000) s"
    }
}
