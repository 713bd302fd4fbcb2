import Bridge
import Dispatch
import Foundation
import MedusaStore

#if canImport(Glibc)
    @preconcurrency import Glibc
#endif

/// Entry point: parse options, protect stdout, wire the pieces, and park the main thread. The process
/// ends through `StdioServer` (EOF, signal, broken stdout), always with `exit`.
@main
enum Main {
    static func main() {
        let command: CommandLineOptions.Command
        do {
            command = try CommandLineOptions.parse(
                Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment)
        } catch {
            FileHandle.standardError.write(Data("medusa-auth-bridge: \(error.description)\n".utf8))
            exit(64)
        }
        switch command {
        case .help:
            FileHandle.standardOutput.write(Data((CommandLineOptions.usage + "\n").utf8))
            exit(0)
        case .version:
            FileHandle.standardOutput.write(
                Data("\(BridgeInfo.name) \(BridgeInfo.version) (protocol \(BridgeInfo.protocolVersion))\n".utf8))
            exit(0)
        case .run(let options):
            run(options)
        }
    }

    static func run(_ options: CommandLineOptions) -> Never {
        // The protocol gets a private copy of stdout; fd 1 then points at stderr, so a stray print from
        // any library lands in the log instead of corrupting a message (as sourcekit-lsp does).
        let protocolOutput = dup(STDOUT_FILENO)
        dup2(STDERR_FILENO, STDOUT_FILENO)
        let logger = Logger(level: options.logLevel)
        let timeout = Duration.milliseconds(Int((options.timeoutSeconds * 1000).rounded()))
        let configuration = MedusaConfiguration(
            baseURL: URL(string: options.baseURL)!, maxRetries: options.maxRetries, publishableAPIKey: options.publishableAPIKey,
            headers: options.headerFields, attemptTimeout: timeout, userAgent: BridgeInfo.userAgent,
            authType: options.authType)
        // Plain HTTP over the bridge's own HTTP/1.1 client (URLSession costs 5x a bridged call's budget,
        // bench/FINDINGS.md); HTTPS through URLSession, for TLS and certificate verification.
        let transport: any HTTPTransport =
            configuration.baseURL.scheme?.lowercased() == "https"
            ? URLSessionTransport(maximumBodyBytes: configuration.maximumBodyBytes)
            : SocketHTTPTransport(maximumBodyBytes: configuration.maximumBodyBytes)
        let medusa = MedusaClient(configuration: configuration, transport: transport)
        let dispatcher = Dispatcher(context: MethodContext(medusa: medusa, logger: logger))
        // The longest one call can take: every attempt's timeout plus the longest delays between them
        // (Retry-After is honoured up to 5 minutes), plus a margin for writing the answers.
        let drainLimit = timeout * (options.maxRetries + 1) + RetryPolicy.maximumRetryAfter * options.maxRetries + .seconds(5)
        let server = StdioServer(
            dispatcher: dispatcher, logger: logger,
            configuration: .init(framing: options.framing, maximumMessageBytes: options.maximumMessageBytes, drainLimit: drainLimit),
            input: STDIN_FILENO, output: protocolOutput)
        let signalSources = server.installSignalHandlers()
        logger.info(
            "serving \(options.baseURL) (retries \(options.maxRetries), timeout \(options.timeoutSeconds) s, framing \(options.framing.rawValue))"
        )
        server.start()
        withExtendedLifetime(signalSources) { dispatchMain() }
    }
}
