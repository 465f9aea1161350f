// libmosquitto from Debian's libmosquitto-dev (2.0.11 on bookworm).
#ifndef ALERTBOX_CMOSQUITTO_SHIM_H
#define ALERTBOX_CMOSQUITTO_SHIM_H

#include <pthread.h>
#include <mosquitto.h>

/// The `cert_reqs` value of mosquitto_tls_opts_set(3) that turns on verification of the
/// broker's certificate. It is OpenSSL's SSL_VERIFY_PEER, a macro that Swift cannot import
/// without the OpenSSL headers.
static const int alertbox_mosquitto_verify_peer = 1;

static pthread_once_t alertbox_mosquitto_once = PTHREAD_ONCE_INIT;
static int alertbox_mosquitto_init_result = -1;

static void alertbox_mosquitto_init_body(void) {
    alertbox_mosquitto_init_result = mosquitto_lib_init();
}

/// Calls mosquitto_lib_init() once per process, from whichever thread calls first, because the
/// library's own initialisation is not thread-safe. Returns its MOSQ_ERR_* result.
static inline int alertbox_mosquitto_lib_init_once(void) {
    pthread_once(&alertbox_mosquitto_once, alertbox_mosquitto_init_body);
    return alertbox_mosquitto_init_result;
}

#endif
