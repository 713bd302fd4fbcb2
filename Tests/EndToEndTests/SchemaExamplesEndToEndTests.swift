import Foundation
import JSON
import TestSupport
import Testing

/// Every example in `schema/openrpc.json` is run against the real bridge and the emulator.
///
/// An example's `result.value` must be contained in the actual result: object members are compared
/// recursively, array elements position by position (so `[]` stands for any array), scalars exactly.
/// An example with `x-error` expects that error code and `data` (contained in the same way) instead.
@Suite("End to end: the schema's examples", .serialized)
struct SchemaExamplesEndToEndTests {
    static func contains(_ actual: JSONValue?, _ expected: JSONValue) -> Bool {
        switch (actual, expected) {
        case (.object(let have)?, .object(let want)):
            return want.allSatisfy { contains(have[$0.key], $0.value) }
        case (.array(let have)?, .array(let want)):
            return want.count <= have.count && zip(have, want).allSatisfy { contains($0, $1) }
        default:
            return actual == expected
        }
    }

    @Test("every v1 and unversioned method example holds against the running bridge and a v1 emulator")
    func examples() async throws {
        let methods = try Self.methods { $0["x-medusa-version"] != 2 }
        try await withBridge { bridge, _ async throws in
            let checked = try await Self.run(methods, on: bridge)
            #expect(checked >= methods.count)
        }
    }

    @Test("every v2 method example holds against a v2 emulator, in both auth types", arguments: ["jwt", "session"])
    func v2Examples(authType: String) async throws {
        let methods = try Self.methods { $0["x-medusa-version"] == 2 }
        #expect(methods.count == 11)
        try await withV2Bridge(bridgeArguments: ["--auth-type", authType]) { bridge, _ async throws in
            let checked = try await Self.run(methods, on: bridge)
            #expect(checked >= methods.count)
        }
    }

    static func methods(where include: (JSONValue) -> Bool) throws -> [JSONValue] {
        let schema = try JSONParser.parse(Array(try Data(contentsOf: repositoryRoot.appendingPathComponent("schema/openrpc.json"))))
        return try #require(schema["methods"]?.arrayValue).filter(include)
    }

    /// Runs every example of `methods` in order, one call each; returns how many were checked.
    static func run(_ methods: [JSONValue], on bridge: BridgeProcess) async throws -> Int {
        var id = 0
        var checked = 0
        for method in methods {
            let name = try #require(method["name"]?.stringValue)
            for example in method["examples"]?.arrayValue ?? [] {
                id += 1
                var params = JSONObject()
                for param in example["params"]?.arrayValue ?? [] {
                    params.append(param["name"]!.stringValue!, param["value"]!)
                }
                if method["x-notification"] == true {
                    bridge.send(
                        JSONValue.object(
                            JSONObject([
                                (key: "jsonrpc", value: "2.0"), (key: "method", value: .string(name)),
                                (key: "params", value: .object(params)),
                            ])
                        ).jsonText)
                    // A notification is never answered: the next answer is the ping's.
                    #expect(try await bridge.call("ping", id: id)["result"] == [:])
                    #expect(bridge.child.lines.pending.isEmpty)
                    checked += 1
                    continue
                }
                let reply = try await bridge.call(name, id: id, JSONValue.object(params).jsonText)
                if let error = example["x-error"] {
                    #expect(reply["error"]?["code"] == error["code"], "\(name): \(example["name"]!.jsonText) gave \(reply.jsonText)")
                    #expect(contains(reply["error"]?["data"], error["data"] ?? [:]), "\(name): \(reply.jsonText)")
                } else {
                    let expected = try #require(example["result"]?["value"])
                    #expect(contains(reply["result"], expected), "\(name): \(example["name"]!.jsonText) gave \(reply.jsonText)")
                }
                checked += 1
            }
        }
        return checked
    }
}
