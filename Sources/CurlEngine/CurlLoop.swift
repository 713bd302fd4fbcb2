import CCurl
import CurlShim
import FoundationEssentials
import Glibc
import MedusaStore
import Synchronization

/// One thread driving libcurl's multi interface with `curl_multi_poll`: every HTTP transfer of the
/// process runs here, and so can the Swift tasks that wait for them.
///
/// The loop is a `TaskExecutor`: a task started with `Task(executorPreference: loop)` runs its jobs on
/// this thread, so when a transfer completes and resumes the task, the task goes on right here (parse
/// the body, write the answer) with no hand-off to another thread. It can also watch one more
/// descriptor in the same `curl_multi_poll` (`watchInput`: the bridge's stdin), so that a call is read,
/// sent, received and answered on this one thread. Other threads reach the loop only through
/// `schedule`, which queues a closure and wakes the loop's wait through an eventfd.
///
/// Ownership: `multi`, every easy handle and the queues of `Origin` and `HandlePool` are touched only
/// on the loop's thread (libcurl handles are not thread-safe, libcurl-thread(3)); `queue` and
/// `registry` are the state other threads share, each behind a mutex.
public final class CurlLoop: TaskExecutor, @unchecked Sendable {
    /// Connections per origin unless `--max-connections` says otherwise: enough for 64 calls in flight
    /// to keep a keep-alive backend busy, few enough that a backend with a small listen backlog (Python's
    /// `http.server` queues 5) takes a burst without refusing connections (bench/RESULTS.md).
    public static let defaultMaximumConnectionsPerOrigin = 16
    /// The longest `curl_multi_poll` sleeps when libcurl asks for no earlier wake-up. Only a backstop:
    /// `schedule` wakes the loop at once and libcurl's own timers shorten the wait.
    static let idlePollMilliseconds: Int32 = 1000

    private enum Work {
        case closure(@Sendable () -> Void)
        case job(UnownedJob)
    }

    private struct Queue {
        var work: [Work] = []
        /// The loop is in (or about to enter) its wait and must be woken for new work.
        var sleeping = false
    }

    /// libcurl's multi handle, created by the loop's thread for the first transfer, so that
    /// `curl_global_init` (which loads the TLS library) never delays the first answer. Loop thread only.
    private var multi: UnsafeMutableRawPointer?
    /// An eventfd other threads write to wake the loop's wait, once the queue's lock shows it asleep.
    private let wakeDescriptor: Int32
    let maximumConnectionsPerOrigin: Int
    private let queue = Mutex(Queue())
    /// The one `Origin` per origin and `HandlePool` per set-up, for targets to hold (`origin(_:)`,
    /// `handlePool(_:)`, CurlLoop+Origins.swift). They are kept for the life of the loop: a bridge calls
    /// one store.
    let registry = Mutex((origins: [String: Origin](), pools: [String: HandlePool]()))
    /// A descriptor read on the loop's thread (stdin), with when to watch it and what to do when it is
    /// readable. Loop thread only.
    private struct Input {
        let descriptor: Int32
        let wanted: @Sendable () -> Bool
        let onReadable: @Sendable () -> Bool
    }
    private var input: Input?
    /// stdout while it has no room, and what to do once it has (`whenWritable`). Loop thread only.
    private var output: (descriptor: Int32, onWritable: @Sendable () -> Void)?
    /// Set by `abandonUnsent`: no transfer waits for a slot any more. Loop thread only.
    var abandoningUnsent = false
    /// Work put off until every job ready has run (`deferUntilIdle`). Loop thread only.
    private var idleWork: [@Sendable () -> Void] = []
    /// The batch being run by `runQueuedWork` and `runIdleWork`, swapped with the queue they drain so
    /// that neither array is copied nor reallocated per round (a copy emptied with `removeAll(keeping
    /// Capacity:)` allocates a new buffer). Loop thread only.
    private var draining: [Work] = []
    private var drainingIdle: [@Sendable () -> Void] = []
    /// Easy handles kept for reuse, in every `HandlePool`. Loop thread only.
    private var spareCount = 0
    /// The loop thread's `pthread_self()`, 0 until it runs; read from any thread.
    private let threadID = Atomic<UInt>(0)
    private let started = Mutex(false)

    /// - Parameter maximumConnectionsPerOrigin: at most this many connections to one origin (RFC 9112
    ///   §9.4 asks clients to limit them): further requests wait for a free one.
    public init(maximumConnectionsPerOrigin: Int) {
        self.maximumConnectionsPerOrigin = maximumConnectionsPerOrigin
        wakeDescriptor = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        precondition(wakeDescriptor >= 0, "could not create the HTTP loop's wake-up (errno \(errno))")
    }

    /// The multi handle, created with the connection policy for the first transfer; on the loop's thread.
    private func multiHandle() -> UnsafeMutableRawPointer {
        if let multi { return multi }
        curlshim_global_init(Int(CURL_GLOBAL_DEFAULT))
        guard let created = curlshim_multi_init() else { fatalError("curl_multi_init failed: out of memory") }
        // Also enforced by libcurl, as a backstop to the admission queue.
        curlshim_multi_setopt_long(created, CURLMOPT_MAX_HOST_CONNECTIONS, maximumConnectionsPerOrigin)
        // Keep every connection the limit allows open for reuse (the default cache holds 4x the
        // handles added, which shrinks when the load drops).
        curlshim_multi_setopt_long(created, CURLMOPT_MAXCONNECTS, max(maximumConnectionsPerOrigin, 1) * 4)
        // HTTP/2 over TLS multiplexes requests on one connection (the default since curl 7.62; explicit
        // here because it is what keeps HTTPS fast).
        curlshim_multi_setopt_long(created, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
        multi = created
        return created
    }

    /// Starts the loop's thread; the loop then runs for the life of the process.
    public func start() {
        let first = started.withLock { started in
            defer { started = true }
            return !started
        }
        guard first else { return }
        let box = Unmanaged.passRetained(self)
        var thread = pthread_t()
        let created = pthread_create(
            &thread, nil,
            { context in
                let loop = Unmanaged<CurlLoop>.fromOpaque(context!).takeRetainedValue()
                loop.threadID.store(UInt(pthread_self()), ordering: .releasing)
                loop.run()
                return nil
            }, box.toOpaque())
        precondition(created == 0, "could not start the HTTP thread (error \(created))")
        pthread_detach(thread)
    }

    /// True on the loop's own thread.
    var isCurrent: Bool {
        threadID.load(ordering: .acquiring) == UInt(pthread_self())
    }

    /// Runs `work` on the loop's thread: at once when already there, else queued with a wake-up.
    func schedule(_ work: @escaping @Sendable () -> Void) {
        if isCurrent {
            work()
        } else {
            enqueue(.closure(work))
        }
    }

    /// Runs `work` on the loop's thread in its next round, even when called there.
    func post(_ work: @escaping @Sendable () -> Void) {
        enqueue(.closure(work))
    }

    /// On the loop's thread: runs `work` once the jobs ready now have run (so that, for instance, the
    /// answers of every call finishing in one round are written together); elsewhere returns false.
    public func deferUntilIdle(_ work: @escaping @Sendable () -> Void) -> Bool {
        guard isCurrent else { return false }
        idleWork.append(work)
        return true
    }

    /// From now on waits for `descriptor` too, whenever `wanted()` (asked on the loop's thread before
    /// each wait), and calls `onReadable` on the loop's thread when it is readable or at its end, until
    /// that returns false.
    public func watchInput(_ descriptor: Int32, wanted: @escaping @Sendable () -> Bool, onReadable: @escaping @Sendable () -> Bool) {
        schedule {
            // poll(2) would report POLLNVAL for it at once and forever, which libcurl does not pass
            // on: let the reader see the error (EBADF) now instead.
            if fcntl(descriptor, F_GETFD) == -1 {
                _ = onReadable()
                return
            }
            self.input = Input(descriptor: descriptor, wanted: wanted, onReadable: onReadable)
        }
    }

    /// On the loop's thread: runs `work` there once `descriptor` has room to write, or its reader has
    /// gone (a hang-up or an error counts as room: the write then fails at once). One at a time.
    public func whenWritable(_ descriptor: Int32, _ work: @escaping @Sendable () -> Void) {
        precondition(isCurrent && output == nil)
        output = (descriptor, work)
    }

    /// Wakes the loop's wait so that it asks its input's `wanted()` again.
    public func wakeUp() {
        let wake = queue.withLock { $0.sleeping }
        if wake { Self.wake(wakeDescriptor) }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        enqueue(.job(UnownedJob(job)))
    }

    private func enqueue(_ work: Work) {
        let wake = queue.withLock { queue in
            queue.work.append(work)
            defer { queue.sleeping = false }
            return queue.sleeping
        }
        if wake { Self.wake(wakeDescriptor) }
    }

    // MARK: Transfers (loop thread only)

    /// Hands a transfer to libcurl, or queues it until its origin has a free slot (after
    /// `abandonUnsent`, ends it cancelled instead of queueing it).
    func add(_ transfer: CurlTransfer) {
        precondition(isCurrent)
        if transfer.target.slots.admission.admit(transfer) {
            start(transfer)
        } else if abandoningUnsent {
            for waiting in transfer.target.slots.admission.removeWaiting() { waiting.finish(.failure(Self.unsent)) }
        }
    }

    /// From any thread: aborts `transfer` as cancelled, on the loop's thread (at once when called there);
    /// libcurl closes its connection if it was mid-exchange.
    func cancel(_ transfer: CurlTransfer) {
        schedule { self.abort(transfer, with: TransportError(.cancelled, "cancelled")) }
    }

    /// Aborts a transfer at once (its task was cancelled); a transfer already finished is left alone,
    /// and one still queued is answered now and skipped when its turn comes.
    func abort(_ transfer: CurlTransfer, with error: TransportError) {
        precondition(isCurrent)
        if let handle = transfer.handle {
            remove(transfer, handle)
            transfer.finish(.failure(error))
            releaseSlot(of: transfer, multiplexes: false)
        } else {
            transfer.finish(.failure(error))
        }
    }

    /// While libcurl has the handle, the transfer is its `CURLOPT_PRIVATE`, retained there (released by
    /// `remove`): the loop finds a finished transfer from its handle without a table to hash into.
    private func start(_ transfer: CurlTransfer) {
        let pool = transfer.target.handles
        let spare = pool.spares.popLast()
        if spare != nil { spareCount -= 1 }
        guard let handle = spare ?? transfer.makeHandle() else {
            transfer.finish(.failure(.init(.other, "libcurl could not create a transfer (out of memory, or an option refused)")))
            releaseSlot(of: transfer, multiplexes: false)
            return
        }
        if let error = transfer.configure(handle) {
            transfer.release(handle)
            curlshim_easy_cleanup(handle)
            transfer.finish(.failure(error))
            releaseSlot(of: transfer, multiplexes: false)
            return
        }
        let retained = Unmanaged.passRetained(transfer)
        curlshim_easy_setopt_pointer(handle, CURLOPT_PRIVATE, retained.toOpaque())
        let code = curlshim_multi_add_handle(multiHandle(), handle)
        if code != CURLM_OK {
            retained.release()
            transfer.release(handle)
            curlshim_easy_cleanup(handle)
            transfer.finish(.failure(.init(.other, "libcurl refused the transfer (CURLMcode \(code.rawValue))")))
            releaseSlot(of: transfer, multiplexes: false)
        }
    }

    /// Passes a finished transfer's slot to the next queued transfer of its origin that is still wanted.
    private func releaseSlot(of transfer: CurlTransfer, multiplexes: Bool) {
        var multiplexes = multiplexes
        let origin = transfer.target.slots
        while let next = origin.admission.release(multiplexes: multiplexes) {
            multiplexes = false
            if next.finalOutcome == nil {
                start(next)
                return
            }
        }
    }

    /// Takes a started transfer's handle out of libcurl, and lets go of the transfer held for it.
    private func remove(_ transfer: CurlTransfer, _ handle: UnsafeMutableRawPointer) {
        curlshim_multi_remove_handle(multi, handle)
        transfer.release(handle)
        Unmanaged.passUnretained(transfer).release()
        // Spare handles keep their options, buffers and (inside libcurl) their state per connection;
        // `configure` sets every per-request option again. A few spares save the set-up of each call.
        if spareCount < 64 {
            transfer.target.handles.spares.append(handle)
            spareCount += 1
        } else {
            curlshim_easy_cleanup(handle)
        }
    }

    // MARK: The loop

    private func run() {
        var running: Int32 = 0
        // The wake-up, then the input when it is wanted, then the output while it is full.
        var waited = [curl_waitfd](repeating: curl_waitfd(), count: 3)
        while true {
            runQueuedWork()
            runIdleWork()
            // Completions resume tasks, whose jobs land in the queue: with jobs waiting the loop only
            // looks at its descriptors, without sleeping.
            let idle = queue.withLock { queue in
                queue.sleeping = queue.work.isEmpty
                return queue.sleeping
            }
            // Asked once `sleeping` is set, so that a `wakeUp` meanwhile is never missed.
            let input = self.input.flatMap { $0.wanted() ? $0 : nil }
            waited[0] = curl_waitfd(fd: wakeDescriptor, events: Int16(CURL_WAIT_POLLIN), revents: 0)
            var count: UInt32 = 1
            if let input {
                waited[Int(count)] = curl_waitfd(fd: input.descriptor, events: Int16(CURL_WAIT_POLLIN), revents: 0)
                count += 1
            }
            let outputIndex = Int(count)
            if let output {
                waited[outputIndex] = curl_waitfd(fd: output.descriptor, events: Int16(CURL_WAIT_POLLOUT), revents: 0)
                count += 1
            }
            let timeout = idle ? Self.idlePollMilliseconds : 0
            if let multi {
                var ready: Int32 = 0
                // libcurl's poll reports a hang-up as POLLIN and an error as POLLIN and POLLOUT
                // (lib/select.c, Curl_poll), so a pipe's end is seen too; a descriptor that is not open
                // is refused by `watchInput`.
                curlshim_multi_poll(multi, &waited, count, timeout, &ready)
            } else {
                Self.poll(&waited, count: Int(count), timeout: timeout)
            }
            queue.withLock { $0.sleeping = false }
            if waited[0].revents != 0 {
                var drained: UInt64 = 0
                _ = read(wakeDescriptor, &drained, 8)
            }
            // Answers written free room under the reader's limit, so before the input.
            if let output, waited[outputIndex].revents != 0 {
                self.output = nil
                output.onWritable()
            }
            if let input, waited[1].revents != 0 {
                if !input.onReadable() { self.input = nil }
                // The calls just read start now, so that this round's perform already sends them.
                runQueuedWork()
            }
            if let multi {
                curlshim_multi_perform(multi, &running)
                collectFinishedTransfers()
            }
        }
    }

    /// Any thread: makes the loop's wait return (an eventfd counts the writes; one read drains it).
    private static func wake(_ descriptor: Int32) {
        var one: UInt64 = 1
        _ = write(descriptor, &one, 8)
    }

    /// The loop's wait before the first transfer, when there is no libcurl yet: poll(2) on the same
    /// descriptors, any event (a hang-up or an error too) reported as the one waited for.
    private static func poll(_ waited: inout [curl_waitfd], count: Int, timeout: Int32) {
        var entries = waited.prefix(count).map {
            pollfd(fd: $0.fd, events: Int16($0.events == Int16(CURL_WAIT_POLLOUT) ? POLLOUT : POLLIN), revents: 0)
        }
        guard Glibc.poll(&entries, nfds_t(count), timeout) > 0 else { return }
        for index in 0..<count where entries[index].revents != 0 { waited[index].revents = waited[index].events }
    }

    private func runQueuedWork() {
        while true {
            queue.withLock { swap(&$0.work, &draining) }
            if draining.isEmpty { return }
            for work in draining {
                switch work {
                case .closure(let closure): closure()
                case .job(let job): job.runSynchronously(on: asUnownedTaskExecutor())
                }
            }
            draining.removeAll(keepingCapacity: true)
        }
    }

    private func runIdleWork() {
        while !idleWork.isEmpty {
            swap(&idleWork, &drainingIdle)
            for work in drainingIdle { work() }
            drainingIdle.removeAll(keepingCapacity: true)
        }
    }

    private func collectFinishedTransfers() {
        var left: Int32 = 0
        while let message = curlshim_multi_info_read(multi, &left) {
            guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle else { continue }
            let code = message.pointee.data.result
            var retained: UnsafeMutableRawPointer?
            curlshim_easy_getinfo_pointer(handle, CURLINFO_PRIVATE, &retained)
            guard let retained else {
                curlshim_multi_remove_handle(multi, handle)
                continue
            }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(retained).takeUnretainedValue()
            let outcome = transfer.outcome(code, handle: handle)
            var version = 0
            curlshim_easy_getinfo_long(handle, CURLINFO_HTTP_VERSION, &version)
            remove(transfer, handle)
            transfer.finish(outcome)
            releaseSlot(of: transfer, multiplexes: version == Int(CURL_HTTP_VERSION_2_0))
        }
    }
}
