import Bridge
import Foundation
import JSONRPC
import MedusaStore

/// The command line of `medusa-auth-bridge` (issue 2, "Process and framing"): a small declarative
/// parser, since the design card rules out swift-argument-parser.
struct CommandLineOptions: Equatable {
    var baseURL = MedusaConfiguration.defaultBaseURL
    var maxRetries = 0
    var publishableAPIKey: String?
    var headers: [String] = []
    var timeoutSeconds = 30.0
    var logLevel = LogLevel.warn
    var maximumMessageBytes = 16 << 20
    var framing = FramingMode.auto
    var authType = MedusaAuthType.jwt

    enum Command: Equatable {
        case run(CommandLineOptions)
        case help
        case version
    }

    /// A bad flag or value: one line on stderr, exit status 64 (EX_USAGE).
    struct UsageError: Error, Equatable, CustomStringConvertible {
        var description: String
    }

    static let usage = """
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
        """

    static func parse(_ arguments: [String], environment: [String: String]) throws(UsageError) -> Command {
        var options = CommandLineOptions()
        if let url = environment["MEDUSA_BACKEND_URL"], !url.isEmpty { options.baseURL = try checkedURL(url, "MEDUSA_BACKEND_URL") }
        if let retries = environment["MEDUSA_MAX_RETRIES"], !retries.isEmpty {
            options.maxRetries = try checkedInteger(retries, "MEDUSA_MAX_RETRIES", range: 0...100)
        }
        if let key = environment["MEDUSA_PUBLISHABLE_API_KEY"], !key.isEmpty { options.publishableAPIKey = key }
        if let type = environment["MEDUSA_AUTH_TYPE"], !type.isEmpty { options.authType = try checkedAuthType(type, "MEDUSA_AUTH_TYPE") }
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
            switch flag {
            case "--help", "-h": return .help
            case "--version": return .version
            case "--base-url": options.baseURL = try checkedURL(try value(), flag)
            case "--max-retries": options.maxRetries = try checkedInteger(try value(), flag, range: 0...100)
            case "--publishable-api-key": options.publishableAPIKey = try value()
            case "--header": options.headers.append(try checkedHeader(try value()))
            case "--auth-type": options.authType = try checkedAuthType(try value(), flag)
            case "--timeout":
                let text = try value()
                guard let seconds = Double(text), seconds > 0, seconds <= 86_400 else {
                    throw UsageError(description: "--timeout must be a number of seconds between 0 and 86400, not '\(text)'")
                }
                options.timeoutSeconds = seconds
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
        return .run(options)
    }

    private static func checkedURL(_ text: String, _ name: String) throws(UsageError) -> String {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            url.host?.isEmpty == false, url.query == nil, url.fragment == nil
        else { throw UsageError(description: "\(name) must be an http or https URL without query, not '\(text)'") }
        return text
    }

    private static func checkedAuthType(_ text: String, _ name: String) throws(UsageError) -> MedusaAuthType {
        guard let type = MedusaAuthType(rawValue: text) else {
            throw UsageError(description: "\(name) must be jwt or session, not '\(text)'")
        }
        return type
    }

    private static func checkedInteger(_ text: String, _ name: String, range: ClosedRange<Int>) throws(UsageError) -> Int {
        guard let number = Int(text), range.contains(number) else {
            throw UsageError(description: "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
        }
        return number
    }

    /// `Name: value`, with a valid header name and no control characters; the value is never echoed.
    private static func checkedHeader(_ text: String) throws(UsageError) -> String {
        guard let colon = text.firstIndex(of: ":"), HeaderSyntax.isToken(String(text[..<colon])),
            HeaderSyntax.isValidValue(String(text[text.index(after: colon)...]))
        else { throw UsageError(description: "--header must look like 'Name: value' with a valid header name") }
        return text
    }

    /// The configured headers as name/value pairs.
    var headerFields: HTTPHeaders {
        HTTPHeaders(
            headers.map { text in
                let colon = text.firstIndex(of: ":")!
                return (name: String(text[..<colon]), value: text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            })
    }
}
