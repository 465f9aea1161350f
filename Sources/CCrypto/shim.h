// libcrypto from Debian's libssl-dev (OpenSSL 3).
#ifndef ALERTBOX_CCRYPTO_SHIM_H
#define ALERTBOX_CCRYPTO_SHIM_H

#include <stddef.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

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

/// Derives `output_length` bytes from `password` and `salt` with PBKDF2-HMAC-SHA256 and
/// `iterations` rounds, with PKCS5_PBKDF2_HMAC(3). Returns 1 on success and 0 on failure.
static inline int alertbox_pbkdf2_sha256(const void *password, size_t password_length, const unsigned char *salt,
                                         size_t salt_length, unsigned int iterations, unsigned char *output,
                                         size_t output_length) {
    static const char empty[1] = {0};
    if (password_length > 2147483647 || salt_length > 2147483647 || iterations > 2147483647 || output_length > 2147483647) {
        return 0;
    }
    return PKCS5_PBKDF2_HMAC(password_length == 0 ? empty : (const char *)password, (int)password_length, salt,
                             (int)salt_length, (int)iterations, EVP_sha256(), (int)output_length, output);
}

/// Fills `length` bytes at `buffer` from the CSPRNG with RAND_bytes(3). Returns 1 on success.
static inline int alertbox_random_bytes(unsigned char *buffer, size_t length) {
    if (length > 2147483647) {
        return 0;
    }
    return RAND_bytes(buffer, (int)length);
}

/// Compares `length` bytes in time that does not depend on their contents, with
/// CRYPTO_memcmp(3). Returns 0 when they are equal.
static inline int alertbox_constant_time_compare(const void *left, const void *right, size_t length) {
    return CRYPTO_memcmp(left, right, length);
}

#endif
