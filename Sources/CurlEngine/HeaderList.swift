import CCurl
import CurlShim
import MedusaStore

/// A request's header fields as libcurl takes them (`CURLOPT_HTTPHEADER`, a `curl_slist`), freed with
/// the last transfer that uses it. libcurl only reads the list, so transfers with the same fields can
/// share one.
final class HeaderList: @unchecked Sendable {
    let list: UnsafeMutablePointer<curl_slist>?

    init(_ headers: HTTPHeaders) {
        var list: UnsafeMutablePointer<curl_slist>?
        for field in headers {
            // `Name;` is libcurl's spelling of a header with an empty value.
            list = curlshim_slist_append(list, field.value.isEmpty ? "\(field.name);" : "\(field.name): \(field.value)")
        }
        // No `Expect: 100-continue` wait before bodies over 1 KiB: Medusa answers without it.
        self.list = curlshim_slist_append(list, "Expect:")
    }

    deinit { curlshim_slist_free_all(list) }

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

        mutating func list(for headers: HTTPHeaders) -> HeaderList {
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
                list = HeaderList(headers)
                if lists.count >= Self.capacity { lists.removeAll() }
                lists[key] = list
            }
            last = (key, list)
            return list
        }
    }
}
