// Typed, non-variadic entry points for the variadic parts of libcurl's API, which Swift cannot call
// (`curl_easy_setopt`, `curl_multi_setopt`, `curl_easy_getinfo`). One function per value type, as
// swift-corelibs-foundation's Sources/_CFURLSessionInterface does. Declarations only: every policy
// (retries, deadlines, errors, cookies) lives in Swift.
#ifndef CURL_SHIM_H
#define CURL_SHIM_H

#include <curl/curl.h>
// The HTTP loop's wake-up, which the Glibc module does not bring.
#include <sys/eventfd.h>

typedef size_t (*curlshim_data_callback)(char *data, size_t size, size_t count, void *user);

CURLcode curlshim_easy_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode curlshim_easy_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode curlshim_easy_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode curlshim_easy_setopt_data_callback(CURL *handle, CURLoption option, curlshim_data_callback callback);

CURLMcode curlshim_multi_setopt_long(CURLM *multi, CURLMoption option, long value);

CURLcode curlshim_easy_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode curlshim_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value);

#endif
