// Swift cannot call C variadic functions, and curl_easy_setopt/curl_easy_getinfo are variadic. One wrapper per
// argument type makes them callable. A wrong wrapper still compiles and silently misbehaves (a long passed for
// CURLOPT_URL clears the URL), so CurlEasy checks the option number's type range before calling these.
#ifndef OSSB_CCURL_SHIM_H
#define OSSB_CCURL_SHIM_H
#include <curl/curl.h>
#include <stddef.h>

typedef size_t (*ossb_curl_data_callback)(char *buffer, size_t size, size_t count, void *userdata);
typedef int (*ossb_curl_xferinfo_callback)(void *userdata, curl_off_t dltotal, curl_off_t dlnow,
                                           curl_off_t ultotal, curl_off_t ulnow);

static inline CURLcode ossb_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode ossb_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode ossb_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode ossb_curl_setopt_off(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode ossb_curl_setopt_data_callback(CURL *handle, CURLoption option, ossb_curl_data_callback value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode ossb_curl_setopt_xferinfo(CURL *handle, ossb_curl_xferinfo_callback value) {
    return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, value);
}
/// Sets a blob option (CURLOPT_CAINFO_BLOB and the like); libcurl copies the bytes.
static inline CURLcode ossb_curl_setopt_blob(CURL *handle, CURLoption option, void *data, size_t length) {
    struct curl_blob blob;
    blob.data = data;
    blob.len = length;
    blob.flags = CURL_BLOB_COPY;
    return curl_easy_setopt(handle, option, &blob);
}
static inline CURLcode ossb_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode ossb_curl_getinfo_string(CURL *handle, CURLINFO info, char **value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode ossb_curl_getinfo_off(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}
#endif
