import DescriptorShim

#if canImport(Glibc)
    @preconcurrency import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes on raw descriptors: one `write(2)` loop per message, never buffered, because `print` and
/// `fwrite` are block-buffered on a pipe (an answer would sit in the buffer) and unsynchronised writes
/// of more than `PIPE_BUF` bytes interleave (POSIX `write(2)`).
public enum FileDescriptorIO {
    /// Writes every byte, retrying on EINTR and short writes, and waiting for room when the descriptor
    /// was handed over non-blocking. Returns false on any other error (EPIPE: the reader went away).
    @discardableResult
    public static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) -> Bool { writeAll(descriptor, bytes[...]) }

    /// `writeAll` of part of an array.
    @discardableResult
    public static func writeAll(_ descriptor: Int32, _ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    guard errno == EAGAIN else { return false }
                    var room = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&room, 1, -1)
                    continue
                }
                offset += written
            }
            return true
        }
    }

    /// What `writeWithoutWaiting` did.
    public enum Progress: Equatable, Sendable {
        /// Wrote this many bytes: all of them, or as many as the reader had room for.
        case wrote(Int)
        /// This descriptor cannot be written without waiting (a regular file, a terminal, an older
        /// kernel): nothing was written.
        case unsupported
        /// The reader went away (EPIPE) or another error: nothing more can be written.
        case failed
    }

    /// Writes as much of `bytes` as the reader has room for now, never waiting for it to read.
    public static func writeWithoutWaiting(_ descriptor: Int32, _ bytes: ArraySlice<UInt8>) -> Progress {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = descriptorshim_write_nowait(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written >= 0 {
                    offset += written
                    continue
                }
                switch errno {
                case EINTR: continue
                case EAGAIN: return .wrote(offset)
                case EOPNOTSUPP, ENOSYS, EINVAL: return offset == 0 ? .unsupported : .wrote(offset)
                default: return .failed
                }
            }
            return .wrote(offset)
        }
    }
}
