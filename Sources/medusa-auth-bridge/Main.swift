import Bridge
import CurlEngine
import CurlShim
import Dispatch
import FoundationEssentials
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
            FileDescriptorIO.writeAll(STDERR_FILENO, Array("medusa-auth-bridge: \(error.description)\n".utf8))
            exit(64)
        }
        switch command {
        case .help:
            FileDescriptorIO.writeAll(STDOUT_FILENO, Array((CommandLineOptions.usage + "\n").utf8))
            exit(0)
        case .version:
            FileDescriptorIO.writeAll(
                STDOUT_FILENO, Array("\(BridgeInfo.name) \(BridgeInfo.version) (protocol \(BridgeInfo.protocolVersion))\n".utf8))
            exit(0)
        case .run(let options):
            run(options)
        }
    }

    static func run(_ options: CommandLineOptions) -> Never {
        // First, before any log line: a stderr that nobody reads must fail the write (EPIPE), not end
        // the process.
        signal(SIGPIPE, SIG_IGN)
        // A standard descriptor the parent closed (`2>&-`, `0<&-`) would be the number the next open
        // or dup gets: the protocol's copy of stdout would become the log's fd 2, or the input's fd 0
        // (the bridge would read its own output). /dev/null stands in for each closed one.
        for descriptor in [STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO] where fcntl(descriptor, F_GETFD) == -1 {
            _ = open("/dev/null", O_RDWR)
        }
        // The protocol gets a private copy of stdout, above the standard three; fd 1 then points at
        // stderr, so a stray print from any library lands in the log instead of corrupting a message
        // (as sourcekit-lsp does).
        let protocolOutput = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3)
        dup2(STDERR_FILENO, STDOUT_FILENO)
        let logger = Logger(level: options.logLevel)
        for warning in options.warnings { logger.warn(warning) }
        let proxy = ProxySettings(explicit: options.proxy?.absoluteString, environment: ProcessInfo.processInfo.environment)
        var configuration = MedusaConfiguration(
            baseURL: options.baseURL, maxRetries: options.maxRetries, publishableAPIKey: options.publishableAPIKey,
            headers: options.headerFields, attemptTimeout: options.timeout, userAgent: BridgeInfo.userAgent,
            authType: options.authType)
        // A proxy that refuses (407) may echo its Proxy-Authorization.
        configuration.secretValues = proxy.credentials
        // Reading stdin, every call's task and every HTTP transfer run on the libcurl loop's thread.
        let loop = CurlLoop(maximumConnectionsPerOrigin: options.connectionsPerOrigin)
        let transport = CurlTransport(
            loop: loop,
            settings: .init(
                maximumBodyBytes: configuration.maximumBodyBytes, caFile: options.caFile?.path,
                proxy: proxy))
        let medusa = MedusaClient(configuration: configuration, transport: transport)
        let server = StdioServer(
            context: MethodContext(medusa: medusa, logger: logger), executor: loop,
            configuration: .init(
                framing: options.framing, maximumMessageBytes: options.maximumMessageBytes, drainLimit: options.drainLimit),
            input: STDIN_FILENO, output: protocolOutput)
        let signalSources = server.installSignalHandlers()
        logger.info(
            "serving \(options.baseURL.absoluteString) (retries \(options.maxRetries), timeout \(options.timeout), framing \(options.framing.rawValue))"
        )
        server.start()
        // libcurl and its ~35 libraries load on a thread of their own from now on (CurlShim), so that a
        // `ping` never waits for them and an early HTTP call waits only for what is left (issue 9).
        // Measured (medians of 30 spawns, 2 shared cores, two sets): started earlier, before the threads
        // above exist, each pthread_create waited for dlopen, which holds glibc's TLS lock while it
        // relocates, and the first ping took 7.9-9.9 ms as when libcurl was linked, against 2.8-3.6 ms
        // from here. Loading at the first transfer instead answers ping as fast, but an auth.exists sent
        // as soon as the ping is answered waits 0.8-1.7 ms longer. The cost: libcurl's pages are resident
        // before any HTTP call (idle RSS 16.9 MiB, against 11.0 MiB), as they were when it was linked.
        curlshim_preload()
        withExtendedLifetime(signalSources) { dispatchMain() }
    }
}

/// The loop reads stdin on its own thread, and writes the answers of the calls finishing in one round
/// together.
extension CurlLoop: StdioWatchingExecutor {}
