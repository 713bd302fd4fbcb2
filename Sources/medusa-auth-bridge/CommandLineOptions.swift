import Bridge
import CurlEngine
import FoundationEssentials
import JSONRPC
import MedusaStore

#if canImport(Glibc)
    @preconcurrency import Glibc
#endif

/// The command line of `medusa-auth-bridge`: a small declarative parser (the design card rules out
/// swift-argument-parser) that turns flags and environment variables into typed values once, so the
/// rest of the program never parses or unwraps them again. Each default is declared here, once.
struct CommandLineOptions: Equatable {
    /// medusa-js's default `baseUrl`: a constant that `checkedURL` accepts (a test holds it to that).
    static let defaultBaseURL = URL(string: MedusaConfiguration.defaultBaseURL) ?? URL(fileURLWithPath: "/")
    static let defaultMaximumMessageBytes = 16 << 20

    var baseURL = Self.defaultBaseURL
    var maxRetries = 0
    var publishableAPIKey: String?
    var headers: [HeaderField] = []
    var timeout = MedusaConfiguration.defaultAttemptTimeout
    var logLevel = LogLevel.warn
    var maximumMessageBytes = Self.defaultMaximumMessageBytes
    var framing = FramingMode.auto
    var authType = MedusaAuthType.jwt
    /// Connections per origin; nil leaves the choice to the HTTP engine.
    var maxConnections: Int?
    /// Certificates of the certificate authorities to trust instead of the system's.
    var caFile: URL?
    /// What the bridge writes to stderr as warnings when it starts, one line each (never a secret).
    var warnings: [String] = []
    /// A proxy for every request (http, https or socks); nil leaves curl's `*_PROXY` variables in charge.
    var proxy: URL?

    /// One `--header` as its name and its value (leading and trailing blanks of the value trimmed, as
    /// RFC 9110 §5.5 has a field value's surrounding whitespace excluded).
    struct HeaderField: Equatable {
        var name: String
        var value: String
    }

    enum Command: Equatable {
        case run(CommandLineOptions)
        case help
        case version
    }

    /// A bad flag or value: one line on stderr, exit status 64 (EX_USAGE).
    struct UsageError: Error, Equatable, CustomStringConvertible {
        var description: String
    }

    /// The `--help` text. Each default it states is read from the one place that declares it, so a
    /// changed default cannot leave the help behind.
    static let usage: String = {
        let defaults = CommandLineOptions()
        let baseURL = defaults.baseURL.absoluteString
        let connections = defaults.connectionsPerOrigin
        let timeout = secondsText(defaults.timeout)
        return """
            usage: medusa-auth-bridge [options]

            JSON-RPC 2.0 over stdin/stdout for Medusa's customer auth: the v1 store auth API as
            @medusajs/medusa-js calls it, and the v2 auth and store customer API as @medusajs/js-sdk calls it.
            Requests on stdin, answers on stdout, logs on stderr.

            options:
              --base-url URL               Medusa backend (env MEDUSA_BACKEND_URL; default \(baseURL))
              --max-retries N              retries on network errors, 409 and 501-599 (env MEDUSA_MAX_RETRIES; default \(defaults.maxRetries))
              --publishable-api-key KEY    sent as x-publishable-api-key (env MEDUSA_PUBLISHABLE_API_KEY)
              --header 'Name: value'       sent on every request; repeatable
              --auth-type jwt|session      how the Medusa v2 methods authenticate: bearer token or connect.sid cookie
                                           (env MEDUSA_AUTH_TYPE; default \(defaults.authType.rawValue))
              --timeout SECONDS            per HTTP attempt (default \(timeout))
              --max-connections N          connections per origin, at least 1 (env MEDUSA_MAX_CONNECTIONS; default \(connections))
              --ca-file PATH               PEM certificates of the CAs to trust instead of the system's
                                           (env MEDUSA_CA_FILE, else SSL_CERT_FILE)
              --proxy URL                  http, https or socks proxy (default: HTTPS_PROXY, HTTP_PROXY, NO_PROXY)
              --log-level LEVEL            error|warn|info|debug|trace (default \(defaults.logLevel)); secrets are always redacted
              --max-message-bytes N        longest message accepted on stdin (default \(defaults.maximumMessageBytes))
              --framing MODE               auto|ndjson|lsp (default \(defaults.framing.rawValue): LSP when input starts with Content-Length:)
              --help                       this text
              --version                    the bridge's version
            """
    }()

    /// Whole seconds as a bare number (`30`), fractions as a decimal (`2.5`).
    static func secondsText(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return attoseconds == 0 ? "\(seconds)" : "\(Double(seconds) + Double(attoseconds) / 1e18)"
    }

    static func parse(_ arguments: [String], environment: [String: String]) throws(UsageError) -> Command {
        var options = CommandLineOptions()
        var given: Set<String> = []
        var remaining = arguments[...]
        while let argument = remaining.popFirst() {
            var flag = argument
            var inlineValue: String?
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                flag = String(argument[..<equals])
                inlineValue = String(argument[argument.index(after: equals)...])
            }
            func value() throws(UsageError) -> String {
                if let inlineValue { return inlineValue }
                guard let next = remaining.popFirst() else { throw UsageError(description: "\(flag) needs a value") }
                return next
            }
            given.insert(flag)
            switch flag {
            case "--help", "-h": return .help
            case "--version": return .version
            case "--base-url": options.baseURL = try checkedURL(try value(), flag)
            case "--max-retries": options.maxRetries = try checkedInteger(try value(), flag, range: 0...100)
            case "--publishable-api-key": options.publishableAPIKey = try checkedPublishableKey(try value())
            case "--header": options.headers.append(try checkedHeader(try value()))
            case "--auth-type": options.authType = try checkedAuthType(try value(), flag)
            case "--timeout": options.timeout = try checkedSeconds(try value(), flag)
            case "--max-connections": options.maxConnections = try checkedInteger(try value(), flag, range: 1...10_000)
            case "--ca-file": options.caFile = try checkedFile(try value(), flag)
            case "--proxy": options.proxy = try checkedProxy(try value(), flag)
            case "--log-level":
                let text = try value()
                guard let level = LogLevel(name: text) else {
                    throw UsageError(description: "--log-level must be one of error, warn, info, debug, trace, not '\(text)'")
                }
                options.logLevel = level
            case "--max-message-bytes": options.maximumMessageBytes = try checkedInteger(try value(), flag, range: 64...(1 << 30))
            case "--framing":
                let text = try value()
                guard let mode = FramingMode(rawValue: text) else {
                    throw UsageError(description: "--framing must be auto, ndjson or lsp, not '\(text)'")
                }
                options.framing = mode
            default:
                throw UsageError(description: "unknown option '\(flag)' (see --help)")
            }
        }
        try options.read(environment, unlessGiven: given)
        options.readAmbientCAFile(environment)
        return .run(options)
    }

    /// The environment's settings for what no flag gave: a flag wins, and a variable it overrides is
    /// not read at all (a stale one in the environment does not stop the bridge). An empty variable
    /// counts as unset.
    private mutating func read(_ environment: [String: String], unlessGiven given: Set<String>) throws(UsageError) {
        func variable(_ name: String, _ flag: String) -> String? {
            given.contains(flag) ? nil : environment[name].flatMap { $0.isEmpty ? nil : $0 }
        }
        if let url = variable("MEDUSA_BACKEND_URL", "--base-url") { baseURL = try Self.checkedURL(url, "MEDUSA_BACKEND_URL") }
        if let retries = variable("MEDUSA_MAX_RETRIES", "--max-retries") {
            maxRetries = try Self.checkedInteger(retries, "MEDUSA_MAX_RETRIES", range: 0...100)
        }
        // A blank key is no key either: the v2 /store/* methods then refuse before any request.
        if let key = variable("MEDUSA_PUBLISHABLE_API_KEY", "--publishable-api-key"), !key.trimmingSpaces().isEmpty {
            publishableAPIKey = key
        }
        if let type = variable("MEDUSA_AUTH_TYPE", "--auth-type") { authType = try Self.checkedAuthType(type, "MEDUSA_AUTH_TYPE") }
        if let connections = variable("MEDUSA_MAX_CONNECTIONS", "--max-connections") {
            maxConnections = try Self.checkedInteger(connections, "MEDUSA_MAX_CONNECTIONS", range: 1...10_000)
        }
        if let path = variable("MEDUSA_CA_FILE", "--ca-file") { caFile = try Self.checkedFile(path, "MEDUSA_CA_FILE") }
    }

    /// `SSL_CERT_FILE` is the CA file when neither `--ca-file` nor `MEDUSA_CA_FILE` gives one, as curl
    /// honours it. Other tools set it, and it often outlives its file, so unlike the bridge's own
    /// settings a stale one does not stop the bridge: the path is passed on all the same, so https calls
    /// fail with `tls` as curl's do while http calls work, and a warning at start says why.
    private mutating func readAmbientCAFile(_ environment: [String: String]) {
        guard caFile == nil, let path = environment["SSL_CERT_FILE"], !path.isEmpty else { return }
        caFile = URL(fileURLWithPath: path)
        if let problem = Self.fileProblem(path) {
            warnings.append(
                "SSL_CERT_FILE names '\(path)', which \(problem): every https call will fail (tls), as curl's would; "
                    + "give --ca-file or MEDUSA_CA_FILE, or unset SSL_CERT_FILE")
        }
    }

    /// How long the bridge may take to answer what is in flight once stdin ends: every attempt's
    /// timeout plus the longest delays between them (a `Retry-After` is honoured up to
    /// `RetryPolicy.maximumRetryAfter`), plus a margin for writing the answers.
    var drainLimit: Duration {
        timeout * (maxRetries + 1) + RetryPolicy.maximumRetryAfter * maxRetries + .seconds(5)
    }

    /// The connections per origin the HTTP engine is given: `--max-connections`, else the engine's default.
    var connectionsPerOrigin: Int { maxConnections ?? CurlLoop.defaultMaximumConnectionsPerOrigin }

    /// The configured headers, in the Medusa client's type.
    var headerFields: HTTPHeaders { HTTPHeaders(headers.map { (name: $0.name, value: $0.value) }) }
}

extension CommandLineOptions {
    /// An http or https URL with a host and neither query nor fragment (axios joins paths onto
    /// `baseUrl`, so either would end up in the middle of every request's URL). The message says what
    /// is wrong and what a valid value looks like.
    static func checkedURL(_ text: String, _ name: String) throws(UsageError) -> URL {
        let example = "such as http://localhost:9000 or https://shop.example.com"
        let shown = text.replacingURLCredentials(with: "***@")
        func failure(_ problem: String) -> UsageError {
            UsageError(description: "\(name) must be an http or https URL \(example), not '\(shown)': \(problem)")
        }
        guard text.contains("://") else {
            throw failure("it has no scheme (did you mean http://\(text)?)")
        }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased() else { throw failure("it is not a valid URL") }
        guard ["http", "https"].contains(scheme) else { throw failure("the scheme '\(scheme)' is neither http nor https") }
        guard let host = url.host, !host.isEmpty else { throw failure("it has no host") }
        guard url.query == nil, url.fragment == nil else { throw failure("it has a query or fragment") }
        guard url.user == nil, url.password == nil else { throw failure("it holds a user name or password") }
        return url
    }

    /// `--proxy`: the schemes curl's `CURLOPT_PROXY` accepts, with a host.
    static func checkedProxy(_ text: String, _ name: String) throws(UsageError) -> URL {
        let schemes = ["http", "https", "socks4", "socks4a", "socks5", "socks5h"]
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), schemes.contains(scheme),
            let host = url.host, !host.isEmpty
        else {
            throw UsageError(
                description: "\(name) must be a proxy URL with a scheme (\(schemes.joined(separator: ", "))) and a host, "
                    + "such as http://proxy.example.com:3128")
        }
        return url
    }

    /// A file the bridge can read now, so a typo fails at start and not at the first HTTPS request.
    static func checkedFile(_ path: String, _ name: String) throws(UsageError) -> URL {
        if let problem = fileProblem(path) {
            throw UsageError(description: "\(name) must name a readable file, and '\(path)' \(problem)")
        }
        return URL(fileURLWithPath: path)
    }

    /// Why `path` cannot serve as a CA file now ("is not a file", "cannot be read", "holds no PEM
    /// certificate"), or nil when it can. libcurl reads `CURLOPT_CAINFO` as PEM; an empty or garbage
    /// file would otherwise pass here and fail every https call later as `tls`.
    static func fileProblem(_ path: String) -> String? {
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & S_IFMT != S_IFDIR else { return "is not a file" }
        guard access(path, R_OK) == 0, let contents = try? Data(contentsOf: URL(fileURLWithPath: path)) else {
            return "cannot be read"
        }
        guard String(decoding: contents, as: UTF8.self).contains("CERTIFICATE-----") else { return "holds no PEM certificate" }
        return nil
    }

    static func checkedAuthType(_ text: String, _ name: String) throws(UsageError) -> MedusaAuthType {
        guard let type = MedusaAuthType(rawValue: text) else {
            throw UsageError(description: "\(name) must be jwt or session, not '\(text)'")
        }
        return type
    }

    static func checkedInteger(_ text: String, _ name: String, range: ClosedRange<Int>) throws(UsageError) -> Int {
        guard let number = Int(text), range.contains(number) else {
            throw UsageError(description: "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
        }
        return number
    }

    static func checkedSeconds(_ text: String, _ name: String) throws(UsageError) -> Duration {
        guard let seconds = Double(text), seconds > 0, seconds <= 86_400 else {
            throw UsageError(description: "\(name) must be a number of seconds between 0 and 86400, not '\(text)'")
        }
        return .seconds(seconds)
    }

    /// `Name: value`, with a valid header name and no control characters; the value is never echoed.
    static func checkedHeader(_ text: String) throws(UsageError) -> HeaderField {
        guard let colon = text.firstIndex(of: ":") else {
            throw UsageError(description: "--header must look like 'Name: value' with a valid header name")
        }
        let name = String(text[..<colon])
        let value = text[text.index(after: colon)...].trimmingSpaces()
        guard HeaderSyntax.isToken(name), HTTPHeaders.isValidValue(value) else {
            throw UsageError(description: "--header must look like 'Name: value' with a valid header name")
        }
        guard !HeaderSyntax.isTransportOwned(name) else {
            throw UsageError(description: "--header '\(name)' is set by the HTTP layer and cannot be given")
        }
        if name.caseInsensitiveEquals(MedusaClient.publishableKeyHeader) && value.isEmpty {
            throw UsageError(description: "--header '\(name)' needs a value: an empty publishable key is no key")
        }
        return HeaderField(name: name, value: value)
    }

    /// `--publishable-api-key`: not empty. An empty flag (`--publishable-api-key "$KEY"` with `KEY`
    /// unset) would otherwise override a key in the environment and pass the bridge's "has a publishable
    /// key" check, so a v2 `/store/*` call would go out and fail at Medusa, after `auth.signup` had already
    /// registered its identity. The value is never echoed.
    static func checkedPublishableKey(_ text: String) throws(UsageError) -> String {
        guard !text.trimmingSpaces().isEmpty else {
            throw UsageError(description: "--publishable-api-key needs a value: an empty publishable key is no key")
        }
        return text
    }
}
