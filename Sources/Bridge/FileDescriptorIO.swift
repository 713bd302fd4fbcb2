#if canImport(Glibc)
    @preconcurrency import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Blocking writes on raw descriptors: one `write(2)` loop per message, never buffered, because
/// `print` and `fwrite` are block-buffered on a pipe (an answer would sit in the buffer) and
/// unsynchronised writes of more than `PIPE_BUF` bytes interleave (POSIX `write(2)`).
public enum FileDescriptorIO {
    /// Writes every byte, retrying on EINTR and short writes. Returns false on any other error
    /// (EPIPE: the reader went away).
    @discardableResult
    public static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += written
            }
            return true
        }
    }
}
