// libcrypto from Debian's libssl-dev (OpenSSL 3).
#ifndef ALERTBOX_CCRYPTO_SHIM_H
#define ALERTBOX_CCRYPTO_SHIM_H

#include <stddef.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

/// Computes HMAC-SHA256 of `message` keyed by `key` into the 32 bytes at `digest` with
/// HMAC(3). An empty key or message may come with a null pointer, which HMAC(3) does not
/// accept for every OpenSSL version, so both are replaced by a pointer to an empty buffer.
/// Returns 1 on success and 0 on failure.
static inline int alertbox_hmac_sha256(const void *key, size_t key_length, const void *message,
                                       size_t message_length, unsigned char digest[32]) {
    static const unsigned char empty[1] = {0};
    unsigned int digest_length = 0;
    if (key_length > 2147483647) {
        return 0;
    }
    const unsigned char *result =
        HMAC(EVP_sha256(), key_length == 0 ? empty : key, (int)key_length,
             message_length == 0 ? empty : message, message_length, digest, &digest_length);
    return result != NULL && digest_length == 32;
}

#endif
