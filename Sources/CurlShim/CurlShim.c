#include "CurlShim.h"

#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

// The one library loaded, by soname only (libcurl's ABI since 7.16), never a bare libcurl.so, which
// is a development symlink. scripts/package lists it in bin/NEEDED, as DT_NEEDED no longer does.
static const char soname[] = "libcurl.so.4";

// Every libcurl function the bridge calls, typed from <curl/curl.h>.
#define CURLSHIM_FUNCTIONS(F)                                                                        \
    F(global_init) F(easy_init) F(easy_cleanup) F(easy_strerror) F(easy_setopt) F(easy_getinfo)      \
    F(slist_append) F(slist_free_all) F(multi_init) F(multi_setopt) F(multi_add_handle)               \
    F(multi_remove_handle) F(multi_perform) F(multi_poll) F(multi_info_read) F(version_info)

// All set once `load` succeeded, all NULL otherwise; written only inside `once`.
static struct {
#define FIELD(name) __typeof__(curl_##name) *name;
    CURLSHIM_FUNCTIONS(FIELD)
#undef FIELD
} curl;

static pthread_once_t once = PTHREAD_ONCE_INIT;
// Why libcurl is not there, once `load` failed.
static const char *failure;
static char failure_text[768];

static void load(void) {
    const char *error = NULL;
    void *library = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) error = dlerror();
#define RESOLVE(name)                                                                                  \
    if (error == NULL && (curl.name = (__typeof__(curl.name))dlsym(library, "curl_" #name)) == NULL) \
        error = dlerror();
    CURLSHIM_FUNCTIONS(RESOLVE)
#undef RESOLVE
    if (error == NULL) return;
    // Before dlclose, which reuses dlerror's text.
    snprintf(failure_text, sizeof failure_text,
             "cannot load %s (%s), so every call that needs HTTP fails: install or update libcurl "
             "(Debian/Ubuntu: libcurl4, libcurl4t64 on Debian 13 and Ubuntu 24.04; Fedora/RHEL: libcurl)",
             soname, error);
    failure = failure_text;
    if (library != NULL) dlclose(library);
    memset(&curl, 0, sizeof curl);
    // The bridge's log format (Bridge/Logger.swift); one write, so one whole line.
    char line[sizeof failure_text + 64];
    int length = snprintf(line, sizeof line, "medusa-auth-bridge [error] %s\n", failure_text);
    if (length > 0 && (size_t)length < sizeof line) (void)!write(STDERR_FILENO, line, (size_t)length);
}

static void *preload(void *unused) {
    (void)unused;
    pthread_once(&once, load);
    return NULL;
}

// Called by main once the bridge's own threads run (Main.swift says why not earlier).
void curlshim_preload(void) {
    static atomic_flag started = ATOMIC_FLAG_INIT;
    if (atomic_flag_test_and_set(&started)) return;
    // The thread takes no signal meant for the bridge's own handlers.
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    pthread_t thread;
    // If no thread can be started, the first use loads libcurl instead.
    if (pthread_create(&thread, NULL, preload, NULL) == 0) pthread_detach(thread);
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
}

const char *curlshim_unavailable(void) {
    pthread_once(&once, load);
    return failure;
}

// Functions without a handle wait for the load and fail like libcurl out of memory without it. The
// others take a handle, which only a loaded libcurl makes, so they call straight through.

CURLcode curlshim_global_init(long flags) {
    return curlshim_unavailable() ? CURLE_FAILED_INIT : curl.global_init(flags);
}

CURL *curlshim_easy_init(void) {
    return curlshim_unavailable() ? NULL : curl.easy_init();
}

const char *curlshim_easy_strerror(CURLcode code) {
    return curlshim_unavailable() ? "libcurl is not loaded" : curl.easy_strerror(code);
}

struct curl_slist *curlshim_slist_append(struct curl_slist *list, const char *string) {
    return curlshim_unavailable() ? NULL : curl.slist_append(list, string);
}

void curlshim_slist_free_all(struct curl_slist *list) {
    if (list != NULL) curl.slist_free_all(list);
}

int curlshim_version_features(void) {
    return curlshim_unavailable() ? 0 : curl.version_info(CURLVERSION_NOW)->features;
}

CURLM *curlshim_multi_init(void) {
    return curlshim_unavailable() ? NULL : curl.multi_init();
}

void curlshim_easy_cleanup(CURL *handle) {
    curl.easy_cleanup(handle);
}

CURLMcode curlshim_multi_add_handle(CURLM *multi, CURL *handle) {
    return curl.multi_add_handle(multi, handle);
}

CURLMcode curlshim_multi_remove_handle(CURLM *multi, CURL *handle) {
    return curl.multi_remove_handle(multi, handle);
}

CURLMcode curlshim_multi_perform(CURLM *multi, int *running) {
    return curl.multi_perform(multi, running);
}

CURLMcode curlshim_multi_poll(CURLM *multi, struct curl_waitfd extra[], unsigned count, int timeout_ms, int *ready) {
    return curl.multi_poll(multi, extra, count, timeout_ms, ready);
}

CURLMsg *curlshim_multi_info_read(CURLM *multi, int *left) {
    return curl.multi_info_read(multi, left);
}

CURLcode curlshim_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl.easy_setopt(handle, option, value);
}

CURLcode curlshim_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl.easy_setopt(handle, option, value);
}

CURLcode curlshim_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl.easy_setopt(handle, option, value);
}

CURLcode curlshim_easy_setopt_data_callback(CURL *handle, CURLoption option, curlshim_data_callback callback) {
    return curl.easy_setopt(handle, option, callback);
}

CURLMcode curlshim_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return curl.multi_setopt(multi, option, value);
}

CURLcode curlshim_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl.easy_getinfo(handle, info, value);
}

CURLcode curlshim_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value) {
    return curl.easy_getinfo(handle, info, value);
}
