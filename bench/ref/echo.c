/* The pipe floor (issue 9): copies stdin to stdout with read(2) and write(2), no JSON work. */
#include <errno.h>
#include <unistd.h>

int main(void) {
    static char buffer[1 << 16];
    for (;;) {
        ssize_t count = read(0, buffer, sizeof buffer);
        if (count < 0 && errno == EINTR) continue;
        if (count <= 0) return 0;
        for (ssize_t offset = 0; offset < count;) {
            ssize_t written = write(1, buffer + offset, count - offset);
            if (written < 0) {
                if (errno == EINTR) continue;
                return 1;
            }
            offset += written;
        }
    }
}
