// Start-up and memory floor without the HTTP stack: loads Foundation, answers every line with one
// fixed JSON-RPC result (written with write(2)), exits at EOF.
#if canImport(Glibc)
import Glibc
#endif
import Foundation

let reply = Array(#"{"jsonrpc":"2.0","id":1,"result":{}}"#.utf8) + [0x0A]
// Touch Foundation so it is initialised as the bridge's would be.
_ = ProcessInfo.processInfo.environment.count
while readLine(strippingNewline: true) != nil {
    _ = reply.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
}
