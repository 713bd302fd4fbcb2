/* The raw driver (issue 9): drives a child's NDJSON pipes with pre-built bytes and no JSON work,
 * so that what it measures is the child's. The child is started by bench.py, which passes its
 * stdin (WFD) and stdout (RFD) descriptors.
 *   pipe_driver WFD RFD SECONDS WARMUP DEPTH TEMPLATE [PRELUDE ...]
 * Each PRELUDE line is sent and its answer awaited first (e.g. `initialize`). TEMPLATE is one
 * request with `@ID@` where its id goes; 8192 lines with distinct ids are built before the clock
 * starts and sent in turn. DEPTH requests are kept in flight for WARMUP seconds, then counted for
 * SECONDS more; every outstanding answer is read before it exits. An answer is one `\n`-terminated
 * line; one holding `"error"` counts as an error. Prints one JSON line: calls, seconds, calls_per_s,
 * median_us (write of a request to its answer's line end, meaningful at DEPTH 1), errors, and
 * driver_cpu_us (this program's own user + system CPU per call: its cost). */
#define _GNU_SOURCE
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define LINES 8192
static int wfd, rfd;
static char *lines[LINES];
static size_t lengths[LINES];
static char inbox[1 << 20];
static size_t held;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static double cpu(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

static void put(const char *data, size_t length) {
    while (length > 0) {
        ssize_t n = write(wfd, data, length);
        if (n < 0) { perror("pipe_driver: write"); exit(1); }
        data += n, length -= n;
    }
}

/* Reads more of the child's answers; exits when it has said nothing for 30 s or closed stdout. */
static void fill(void) {
    struct pollfd p = {rfd, POLLIN, 0};
    if (poll(&p, 1, 30000) != 1) { fprintf(stderr, "pipe_driver: no answer for 30 s\n"); exit(1); }
    if (held == sizeof inbox) { fprintf(stderr, "pipe_driver: an answer over 1 MiB\n"); exit(1); }
    ssize_t n = read(rfd, inbox + held, sizeof inbox - held);
    if (n <= 0) { fprintf(stderr, "pipe_driver: the child closed stdout\n"); exit(1); }
    held += n;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc < 7) {
        fprintf(stderr, "usage: pipe_driver WFD RFD SECONDS WARMUP DEPTH TEMPLATE [PRELUDE...]\n");
        return 2;
    }
    wfd = atoi(argv[1]), rfd = atoi(argv[2]);
    double seconds = atof(argv[3]), warmup = atof(argv[4]);
    long depth = atol(argv[5]);
    const char *template = argv[6], *mark = strstr(template, "@ID@");
    if (!mark) { fprintf(stderr, "pipe_driver: the template has no @ID@\n"); return 2; }
    size_t longest = 0;
    for (int i = 0; i < LINES; i++) {
        lengths[i] = asprintf(&lines[i], "%.*s%d%s\n", (int)(mark - template), template, 1000 + i, mark + 4);
        if (lengths[i] > longest) longest = lengths[i];
    }
    for (int i = 7; i < argc; i++) {
        put(argv[i], strlen(argv[i]));
        put("\n", 1);
        while (!memchr(inbox, '\n', held)) fill();
        char *end = memchr(inbox, '\n', held);
        held -= end + 1 - inbox;
        memmove(inbox, end + 1, held);
    }
    char *batch = malloc(depth * longest); /* at most one request per answer outstanding */
    double *sent_at = calloc(LINES, sizeof *sent_at), *latencies = malloc((1 << 20) * sizeof(double));
    long next = 0, outstanding = 0, calls = 0, errors = 0, recorded = 0;
    double start = now(), end = start + warmup, last = start, cpu_start = cpu();
    int measuring = 0;
    size_t out = 0;
    for (; next < depth; next++) {
        sent_at[next % LINES] = now();
        memcpy(batch + out, lines[next % LINES], lengths[next % LINES]);
        out += lengths[next % LINES];
    }
    put(batch, out);
    outstanding = depth;
    while (outstanding > 0) {
        fill();
        double t = now();
        char *line = inbox, *stop = inbox + held, *end_of_line;
        out = 0;
        while ((end_of_line = memchr(line, '\n', stop - line))) {
            outstanding--;
            if (memmem(line, end_of_line - line, "\"error\"", 7) && errors++ < 3) {
                fprintf(stderr, "pipe_driver: %.*s\n", (int)(end_of_line - line < 300 ? end_of_line - line : 300), line);
            }
            if (measuring) {
                calls++, last = t;
                /* Answers of one at a time arrive in order, so this is the call just answered. */
                if (depth == 1 && recorded < (1 << 20)) latencies[recorded++] = (t - sent_at[(next - 1) % LINES]) * 1e6;
            } else if (t >= end) {
                measuring = 1, start = last = t, end = t + seconds, cpu_start = cpu();
            }
            if (t < end) {
                sent_at[next % LINES] = t;
                memcpy(batch + out, lines[next % LINES], lengths[next % LINES]);
                out += lengths[next % LINES];
                next++, outstanding++;
            }
            line = end_of_line + 1;
        }
        held = stop - line;
        memmove(inbox, line, held);
        if (out) put(batch, out);
    }
    double elapsed = last > start ? last - start : 1e-9, spent = cpu() - cpu_start;
    qsort(latencies, recorded, sizeof *latencies, by_value);
    printf("{\"calls\":%ld,\"seconds\":%.6f,\"calls_per_s\":%.1f,\"median_us\":%.2f,\"errors\":%ld,\"driver_cpu_us\":%.3f}\n",
           calls, elapsed, calls / elapsed, recorded ? latencies[recorded / 2] : 0.0, errors,
           calls ? spent * 1e6 / calls : 0.0);
    return errors ? 1 : 0;
}
