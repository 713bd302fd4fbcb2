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
        let configuration = MedusaConfiguration(
            baseURL: options.baseURL, maxRetries: options.maxRetries, publishableAPIKey: options.publishableAPIKey,
            headers: options.headerFields, attemptTimeout: options.timeout, userAgent: BridgeInfo.userAgent)
        // Plain HTTP over the bridge's own HTTP/1.1 client (URLSession costs 5x a bridged call's budget,
        // bench/FINDINGS.md); HTTPS through URLSession, for TLS and certificate verification.
        // `options.maxConnections`, `options.caFile` and `options.proxy` are for the libcurl engine.
        let transport: any HTTPTransport =
            configuration.baseURL.scheme?.lowercased() == "https"
            ? URLSessionTransport(maximumBodyBytes: configuration.maximumBodyBytes)
            : SocketHTTPTransport(maximumBodyBytes: configuration.maximumBodyBytes)
        // Until the libcurl engine applies them, say so rather than ignore them silently (a CA file that
        // only comes from SSL_CERT_FILE is the system's setting, not a request to this program).
        let caFileRequested = options.caFile.map { $0.path != ProcessInfo.processInfo.environment["SSL_CERT_FILE"] } ?? false
        if options.maxConnections != nil || caFileRequested || options.proxy != nil {
            logger.warn("--max-connections, --ca-file and --proxy are not applied by this build's HTTP transports")
        }
        let medusa = MedusaClient(configuration: configuration, transport: transport)
        let server = StdioServer(
            context: MethodContext(medusa: medusa, logger: logger),
            configuration: .init(
                framing: options.framing, maximumMessageBytes: options.maximumMessageBytes, drainLimit: options.drainLimit),
            input: STDIN_FILENO, output: protocolOutput)
        let signalSources = server.installSignalHandlers()
        logger.info(
            "serving \(options.baseURL.absoluteString) (retries \(options.maxRetries), timeout \(options.timeout), framing \(options.framing.rawValue))"
        )
        server.start()
        withExtendedLifetime(signalSources) { dispatchMain() }
    }
}
