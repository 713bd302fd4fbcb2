/// The bridge's name, version and protocol version, as `initialize` and `--version` report them.
public enum BridgeInfo {
    public static let name = "medusa-auth-bridge"
    public static let version = "0.1.0"
    /// The version of this JSON-RPC contract (`schema/openrpc.json`); clients refuse a mismatch.
    public static let protocolVersion = "1.0"
    public static let supportedProtocolVersions = [protocolVersion]
    public static var userAgent: String { "\(name)/\(version)" }
}
