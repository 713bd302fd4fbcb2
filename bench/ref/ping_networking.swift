// The floor of issue 6: a release program that loads Foundation and FoundationNetworking and
// answers every line with one fixed JSON-RPC result (written with write(2)), exits at EOF.
#if canImport(Glibc)
import Glibc
#endif
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

let reply = Array(#"{"jsonrpc":"2.0","id":1,"result":{}}"#.utf8) + [0x0A]
_ = ProcessInfo.processInfo.environment.count
// A FoundationNetworking symbol, so the library (and libcurl behind it) is loaded, not just linked.
var request = URLRequest(url: URL(string: "http://127.0.0.1/")!)
request.httpMethod = CommandLine.arguments.count > 9 ? "POST" : "GET"
while readLine(strippingNewline: true) != nil {
    _ = reply.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
}
