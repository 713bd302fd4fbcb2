import Bridge
import Foundation
import JSONRPC
import MedusaStore
import Testing

@testable import medusa_auth_bridge

@Suite("Command line")
struct CommandLineOptionsTests {
    private func parse(_ arguments: [String], _ environment: [String: String] = [:]) throws -> CommandLineOptions.Command {
        try CommandLineOptions.parse(arguments, environment: environment)
    }

    private func options(_ arguments: [String], _ environment: [String: String] = [:]) throws -> CommandLineOptions {
        guard case .run(let options) = try parse(arguments, environment) else {
            throw CommandLineOptions.UsageError(description: "not a run")
        }
        return options
    }

    /// A file every test machine has and can read.
    /// A CA file as the bridge accepts one: readable, holding a PEM certificate (its content is
    /// not parsed at start; libcurl reads it at the first https call).
    static let readableFile = temporaryFile("ca.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    static let garbageFile = temporaryFile("garbage.pem", "not a certificate\n")

    static func temporaryFile(_ name: String, _ text: String) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("medusa-auth-bridge-option-tests-\(name)").path
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }

    @Test("defaults match medusa-js: localhost:9000, no retries, warn logs, auto framing, 30 s per attempt")
    func defaults() throws {
        #expect(try parse([]) == .run(CommandLineOptions()))
        let options = CommandLineOptions()
        #expect(options.baseURL.absoluteString == "http://localhost:9000" && options.maxRetries == 0 && options.timeout == .seconds(30))
        #expect(options.logLevel == .warn && options.framing == .auto && options.maximumMessageBytes == 16 << 20)
        #expect(options.maxConnections == nil && options.caFile == nil && options.proxy == nil && options.headers.isEmpty)
    }

    @Test("the default base URL is one the parser itself accepts")
    func defaultBaseURLIsValid() throws {
        #expect(
            try CommandLineOptions.checkedURL(MedusaConfiguration.defaultBaseURL, "--base-url") == CommandLineOptions.defaultBaseURL)
    }

    @Test("every flag is read into a typed value, in both --flag value and --flag=value forms")
    func flags() throws {
        var expected = CommandLineOptions()
        expected.baseURL = URL(string: "https://shop.test:8443/api")!
        expected.maxRetries = 3
        expected.publishableAPIKey = "pk_1"
        expected.headers = [.init(name: "X-A", value: "1"), .init(name: "X-B", value: "2")]
        expected.timeout = .milliseconds(2500)
        expected.logLevel = .trace
        expected.maximumMessageBytes = 1024
        expected.framing = .lsp
        expected.maxConnections = 16
        expected.caFile = URL(fileURLWithPath: Self.readableFile)
        expected.proxy = URL(string: "socks5h://127.0.0.1:1080")!
        #expect(
            try parse([
                "--base-url", "https://shop.test:8443/api", "--max-retries=3", "--publishable-api-key", "pk_1", "--header", "X-A: 1",
                "--header=X-B:2 ", "--timeout", "2.5", "--log-level", "trace", "--max-message-bytes", "1024", "--framing=lsp",
                "--max-connections", "16", "--ca-file", Self.readableFile, "--proxy=socks5h://127.0.0.1:1080",
            ]) == .run(expected))
        #expect(expected.headerFields["x-b"] == "2")
    }

    @Test("environment variables configure the backend, and flags win over them")
    func environment() throws {
        let environment = [
            "MEDUSA_BACKEND_URL": "http://127.0.0.1:1", "MEDUSA_MAX_RETRIES": "2", "MEDUSA_PUBLISHABLE_API_KEY": "pk_env",
            "MEDUSA_MAX_CONNECTIONS": "4", "MEDUSA_CA_FILE": Self.readableFile,
        ]
        let options = try options([], environment)
        #expect(options.baseURL.absoluteString == "http://127.0.0.1:1" && options.maxRetries == 2 && options.publishableAPIKey == "pk_env")
        #expect(options.maxConnections == 4 && options.caFile?.path == Self.readableFile)
        let overridden = try self.options(["--max-retries", "0", "--max-connections", "1"], environment)
        #expect(overridden.maxRetries == 0 && overridden.maxConnections == 1)
    }

    @Test("a flag wins over its environment variable even when the variable is not valid, which is then not read")
    func flagsWinOverBadEnvironment() throws {
        let environment = [
            "MEDUSA_BACKEND_URL": "not a url", "MEDUSA_MAX_RETRIES": "many", "MEDUSA_MAX_CONNECTIONS": "0",
            "MEDUSA_AUTH_TYPE": "oauth", "MEDUSA_CA_FILE": "/nonexistent/ca.pem",
        ]
        let options = try options(
            [
                "--base-url", "http://127.0.0.1:2", "--max-retries", "1", "--max-connections", "3", "--auth-type", "session",
                "--ca-file", Self.readableFile,
            ], environment)
        #expect(options.baseURL.absoluteString == "http://127.0.0.1:2" && options.maxRetries == 1 && options.maxConnections == 3)
        #expect(options.authType == .session && options.caFile?.path == Self.readableFile)
        #expect(throws: CommandLineOptions.UsageError.self) { try self.options(["--base-url", "http://127.0.0.1:2"], environment) }
    }

    @Test("SSL_CERT_FILE is the CA file when MEDUSA_CA_FILE is not set, and MEDUSA_CA_FILE wins over it")
    func sslCertFile() throws {
        let options = try options([], ["SSL_CERT_FILE": Self.readableFile])
        #expect(options.caFile?.path == Self.readableFile && options.warnings.isEmpty)
        #expect(
            throws: CommandLineOptions.UsageError(
                description: "MEDUSA_CA_FILE must name a readable file, and '/nonexistent/ca.pem' is not a file")
        ) { try self.options([], ["SSL_CERT_FILE": Self.readableFile, "MEDUSA_CA_FILE": "/nonexistent/ca.pem"]) }
    }

    @Test(
        "a stale SSL_CERT_FILE does not stop the bridge: its path is still the CA file, with one warning naming both",
        arguments: [("/nonexistent/ca.pem", "is not a file"), ("/", "is not a file"), (garbageFile, "holds no PEM certificate")])
    func staleSSLCertFile(path: String, problem: String) throws {
        let options = try options([], ["SSL_CERT_FILE": path])
        #expect(options.caFile?.path == path)
        #expect(
            options.warnings == [
                "SSL_CERT_FILE names '\(path)', which \(problem): every https call will fail (tls), as curl's would; "
                    + "give --ca-file or MEDUSA_CA_FILE, or unset SSL_CERT_FILE"
            ])
    }

    @Test("a stale SSL_CERT_FILE is ignored, without a warning, when --ca-file or MEDUSA_CA_FILE gives the CA file")
    func staleSSLCertFileUnused() throws {
        let stale = ["SSL_CERT_FILE": "/nonexistent/ca.pem"]
        for options in [
            try options(["--ca-file", Self.readableFile], stale),
            try options([], stale.merging(["MEDUSA_CA_FILE": Self.readableFile]) { $1 }),
        ] {
            #expect(options.caFile?.path == Self.readableFile && options.warnings.isEmpty)
        }
    }

    @Test("--timeout becomes the attempt timeout, and the drain limit covers every attempt and retry delay")
    func durations() throws {
        let options = try options(["--timeout", "0.25", "--max-retries", "2"])
        #expect(options.timeout == .milliseconds(250))
        #expect(options.drainLimit == .milliseconds(750) + RetryPolicy.maximumRetryAfter * 2 + .seconds(5))
    }

    @Test("--help and --version win over anything after them")
    func helpAndVersion() throws {
        #expect(try parse(["--help", "--bogus"]) == .help)
        #expect(try parse(["--version"]) == .version)
    }

    @Test(
        "a bad flag or value is a usage error with a one-line message that never echoes a header value",
        arguments: [
            (["--bogus"], "unknown option '--bogus' (see --help)"),
            (["--base-url"], "--base-url needs a value"),
            (
                ["--base-url", "127.0.0.1:9000"],
                "--base-url must be an http or https URL such as http://localhost:9000 or https://shop.example.com, not '127.0.0.1:9000': it has no scheme (did you mean http://127.0.0.1:9000?)"
            ),
            (
                ["--base-url", "ftp://x"],
                "--base-url must be an http or https URL such as http://localhost:9000 or https://shop.example.com, not 'ftp://x': the scheme 'ftp' is neither http nor https"
            ),
            (
                ["--base-url", "http://shop.test/?a=1"],
                "--base-url must be an http or https URL such as http://localhost:9000 or https://shop.example.com, not 'http://shop.test/?a=1': it has a query or fragment"
            ),
            (
                ["--base-url", "http://"],
                "--base-url must be an http or https URL such as http://localhost:9000 or https://shop.example.com, not 'http://': it has no host"
            ),
            (
                ["--base-url", "http://admin:s3cret-pw@shop.test/store"],
                "--base-url must be an http or https URL such as http://localhost:9000 or https://shop.example.com, not 'http://***@shop.test/store': it holds a user name or password"
            ),
            (["--max-retries", "-1"], "--max-retries must be a whole number from 0 to 100, not '-1'"),
            (["--timeout", "0"], "--timeout must be a number of seconds between 0 and 86400, not '0'"),
            (["--max-connections", "0"], "--max-connections must be a whole number from 1 to 10000, not '0'"),
            (["--ca-file", "/nonexistent/ca.pem"], "--ca-file must name a readable file, and '/nonexistent/ca.pem' is not a file"),
            (["--ca-file", "/"], "--ca-file must name a readable file, and '/' is not a file"),
            (["--ca-file", garbageFile], "--ca-file must name a readable file, and '\(garbageFile)' holds no PEM certificate"),
            (
                ["--proxy", "ftp://proxy:21"],
                "--proxy must be a proxy URL with a scheme (http, https, socks4, socks4a, socks5, socks5h) and a host, such as http://proxy.example.com:3128"
            ),
            (["--log-level", "loud"], "--log-level must be one of error, warn, info, debug, trace, not 'loud'"),
            (["--framing", "xml"], "--framing must be auto, ndjson or lsp, not 'xml'"),
            (["--header", "Bad Name: secret-value"], "--header must look like 'Name: value' with a valid header name"),
            (["--header", "X: a\u{0A}b"], "--header must look like 'Name: value' with a valid header name"),
            (["--header", "no-colon-secret"], "--header must look like 'Name: value' with a valid header name"),
            (["--header", "Content-Length: 0"], "--header 'Content-Length' is set by the HTTP layer and cannot be given"),
            (["--header", "connection: close"], "--header 'connection' is set by the HTTP layer and cannot be given"),
            (["--publishable-api-key", ""], "--publishable-api-key needs a value: an empty publishable key is no key"),
            (
                ["--publishable-api-key=", "--base-url", "http://x"],
                "--publishable-api-key needs a value: an empty publishable key is no key"
            ),
            (["--publishable-api-key", " \t "], "--publishable-api-key needs a value: an empty publishable key is no key"),
            (
                ["--header", "x-publishable-api-key: "],
                "--header 'x-publishable-api-key' needs a value: an empty publishable key is no key"
            ),
            (["--header", "X-Publishable-Api-Key:"], "--header 'X-Publishable-Api-Key' needs a value: an empty publishable key is no key"),
        ])
    func usageErrors(arguments: [String], message: String) {
        #expect(throws: CommandLineOptions.UsageError(description: message)) { try parse(arguments) }
    }

    @Test("an empty --publishable-api-key is refused even with a key in the environment, which it would otherwise override")
    func emptyPublishableKeyFlagOverridesNothing() {
        #expect(throws: CommandLineOptions.UsageError.self) {
            try parse(["--publishable-api-key", ""], ["MEDUSA_PUBLISHABLE_API_KEY": "pk_env"])
        }
        #expect((try? options([], ["MEDUSA_PUBLISHABLE_API_KEY": "pk_env"]))?.publishableAPIKey == "pk_env")
        // A blank variable is no key, as an empty one is unset: the v2 /store/* methods refuse before any request.
        let blank = try? options([], ["MEDUSA_PUBLISHABLE_API_KEY": "  "])
        #expect(blank != nil && blank?.publishableAPIKey == nil)
        #expect((try? options(["--header", "X-Other:"]))?.headers == [CommandLineOptions.HeaderField(name: "X-Other", value: "")])
    }

    @Test("a bad environment variable is a usage error naming the variable")
    func badEnvironment() {
        #expect(throws: CommandLineOptions.UsageError(description: "MEDUSA_MAX_RETRIES must be a whole number from 0 to 100, not 'many'")) {
            try parse([], ["MEDUSA_MAX_RETRIES": "many"])
        }
        #expect(
            throws: CommandLineOptions.UsageError(description: "MEDUSA_MAX_CONNECTIONS must be a whole number from 1 to 10000, not '0'")
        ) {
            try parse([], ["MEDUSA_MAX_CONNECTIONS": "0"])
        }
    }

    /// The default each option's help states (`default X`; a trailing colon is not part of it), by
    /// flag; the lines that continue an option's help count as its own.
    private static func statedDefaults(_ usage: String) -> [String: String] {
        var help: [String: String] = [:]
        var flag: String?
        for line in usage.split(separator: "\n") where line.hasPrefix("  ") {
            let text = line.drop(while: { $0 == " " })
            if text.hasPrefix("--") { flag = String(text.prefix(while: { $0 != " " })) }
            if let flag { help[flag, default: ""] += " " + text }
        }
        return help.compactMapValues { text in
            guard let start = text.range(of: "default ")?.upperBound else { return nil }
            let value = text[start...].prefix(while: { !" ;)".contains($0) })
            return String(value.hasSuffix(":") ? value.dropLast() : value)
        }
    }

    @Test("each default --help states is the value the option takes when it is not given")
    func helpStatesEachDefault() throws {
        let stated = Self.statedDefaults(CommandLineOptions.usage)
        #expect(
            Set(stated.keys) == [
                "--base-url", "--max-retries", "--auth-type", "--timeout", "--max-connections", "--log-level", "--max-message-bytes",
                "--framing",
            ])
        let unset = CommandLineOptions()
        for (flag, value) in stated {
            // Giving the stated default must change nothing the bridge uses.
            var given = try options([flag, value])
            #expect(given.connectionsPerOrigin == unset.connectionsPerOrigin, "\(flag) \(value)")
            given.maxConnections = unset.maxConnections
            #expect(given == unset, "\(flag) \(value)")
        }
    }
}
