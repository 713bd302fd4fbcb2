// swift-tools-version:6.0
// The design card allows no third-party packages: Foundation, FoundationNetworking, Dispatch, Glibc,
// Synchronization and the toolchain's test libraries only.
import PackageDescription

let package = Package(
    name: "medusa-auth-bridge",
    products: [
        .executable(name: "medusa-auth-bridge", targets: ["medusa-auth-bridge"])
    ],
    targets: [
        // An order-keeping JSON value with its own parser and writer (numbers kept as written).
        .target(name: "JSON"),
        // JSON-RPC 2.0 wire types and framing: no I/O, no Medusa.
        .target(name: "JSONRPC", dependencies: ["JSON"]),
        // The Medusa store auth HTTP client: knows nothing of JSON-RPC.
        .target(name: "MedusaStore", dependencies: ["JSON"]),
        // Methods, registry, dispatcher, per-session ordering and the stdio transport.
        .target(name: "Bridge", dependencies: ["JSONRPC", "MedusaStore"]),
        // main and option parsing only.
        .executableTarget(name: "medusa-auth-bridge", dependencies: ["Bridge"]),
        // Waiting on events with a bound, and driving child processes, for the test targets.
        .target(name: "TestSupport", dependencies: ["JSON"], path: "Tests/TestSupport"),
        .testTarget(name: "JSONRPCTests", dependencies: ["JSON", "JSONRPC"]),
        .testTarget(name: "MedusaStoreTests", dependencies: ["JSON", "MedusaStore"]),
        .testTarget(name: "BridgeTests", dependencies: ["JSON", "JSONRPC", "MedusaStore", "Bridge", "medusa-auth-bridge", "TestSupport"]),
        // Spawns the built binary against the Medusa emulator (scripts/emulator).
        .testTarget(name: "EndToEndTests", dependencies: ["JSON", "medusa-auth-bridge", "TestSupport"]),
    ]
)
