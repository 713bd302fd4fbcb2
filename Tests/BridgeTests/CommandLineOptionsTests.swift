import Bridge
import JSONRPC
import Testing

@testable import medusa_auth_bridge

@Suite("Command line")
struct CommandLineOptionsTests {
    private func parse(_ arguments: [String], _ environment: [String: String] = [:]) throws -> CommandLineOptions.Command {
        try CommandLineOptions.parse(arguments, environment: environment)
    }

    @Test("defaults match medusa-js: localhost:9000, no retries, warn logs, auto framing")
    func defaults() throws {
        #expect(try parse([]) == .run(CommandLineOptions()))
        let options = CommandLineOptions()
        #expect(options.baseURL == "http://localhost:9000" && options.maxRetries == 0 && options.timeoutSeconds == 30)
        #expect(options.logLevel == .warn && options.framing == .auto && options.maximumMessageBytes == 16 << 20)
    }

    @Test("every flag is read, in both --flag value and --flag=value forms")
    func flags() throws {
        var expected = CommandLineOptions()
        expected.baseURL = "https://shop.test:8443/api"
        expected.maxRetries = 3
        expected.publishableAPIKey = "pk_1"
        expected.headers = ["X-A: 1", "X-B:2"]
        expected.timeoutSeconds = 2.5
        expected.logLevel = .trace
        expected.maximumMessageBytes = 1024
        expected.framing = .lsp
        #expect(
            try parse([
                "--base-url", "https://shop.test:8443/api", "--max-retries=3", "--publishable-api-key", "pk_1", "--header", "X-A: 1",
                "--header=X-B:2", "--timeout", "2.5", "--log-level", "trace", "--max-message-bytes", "1024", "--framing=lsp",
            ]) == .run(expected))
        #expect(expected.headerFields["x-b"] == "2")
    }

    @Test("environment variables configure the backend, and flags win over them")
    func environment() throws {
        let environment = ["MEDUSA_BACKEND_URL": "http://127.0.0.1:1", "MEDUSA_MAX_RETRIES": "2", "MEDUSA_PUBLISHABLE_API_KEY": "pk_env"]
        guard case .run(let options) = try parse([], environment) else { throw CommandLineOptions.UsageError(description: "no run") }
        #expect(options.baseURL == "http://127.0.0.1:1" && options.maxRetries == 2 && options.publishableAPIKey == "pk_env")
        guard case .run(let overridden) = try parse(["--max-retries", "0"], environment) else { return }
        #expect(overridden.maxRetries == 0)
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
            (["--base-url", "ftp://x"], "--base-url must be an http or https URL without query, not 'ftp://x'"),
            (["--max-retries", "-1"], "--max-retries must be a whole number from 0 to 100, not '-1'"),
            (["--timeout", "0"], "--timeout must be a number of seconds between 0 and 86400, not '0'"),
            (["--log-level", "loud"], "--log-level must be one of error, warn, info, debug, trace, not 'loud'"),
            (["--framing", "xml"], "--framing must be auto, ndjson or lsp, not 'xml'"),
            (["--header", "Bad Name: secret-value"], "--header must look like 'Name: value' with a valid header name"),
            (["--header", "X: a\u{0A}b"], "--header must look like 'Name: value' with a valid header name"),
        ])
    func usageErrors(arguments: [String], message: String) {
        #expect(throws: CommandLineOptions.UsageError(description: message)) { try parse(arguments) }
    }

    @Test("a bad environment variable is a usage error too")
    func badEnvironment() {
        #expect(throws: CommandLineOptions.UsageError.self) { try parse([], ["MEDUSA_MAX_RETRIES": "many"]) }
    }

    @Test("--help text is pinned")
    func helpText() {
        #expect(
            CommandLineOptions.usage == """
                usage: medusa-auth-bridge [options]

                JSON-RPC 2.0 over stdin/stdout for Medusa's customer auth: the v1 store auth API as
                @medusajs/medusa-js calls it, and the v2 auth and store customer API as @medusajs/js-sdk calls it.
                Requests on stdin, answers on stdout, logs on stderr.

                options:
                  --base-url URL               Medusa backend (env MEDUSA_BACKEND_URL; default http://localhost:9000)
                  --max-retries N              retries on network errors, 409 and 501-599 (env MEDUSA_MAX_RETRIES; default 0)
                  --publishable-api-key KEY    sent as x-publishable-api-key (env MEDUSA_PUBLISHABLE_API_KEY)
                  --header 'Name: value'       sent on every request; repeatable
                  --auth-type jwt|session      how the Medusa v2 methods authenticate: bearer token or connect.sid cookie
                                               (env MEDUSA_AUTH_TYPE; default jwt)
                  --timeout SECONDS            per HTTP attempt (default 30)
                  --log-level LEVEL            error|warn|info|debug|trace (default warn); secrets are always redacted
                  --max-message-bytes N        longest message accepted on stdin (default 16777216)
                  --framing MODE               auto|ndjson|lsp (default auto: LSP when input starts with Content-Length:)
                  --help                       this text
                  --version                    the bridge's version
                """)
    }
}
