// libssl from Debian's libssl-dev (OpenSSL 3), for the TLS side of the fake IM servers.
// The functions are static inline because a system-library target compiles no C file.
#ifndef ALERTBOX_CSSL_SHIM_H
#define ALERTBOX_CSSL_SHIM_H

#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

/// The result of a non-blocking TLS step.
enum alertbox_tls_status {
    ALERTBOX_TLS_DONE = 0,
    /// The step needs more bytes from the peer; call it again when the socket is readable.
    ALERTBOX_TLS_WANT_READ = 1,
    /// The peer closed the TLS session or the connection.
    ALERTBOX_TLS_CLOSED = 2,
    /// The handshake or record layer failed, for example because the client rejected the
    /// certificate and sent an alert.
    ALERTBOX_TLS_FAILED = 3,
};

/// Creates a server SSL_CTX with TLS 1.2 as the minimum version, loading the PEM certificate
/// chain and private key from files with SSL_CTX_use_certificate_chain_file(3) and
/// SSL_CTX_use_PrivateKey_file(3). Returns NULL when a file is missing or the key does not
/// match the certificate.
static inline SSL_CTX *alertbox_tls_server_context(const char *certificate_path, const char *key_path) {
    SSL_CTX *context = SSL_CTX_new(TLS_server_method());
    if (context == NULL) {
        return NULL;
    }
    SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
    if (SSL_CTX_use_certificate_chain_file(context, certificate_path) != 1 ||
        SSL_CTX_use_PrivateKey_file(context, key_path, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(context) != 1) {
        SSL_CTX_free(context);
        ERR_clear_error();
        return NULL;
    }
    return context;
}

static inline void alertbox_tls_context_free(SSL_CTX *context) {
    SSL_CTX_free(context);
}

/// Creates a server-side SSL object on an accepted, non-blocking socket with SSL_new(3) and
/// SSL_set_fd(3). Returns NULL on failure.
static inline SSL *alertbox_tls_new(SSL_CTX *context, int descriptor) {
    SSL *ssl = SSL_new(context);
    if (ssl == NULL) {
        return NULL;
    }
    if (SSL_set_fd(ssl, descriptor) != 1) {
        SSL_free(ssl);
        return NULL;
    }
    SSL_set_accept_state(ssl);
    return ssl;
}

/// Frees the SSL object without sending close_notify; the caller closes the socket.
static inline void alertbox_tls_free(SSL *ssl) {
    SSL_free(ssl);
}

static inline int alertbox_tls_status_of(SSL *ssl, int result) {
    int error = SSL_get_error(ssl, result);
    ERR_clear_error();
    switch (error) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
        return ALERTBOX_TLS_WANT_READ;
    case SSL_ERROR_ZERO_RETURN:
        return ALERTBOX_TLS_CLOSED;
    case SSL_ERROR_SYSCALL:
        return result == 0 || errno == ECONNRESET || errno == EPIPE ? ALERTBOX_TLS_CLOSED : ALERTBOX_TLS_FAILED;
    default:
        return ALERTBOX_TLS_FAILED;
    }
}

/// Advances the server handshake with SSL_accept(3).
static inline int alertbox_tls_accept(SSL *ssl) {
    int result = SSL_accept(ssl);
    return result == 1 ? ALERTBOX_TLS_DONE : alertbox_tls_status_of(ssl, result);
}

/// Reads decrypted bytes with SSL_read_ex(3). On ALERTBOX_TLS_DONE, `*count` is the
/// number of bytes read, at least 1.
static inline int alertbox_tls_read(SSL *ssl, void *buffer, size_t length, size_t *count) {
    *count = 0;
    int result = SSL_read_ex(ssl, buffer, length, count);
    return result == 1 ? ALERTBOX_TLS_DONE : alertbox_tls_status_of(ssl, result);
}

/// Writes all `length` bytes with SSL_write_ex(3), waiting with poll(2) up to `timeout_ms`
/// for each step that the non-blocking socket cannot take at once. Returns 1 when every
/// byte was written and 0 otherwise.
static inline int alertbox_tls_write_all(SSL *ssl, int descriptor, const void *buffer, size_t length, int timeout_ms) {
    const unsigned char *bytes = (const unsigned char *)buffer;
    while (length > 0) {
        size_t written = 0;
        int result = SSL_write_ex(ssl, bytes, length, &written);
        if (result == 1) {
            bytes += written;
            length -= written;
            continue;
        }
        int error = SSL_get_error(ssl, result);
        ERR_clear_error();
        if (error != SSL_ERROR_WANT_WRITE && error != SSL_ERROR_WANT_READ) {
            return 0;
        }
        struct pollfd entry = {descriptor, error == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN, 0};
        if (poll(&entry, 1, timeout_ms) <= 0) {
            return 0;
        }
    }
    return 1;
}

#endif
