// What the bridge needs of Linux's I/O that the Glibc module does not bring (it is declared only
// under _GNU_SOURCE).
#ifndef DESCRIPTOR_SHIM_H
#define DESCRIPTOR_SHIM_H

#include <sys/types.h>

// write(2) that never waits for the reader: pwritev2(2) with RWF_NOWAIT, a flag of this one call, so
// that nothing changes for other processes sharing the descriptor (O_NONBLOCK would: it belongs to the
// open file description, which the parent may share). Returns what write(2) would, except -1 with
// errno EAGAIN where write(2) would block, after writing what fitted. -1 with EOPNOTSUPP (or ENOSYS,
// EINVAL) where the kernel cannot do that for this descriptor: a regular file, a terminal, or pipes
// on older kernels.
ssize_t descriptorshim_write_nowait(int descriptor, const void *bytes, size_t count);

#endif
