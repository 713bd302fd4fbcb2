// swift-tools-version:6.0
// The design card allows no third-party packages: Foundation, Dispatch, Glibc, Synchronization, the
// toolchain's test libraries, and libcurl from the system (the library FoundationNetworking itself
// drives on Linux), loaded at run time by a small C target of our own, with the headers of a
// systemLibrary target.
import PackageDescription

/// Release builds let the optimiser see across the bridge's own modules (JSON, MedusaStore, CurlEngine,
/// Bridge): generic code and small accessors are then specialised and inlined at their callers, which
/// removes about a tenth of the CPU of each call (bench/FINDINGS.md).
/// An async function runs where its caller runs (SE-0461) instead of hopping to the generic executor:
/// a call's task runs on the HTTP loop, and each hop asked the runtime for the task's preferred
/// executor under a lock (bench/FINDINGS.md). Every target builds with it, as the mangling of async
/// function types depends on it.
let concurrency: [SwiftSetting] = [.enableUpcomingFeature("NonisolatedNonsendingByDefault")]
let crossModule: [SwiftSetting] = [.unsafeFlags(["-cross-module-optimization"], .when(configuration: .release))] + concurrency

let package = Package(
    name: "medusa-auth-bridge",
    products: [
        .executable(name: "medusa-auth-bridge", targets: ["medusa-auth-bridge"])
    ],
    targets: [
        // An order-keeping JSON value with its own parser and writer (numbers kept as written).
        .target(name: "JSON", swiftSettings: crossModule),
        // JSON-RPC 2.0 wire types and framing: no I/O, no Medusa.
        .target(name: "JSONRPC", dependencies: ["JSON"], swiftSettings: crossModule),
        // The Medusa store auth HTTP client: knows nothing of JSON-RPC, nor of curl.
        .target(name: "MedusaStore", dependencies: ["JSON"], swiftSettings: crossModule),
        // libcurl's headers from the system (Debian/Ubuntu libcurl4-openssl-dev, Fedora libcurl-devel), in
        // the compiler's default include path. Headers only: no pkgConfig and no `link`, which would add
        // -lcurl, so libcurl is not loaded before `main` (issue 9: about 5 ms of start-up).
        .systemLibrary(name: "CCurl"),
        // libcurl loaded with dlopen on a thread of its own at start (or at first need), every function the
        // bridge calls behind a wrapper, and typed wrappers for the variadic setopt/getinfo.
        .target(name: "CurlShim", dependencies: ["CCurl"]),
        // The one HTTP engine: every transfer on one thread driving libcurl's multi interface.
        .target(name: "CurlEngine", dependencies: ["CCurl", "CurlShim", "MedusaStore"], swiftSettings: crossModule),
        // pwritev2's RWF_NOWAIT, for writing stdout without waiting on the loop's thread.
        .target(name: "DescriptorShim"),
        // Methods, registry, dispatcher, per-session ordering and the stdio transport.
        .target(name: "Bridge", dependencies: ["JSONRPC", "MedusaStore", "DescriptorShim"], swiftSettings: crossModule),
        // main and option parsing only.
        .executableTarget(name: "medusa-auth-bridge", dependencies: ["Bridge", "CurlEngine", "CurlShim"], swiftSettings: crossModule),
        // Waiting on events with a bound, and driving child processes, for the test targets.
        .target(name: "TestSupport", dependencies: ["JSON"], path: "Tests/TestSupport", swiftSettings: concurrency),
        .testTarget(name: "JSONRPCTests", dependencies: ["JSON", "JSONRPC"], swiftSettings: concurrency),
        .testTarget(name: "MedusaStoreTests", dependencies: ["JSON", "MedusaStore"], swiftSettings: concurrency),
        .testTarget(name: "CurlEngineTests", dependencies: ["CurlEngine", "MedusaStore", "TestSupport"], swiftSettings: concurrency),
        .testTarget(
            name: "BridgeTests", dependencies: ["JSON", "JSONRPC", "MedusaStore", "Bridge", "medusa-auth-bridge", "TestSupport"],
            swiftSettings: concurrency),
        // Spawns the built binary against the Medusa emulator (scripts/emulator).
        .testTarget(name: "EndToEndTests", dependencies: ["JSON", "medusa-auth-bridge", "TestSupport"], swiftSettings: concurrency),
    ]
)
