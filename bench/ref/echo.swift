// The pipe floor: copies stdin to stdout with read(2)/write(2), no JSON work, stdlib + Glibc only.
#if canImport(Glibc)
import Glibc
#endif

var buffer = [UInt8](repeating: 0, count: 65536)
outer: while true {
    let count = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
    if count < 0 && errno == EINTR { continue }
    if count <= 0 { break }
    var offset = 0
    while offset < count {
        let written = buffer.withUnsafeBytes { write(1, $0.baseAddress! + offset, count - offset) }
        if written < 0 { if errno == EINTR { continue }; break outer }
        offset += written
    }
}
