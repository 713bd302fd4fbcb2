import Testing

@testable import medusa_auth_bridge

@Suite("Command line: --auth-type")
struct AuthTypeOptionTests {
    @Test("--auth-type defaults to jwt, as js-sdk, and reads session from the flag or MEDUSA_AUTH_TYPE")
    func authType() throws {
        #expect(CommandLineOptions().authType == .jwt)
        guard case .run(let flag) = try CommandLineOptions.parse(["--auth-type", "session"], environment: [:]) else {
            Issue.record("--auth-type session did not parse to a run")
            return
        }
        #expect(flag.authType == .session)
        guard case .run(let environment) = try CommandLineOptions.parse([], environment: ["MEDUSA_AUTH_TYPE": "session"]) else { return }
        #expect(environment.authType == .session)
        guard case .run(let overridden) = try CommandLineOptions.parse(["--auth-type=jwt"], environment: ["MEDUSA_AUTH_TYPE": "session"])
        else { return }
        #expect(overridden.authType == .jwt)
    }

    @Test("an unknown auth type is a usage error naming the flag or the variable")
    func badAuthType() {
        #expect(throws: CommandLineOptions.UsageError(description: "--auth-type must be jwt or session, not 'cookie'")) {
            try CommandLineOptions.parse(["--auth-type", "cookie"], environment: [:])
        }
        #expect(throws: CommandLineOptions.UsageError(description: "MEDUSA_AUTH_TYPE must be jwt or session, not 'bearer'")) {
            try CommandLineOptions.parse([], environment: ["MEDUSA_AUTH_TYPE": "bearer"])
        }
    }
}
