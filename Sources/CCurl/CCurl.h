// libcurl from the system (Debian/Ubuntu: libcurl4-openssl-dev), found through pkg-config `libcurl`.
#include <curl/curl.h>
