import CCurl
import CurlShim
import MedusaStore

/// A request's header fields as libcurl takes them (`CURLOPT_HTTPHEADER`, a `curl_slist`), freed with
/// the last transfer that uses it. libcurl only reads the list, so transfers with the same fields can
/// share one.
final class HeaderList: @unchecked Sendable {
    let list: UnsafeMutablePointer<curl_slist>?

    /// nil when a field's name or value holds CR, LF or NUL (`isSendable`): libcurl writes each field
    /// as given, so CR LF would end it early and start fields, or a whole request, of the value's making,
    /// and NUL would cut it. Nothing of such a request is sent.
    init?(_ headers: HTTPHeaders) {
        guard headers.allSatisfy({ Self.isSendable($0.name) && Self.isSendable($0.value) }) else { return nil }
        var list: UnsafeMutablePointer<curl_slist>?
        for field in headers {
            // `Name;` is libcurl's spelling of a header with an empty value.
            list = curlshim_slist_append(list, field.value.isEmpty ? "\(field.name);" : "\(field.name): \(field.value)")
        }
        if let offered = Self.acceptEncoding, !headers.contains(where: { $0.name.caseInsensitiveEquals("Accept-Encoding") }) {
            list = curlshim_slist_append(list, "Accept-Encoding: \(offered)")
        }
        // No `Expect: 100-continue` wait before bodies over 1 KiB: Medusa answers without it.
        self.list = curlshim_slist_append(list, "Expect:")
    }

    deinit { curlshim_slist_free_all(list) }

    /// The engine's own check, under the bridge's stricter ones (custom headers, cookies and tokens are
    /// refused with any control character before they reach a request): no CR, LF or NUL.
    static func isSendable(_ text: String) -> Bool {
        !text.utf8.contains { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }
    }

    /// The error of a request `HeaderList` refuses, naming no field's value.
    static func unsendable(_ headers: HTTPHeaders) -> TransportError {
        let field = headers.first { !isSendable($0.name) || !isSendable($0.value) }
        let what =
            field.map { isSendable($0.name) ? "the value of header field '\($0.name)'" : "a header field's name" } ?? "a header field"
        return TransportError(.other, "the request was not sent: \(what) holds CR, LF or NUL, which would add header lines")
    }

    /// Every coding the loaded libcurl decodes, in its order: what it offers itself for
    /// `CURLOPT_ACCEPT_ENCODING ""` (lib/content_encoding.c, `Curl_all_content_encodings`). Sent as a
    /// field of the list, libcurl skips the line it would make, which its format engine writes out
    /// twice per request, byte by byte (~3,000 instructions a call); it still decodes the answer, as
    /// `CURLOPT_ACCEPT_ENCODING` stays set (lib/http.c). nil without libcurl, which sends nothing.
    static let acceptEncoding: String? = {
        let features = curlshim_version_features()
        guard features != 0 else { return nil }
        var codings: [String] = []
        if features & CURL_VERSION_LIBZ != 0 { codings += ["deflate", "gzip"] }
        if features & CURL_VERSION_BROTLI != 0 { codings.append("br") }
        if features & CURL_VERSION_ZSTD != 0 { codings.append("zstd") }
        return codings.isEmpty ? "identity" : codings.joined(separator: ", ")
    }()

    /// The lists of recent header sets, so that the calls of one store, which mostly send the same
    /// fields, do not build and free a list each (a dozen allocations per call). Sets carrying a
    /// credential or a per-call value (a cookie, a token, an idempotency key) are never kept: they would
    /// rarely be reused, and a secret must not outlive the transfers that sent it.
    struct Cache {
        private struct Key: Hashable {
            let fields: [HTTPHeaders.Field]

            static func == (lhs: Key, rhs: Key) -> Bool {
                lhs.fields.count == rhs.fields.count
                    && zip(lhs.fields, rhs.fields).allSatisfy { $0.name == $1.name && $0.value == $1.value }
            }

            func hash(into hasher: inout Hasher) {
                for field in fields {
                    hasher.combine(field.name)
                    hasher.combine(field.value)
                }
            }
        }

        /// Distinct header sets kept; past it the cache starts over.
        static let capacity = 32
        private static let personal = ["cookie", "authorization", "idempotency-key"]
        private var lists: [Key: HeaderList] = [:]
        /// The set asked for last, compared first: equal fields cost a tenth of hashing them.
        private var last: (key: Key, list: HeaderList)?

        var count: Int { lists.count }

        /// nil when `HeaderList` refuses the fields; a kept list was checked when it was built.
        mutating func list(for headers: HTTPHeaders) -> HeaderList? {
            // Equal to a kept set, so no credential among them either.
            if let last, last.key == Key(fields: headers.fields) { return last.list }
            guard !headers.contains(where: { field in Self.personal.contains { field.name.caseInsensitiveEquals($0) } }) else {
                return HeaderList(headers)
            }
            let key = Key(fields: headers.fields)
            let list: HeaderList
            if let known = lists[key] {
                list = known
            } else {
                guard let built = HeaderList(headers) else { return nil }
                list = built
                if lists.count >= Self.capacity { lists.removeAll() }
                lists[key] = list
            }
            last = (key, list)
            return list
        }
    }
}
