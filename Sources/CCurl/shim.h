// libcurl from Debian's libcurl4-openssl-dev.
#ifndef ALERTBOX_CCURL_SHIM_H
#define ALERTBOX_CCURL_SHIM_H

#include <curl/curl.h>

// curl_easy_setopt(3) and curl_easy_getinfo(3) are variadic, which Swift cannot call. Each
// wrapper below passes one argument type, which must be the type that the option's
// CURLOPTTYPE_* or the info's CURLINFO_* requires. Passing an option of another type is
// undefined behaviour in libcurl.

/// Initializes libcurl with curl_global_init(CURL_GLOBAL_DEFAULT), whose flags are a macro
/// expression that Swift does not import.
static inline CURLcode alertbox_curl_global_init(void) {
    return curl_global_init(CURL_GLOBAL_DEFAULT);
}

/// The signature of CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION.
typedef size_t (*alertbox_curl_data_callback)(char *data, size_t size, size_t count, void *context);

/// Sets a CURLOPTTYPE_LONG option, such as CURLOPT_CONNECTTIMEOUT_MS.
static inline CURLcode alertbox_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

/// Sets a CURLOPTTYPE_OFF_T option, such as CURLOPT_POSTFIELDSIZE_LARGE.
static inline CURLcode alertbox_curl_setopt_offset(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

/// Sets a CURLOPTTYPE_STRINGPOINT option, such as CURLOPT_URL. libcurl copies the string,
/// except for CURLOPT_POSTFIELDS, which this project does not set.
static inline CURLcode alertbox_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

/// Sets a CURLOPTTYPE_OBJECTPOINT or CURLOPTTYPE_SLISTPOINT option, such as CURLOPT_WRITEDATA
/// or CURLOPT_HTTPHEADER. libcurl keeps the pointer, so it must outlive the transfer.
static inline CURLcode alertbox_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

/// Sets CURLOPT_WRITEFUNCTION or CURLOPT_HEADERFUNCTION.
static inline CURLcode alertbox_curl_setopt_data_callback(CURL *handle, CURLoption option,
                                                          alertbox_curl_data_callback callback) {
    return curl_easy_setopt(handle, option, callback);
}

/// Reads a CURLINFO_LONG value, such as CURLINFO_RESPONSE_CODE.
static inline CURLcode alertbox_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

/// Reads a CURLINFO_OFF_T value, such as CURLINFO_CONNECT_TIME_T.
static inline CURLcode alertbox_curl_getinfo_offset(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}

#endif
