#define _GNU_SOURCE
#include "DescriptorShim.h"

#include <sys/uio.h>

ssize_t descriptorshim_write_nowait(int descriptor, const void *bytes, size_t count) {
    struct iovec vector = {.iov_base = (void *)bytes, .iov_len = count};
    // Offset -1: at the descriptor's own position, as write(2) (pipes and sockets have none).
    return pwritev2(descriptor, &vector, 1, -1, RWF_NOWAIT);
}
