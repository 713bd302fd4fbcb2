/// RFC 9110 §5.1 field names (tokens): the syntax of LSP's header blocks (`FrameDecoder`) and of the
/// HTTP headers a caller may give the bridge (`customHeaders`, `--header`), whose values follow
/// `HTTPHeaders.isValidValue` (MedusaStore), the rule tokens from Medusa's answers follow too.
public enum HeaderSyntax {
    public static func isToken(_ name: some StringProtocol) -> Bool {
        !name.isEmpty
            && name.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    true
                default:
                    "!#$%&'*+-.^_`|~".utf8.contains(byte)
                }
            }
    }

    /// Fields that frame the message or manage the connection (RFC 9110 §7.6.1 and §8.6, RFC 9112
    /// §6): libcurl writes them from what it sends, and a caller's value would be believed by the
    /// server instead. A wrong `Content-Length` leaves bytes of this request (a password among them)
    /// on a shared connection, where the server reads them as the start of the next request, which
    /// may be another session's.
    public static func isTransportOwned(_ name: String) -> Bool {
        transportOwned.contains(name.lowercased())
    }

    private static let transportOwned: Set<String> = [
        "content-length", "transfer-encoding", "connection", "keep-alive", "proxy-connection", "te", "trailer",
        "upgrade", "expect",
    ]
}
