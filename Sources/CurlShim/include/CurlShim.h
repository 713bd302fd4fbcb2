// The bridge's only door to libcurl. libcurl is not linked: it is loaded with dlopen (soname
// libcurl.so.4) and every function the bridge calls goes through a curlshim_ wrapper here, so that
// start-up does not map libcurl and its ~35 libraries before `main`, and a `ping` never waits for them
// (issue 9). Types and constants still come from <curl/curl.h>.
//
// Also typed, non-variadic entry points for the variadic parts of libcurl's API, which Swift cannot
// call (`curl_easy_setopt`, `curl_multi_setopt`, `curl_easy_getinfo`). One function per value type, as
// swift-corelibs-foundation's Sources/_CFURLSessionInterface does. Declarations only: every policy
// (retries, deadlines, errors, cookies) lives in Swift.
#ifndef CURL_SHIM_H
#define CURL_SHIM_H

#include <curl/curl.h>
// The HTTP loop's wake-up, which the Glibc module does not bring.
#include <sys/eventfd.h>

// Starts loading libcurl on a thread of its own and returns at once; later calls do nothing. Without
// it, the first use loads libcurl.
void curlshim_preload(void);

// NULL once libcurl is loaded; else why it could not be (one sentence naming libcurl.so.4, the
// loader's error and the packages to install), which is also written once to stderr. Waits for a load
// under way, or loads. Without libcurl the wrappers that take no handle fail as libcurl does out of
// memory (NULL, or an error code) and the others are never reached: only libcurl makes handles.
const char *curlshim_unavailable(void);

typedef size_t (*curlshim_data_callback)(char *data, size_t size, size_t count, void *user);

CURLcode curlshim_global_init(long flags);
CURL *curlshim_easy_init(void);
void curlshim_easy_cleanup(CURL *handle);
const char *curlshim_easy_strerror(CURLcode code);
struct curl_slist *curlshim_slist_append(struct curl_slist *list, const char *string);
void curlshim_slist_free_all(struct curl_slist *list);
// `curl_version_info(CURLVERSION_NOW)->features` (CURL_VERSION_LIBZ, _BROTLI, _ZSTD, ...); 0 without libcurl.
int curlshim_version_features(void);

CURLM *curlshim_multi_init(void);
CURLMcode curlshim_multi_add_handle(CURLM *multi, CURL *handle);
CURLMcode curlshim_multi_remove_handle(CURLM *multi, CURL *handle);
CURLMcode curlshim_multi_perform(CURLM *multi, int *running);
CURLMcode curlshim_multi_poll(CURLM *multi, struct curl_waitfd extra[], unsigned count, int timeout_ms, int *ready);
CURLMsg *curlshim_multi_info_read(CURLM *multi, int *left);

CURLcode curlshim_easy_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode curlshim_easy_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode curlshim_easy_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode curlshim_easy_setopt_data_callback(CURL *handle, CURLoption option, curlshim_data_callback callback);

CURLMcode curlshim_multi_setopt_long(CURLM *multi, CURLMoption option, long value);

CURLcode curlshim_easy_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode curlshim_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value);

#endif
