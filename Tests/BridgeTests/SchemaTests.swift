import Foundation
import JSON
import Testing

@testable import Bridge

/// `schema/openrpc.json` is the one source of truth: the embedded copy, the registry and each
/// method's params must match it.
@Suite("OpenRPC schema against the served methods")
struct SchemaTests {
    static let schemaURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../schema/openrpc.json")

    static func schema() throws -> JSONValue { try JSONParser.parse(Array(try Data(contentsOf: schemaURL))) }

    /// Each method's param names, resolving `$ref`s into components.contentDescriptors.
    static func methods() throws -> [(name: String, params: [String])] {
        let schema = try schema()
        let descriptors = schema["components"]?["contentDescriptors"]
        return try #require(schema["methods"]?.arrayValue).map { method in
            let params = (method["params"]?.arrayValue ?? []).compactMap { param -> String? in
                if let reference = param["$ref"]?.stringValue {
                    return descriptors?[String(reference.split(separator: "/").last!)]?["name"]?.stringValue
                }
                return param["name"]?.stringValue
            }
            return (method["name"]!.stringValue!, params)
        }
    }

    @Test("the binary embeds schema/openrpc.json byte for byte (rerun scripts/embed-schema after editing it)")
    func embeddedCopyIsCurrent() throws {
        let file = try String(contentsOf: Self.schemaURL, encoding: .utf8)
        #expect(OpenRPCDocument.embeddedText == file.trimmingCharacters(in: .newlines))
        #expect(OpenRPCDocument.value == (try Self.schema()))
    }

    @Test("the schema lists exactly the methods the registry serves")
    func methodsMatch() throws {
        #expect(try Self.methods().map(\.name).sorted() == MethodRegistry.names.sorted())
    }

    @Test("a method is marked immediate exactly when it is an ImmediateMethod")
    func immediateMarks() {
        for method in MethodRegistry.methods {
            #expect(method.isImmediate == (method is any ImmediateMethod.Type), "\(method.name)")
        }
        #expect(MethodRegistry.methods.contains { $0.isImmediate } && MethodRegistry.methods.contains { !$0.isImmediate })
    }

    @Test("every param the schema declares is accepted by name, and an undeclared one is refused")
    func paramsMatch() async throws {
        for method in try Self.methods() {
            let bridge = Harness(transport: ScriptedTransport([]))
            for param in method.params {
                let value = ["customHeaders": "{}", "clientInfo": "{}", "id": "1", "session": #""s""#][param] ?? #""x""#
                let reply = try await bridge.call(#"{"jsonrpc":"2.0","id":1,"method":"\#(method.name)","params":{"\#(param)":\#(value)}}"#)
                #expect(!reply.contains("unknown param"), "\(method.name) refused its declared param \(param): \(reply)")
            }
            let reply = try await bridge.call(#"{"jsonrpc":"2.0","id":1,"method":"\#(method.name)","params":{"undeclared":1}}"#)
            #expect(reply.contains("unknown param 'undeclared'"), "\(method.name) accepted an undeclared param: \(reply)")
        }
    }

    @Test("rpc.discover answers the document itself")
    func discover() async throws {
        let bridge = Harness(transport: ScriptedTransport([]))
        let reply = try parse(try await bridge.call(#"{"jsonrpc":"2.0","id":1,"method":"rpc.discover"}"#))
        #expect(reply["result"] == (try Self.schema()))
    }
}
