// libcurl's headers from the system (Debian/Ubuntu: libcurl4-openssl-dev); libcurl itself is loaded by CurlShim.
#include <curl/curl.h>
