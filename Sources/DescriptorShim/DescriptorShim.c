#define _GNU_SOURCE
#include "DescriptorShim.h"

#include <errno.h>
#include <sys/uio.h>

ssize_t descriptorshim_write_nowait(int descriptor, const void *bytes, size_t count) {
#ifdef RWF_NOWAIT
    struct iovec vector = {.iov_base = (void *)bytes, .iov_len = count};
    // Offset -1: at the descriptor's own position, as write(2) (pipes and sockets have none).
    return pwritev2(descriptor, &vector, 1, -1, RWF_NOWAIT);
#else
    // Not Linux (or a C library without it): the caller writes as write(2) does, waiting.
    (void)descriptor, (void)bytes, (void)count;
    errno = EOPNOTSUPP;
    return -1;
#endif
}
