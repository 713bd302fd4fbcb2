import JSON

/// The OpenRPC document of `schema/openrpc.json`, compiled into the binary (see scripts/embed-schema).
public enum OpenRPCDocument {
    /// The document parsed once; nil only if the embedded text were not JSON (a test rules that out).
    public static let value: JSONValue? = try? JSONParser.parse(Array(text.utf8))

    /// The embedded text, byte for byte the schema file's content.
    public static var embeddedText: String { text }
}
