/* The engine's floor (issue 9): GETs of one URL through libcurl's multi interface, as the bridge's
 * engine makes them, with nothing else: keep-alive, at most MAXCONN connections to the host, HTTP/2
 * over TLS when the server offers it (multiplexed, PIPEWAIT), Accept-Encoding offered, bodies
 * discarded. Keeps INFLIGHT transfers running for WARMUP seconds, then counts SECONDS more. HTTP is
 * `2tls` (HTTP/2 when TLS's ALPN offers it, as the engine does) or `1.1` (HTTP/1.1 only, to compare).
 *   curl_floor URL SECONDS WARMUP INFLIGHT MAXCONN CAFILE|- HTTP ['Header: value' ...]
 * Prints one JSON line: calls, seconds, calls_per_s, median_us (latency of one call), errors,
 * http_version of the last answer, connections opened. Built by bench/run with `cc -O2 -lcurl`. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static size_t discard(char *data, size_t size, size_t count, void *user) {
    (void)data, (void)user;
    return size * count;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc < 8) {
        fprintf(stderr, "usage: curl_floor URL SECONDS WARMUP INFLIGHT MAXCONN CAFILE|- 2tls|1.1 [HEADER...]\n");
        return 2;
    }
    double seconds = atof(argv[2]), warmup = atof(argv[3]);
    int inflight = atoi(argv[4]), maxconn = atoi(argv[5]);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURLM *multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)maxconn);
    curl_multi_setopt(multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
    struct curl_slist *headers = NULL;
    long http = strcmp(argv[7], "1.1") == 0 ? CURL_HTTP_VERSION_1_1 : CURL_HTTP_VERSION_2TLS;
    for (int i = 8; i < argc; i++) headers = curl_slist_append(headers, argv[i]);
    /* Accept-Encoding as a header, listing what CURLOPT_ACCEPT_ENCODING "" offers, as the engine sends
     * it (Sources/CurlEngine/HeaderList.swift): the same bytes, without libcurl formatting its own line. */
    curl_version_info_data *info = curl_version_info(CURLVERSION_NOW);
    char offered[64] = "Accept-Encoding: ";
    if (info->features & CURL_VERSION_LIBZ) strcat(offered, "deflate, gzip, ");
    if (info->features & CURL_VERSION_BROTLI) strcat(offered, "br, ");
    if (info->features & CURL_VERSION_ZSTD) strcat(offered, "zstd, ");
    size_t length = strlen(offered);
    if (offered[length - 2] == ',') offered[length - 2] = 0;
    else strcat(offered, "identity");
    headers = curl_slist_append(headers, offered);
    double *started = calloc(inflight, sizeof *started);
    size_t capacity = 1 << 16, recorded = 0;
    double *latencies = malloc(capacity * sizeof *latencies);
    long calls = 0, errors = 0, version = 0, connections = 0;
    double t0 = now(), start = t0, end = t0 + warmup, last = t0;
    int measuring = 0, active = 0;
    for (long i = 0; i < inflight; i++) {
        CURL *easy = curl_easy_init();
        curl_easy_setopt(easy, CURLOPT_URL, argv[1]);
        curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, http);
        curl_easy_setopt(easy, CURLOPT_PIPEWAIT, 1L);
        curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
        curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
        if (argv[6][0] != '-') curl_easy_setopt(easy, CURLOPT_CAINFO, argv[6]);
        curl_easy_setopt(easy, CURLOPT_PRIVATE, (void *)i);
        started[i] = now();
        curl_multi_add_handle(multi, easy);
        active++;
    }
    while (active > 0) {
        int running, queued;
        curl_multi_perform(multi, &running);
        CURLMsg *msg;
        while ((msg = curl_multi_info_read(multi, &queued))) {
            if (msg->msg != CURLMSG_DONE) continue;
            CURL *easy = msg->easy_handle;
            void *private;
            long status = 0, opened = 0;
            curl_easy_getinfo(easy, CURLINFO_PRIVATE, &private);
            curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
            curl_easy_getinfo(easy, CURLINFO_HTTP_VERSION, &version);
            curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &opened);
            connections += opened;
            long slot = (long)private;
            double t = now();
            if (msg->data.result != CURLE_OK || status != 200) {
                if (errors++ < 3) fprintf(stderr, "curl_floor: %s, status %ld\n", curl_easy_strerror(msg->data.result), status);
            }
            if (measuring) {
                calls++;
                last = t;
                if (recorded == capacity) latencies = realloc(latencies, (capacity *= 2) * sizeof *latencies);
                latencies[recorded++] = (t - started[slot]) * 1e6;
            }
            curl_multi_remove_handle(multi, easy);
            if (t >= end && !measuring) measuring = 1, start = last = t, end = t + seconds;
            if (t >= end) {
                curl_easy_cleanup(easy);
                active--;
                continue;
            }
            started[slot] = t;
            curl_multi_add_handle(multi, easy);
        }
        if (active > 0) curl_multi_poll(multi, NULL, 0, 1000, NULL);
    }
    qsort(latencies, recorded, sizeof *latencies, by_value);
    double elapsed = last > start ? last - start : 1e-9;
    printf("{\"calls\":%ld,\"seconds\":%.6f,\"calls_per_s\":%.1f,\"median_us\":%.2f,\"errors\":%ld,"
           "\"http_version\":\"%s\",\"connections\":%ld}\n",
           calls, elapsed, calls / elapsed, recorded ? latencies[recorded / 2] : 0.0, errors,
           version == CURL_HTTP_VERSION_2_0 ? "2" : version == CURL_HTTP_VERSION_1_1 ? "1.1" : "other",
           connections);
    curl_multi_cleanup(multi);
    curl_slist_free_all(headers);
    curl_global_cleanup();
    return errors ? 1 : 0;
}
