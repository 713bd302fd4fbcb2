// ping_networking plus what the bridge does at start-up before it can answer: create one URLSession
// (libcurl's global init, its multi handle, queues and delegate). Shows how much of the bridge's
// start-up and idle memory over the minimal program is the URLSession (bench/FINDINGS.md §3).
#if canImport(Glibc)
import Glibc
#endif
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

final class Delegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {}

let reply = Array(#"{"jsonrpc":"2.0","id":1,"result":{}}"#.utf8) + [0x0A]
_ = ProcessInfo.processInfo.environment.count
let configuration = URLSessionConfiguration.ephemeral
configuration.httpShouldSetCookies = false
configuration.httpCookieStorage = nil
configuration.urlCache = nil
configuration.httpMaximumConnectionsPerHost = 64
let session = URLSession(configuration: configuration, delegate: Delegate(), delegateQueue: nil)
while readLine(strippingNewline: true) != nil {
    _ = reply.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
}
withExtendedLifetime(session) {}
