// Reading docker items straight over GDBus: the search and the secret transfer of the Secret Service API
// (org.freedesktop.Secret.Service.SearchItems, OpenSession, Item.GetSecret), without libsecret's SecretService
// proxy (seven bus round trips to build) and its libgcrypt key exchange.
//
// The transfer is encrypted as libsecret's is: "dh-ietf1024-sha256-aes128-cbc-pkcs7" from the Secret Service
// specification (RFC 2409 1024-bit MODP group, generator 2; HKDF-SHA256 with no salt and no info over the
// shared secret zero-padded to 128 bytes; AES-128-CBC with PKCS#7 padding), computed with OpenSSL's libcrypto.
// A service that does not offer it gets "plain", as libsecret falls back.
//
// Only OpenSSL's one-shot primitives are used (BIGNUM, SHA256_*, AES_*), with the private key from getrandom:
// OpenSSL 3's EVP and RAND layers load providers on first use, which measured 2.5 ms of a 16 ms `get`.
// The primitives are deprecated in OpenSSL 3 but kept throughout 3.x.
#ifndef OSSB_SECRET_TRANSFER_H
#define OSSB_SECRET_TRANSFER_H

#define OPENSSL_SUPPRESS_DEPRECATED
#include <gio/gio.h>
#include <openssl/aes.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <string.h>
#include <sys/random.h>

#define OSSB_SECRETS_NAME "org.freedesktop.secrets"
#define OSSB_SECRETS_PATH "/org/freedesktop/secrets"
#define OSSB_DH_ALGORITHM "dh-ietf1024-sha256-aes128-cbc-pkcs7"

static inline gboolean ossb_crypto_failed(GError **error, const char *what) {
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "secret transfer: %s failed", what);
    return FALSE;
}

// Service.SearchItems(attributes) -> (unlocked, locked). The caller frees both with g_strfreev.
static inline gboolean ossb_search_items(GDBusConnection *connection, GHashTable *attributes, gchar ***unlocked,
                                         gchar ***locked, GCancellable *cancellable, GError **error) {
    GVariantBuilder builder;
    g_variant_builder_init(&builder, G_VARIANT_TYPE("a{ss}"));
    GHashTableIter iter;
    gpointer key, value;
    g_hash_table_iter_init(&iter, attributes);
    while (g_hash_table_iter_next(&iter, &key, &value)) g_variant_builder_add(&builder, "{ss}", key, value);
    GVariant *reply = g_dbus_connection_call_sync(
        connection, OSSB_SECRETS_NAME, OSSB_SECRETS_PATH, "org.freedesktop.Secret.Service", "SearchItems",
        g_variant_new("(a{ss})", &builder), G_VARIANT_TYPE("(aoao)"), G_DBUS_CALL_FLAGS_NONE, -1, cancellable, error);
    if (reply == NULL) return FALSE;
    g_variant_get(reply, "(^ao^ao)", unlocked, locked);
    g_variant_unref(reply);
    return TRUE;
}

// Peer.Ping on org.freedesktop.secrets: answers when a Secret Service runs (or is started by D-Bus activation),
// fails with ServiceUnknown when none can.
static inline gboolean ossb_ping_service(GDBusConnection *connection, GCancellable *cancellable, GError **error) {
    GVariant *reply = g_dbus_connection_call_sync(
        connection, OSSB_SECRETS_NAME, OSSB_SECRETS_PATH, "org.freedesktop.DBus.Peer", "Ping", NULL, NULL,
        G_DBUS_CALL_FLAGS_NONE, -1, cancellable, error);
    if (reply == NULL) return FALSE;
    g_variant_unref(reply);
    return TRUE;
}

// One open transfer session: its object path and, for the encrypted algorithm, the AES key.
typedef struct {
    gchar *path;
    gboolean encrypted;
    unsigned char key[16];
} OssbTransfer;

static inline void ossb_transfer_free(OssbTransfer *transfer) {
    if (transfer == NULL) return;
    g_free(transfer->path);
    OPENSSL_cleanse(transfer->key, sizeof transfer->key);
    g_free(transfer);
}

static inline GVariant *ossb_open_session_call(GDBusConnection *connection, const char *algorithm, GVariant *input,
                                               GCancellable *cancellable, GError **error) {
    return g_dbus_connection_call_sync(
        connection, OSSB_SECRETS_NAME, OSSB_SECRETS_PATH, "org.freedesktop.Secret.Service", "OpenSession",
        g_variant_new("(sv)", algorithm, input), G_VARIANT_TYPE("(vo)"), G_DBUS_CALL_FLAGS_NONE, -1, cancellable, error);
}

// HMAC-SHA256 (RFC 2104) of one message, for the key derivation below; `key` at most 64 bytes.
static inline void ossb_hmac_sha256(const unsigned char *key, size_t n_key, const unsigned char *data, size_t n_data,
                                    unsigned char out[SHA256_DIGEST_LENGTH]) {
    unsigned char pad[64], inner[SHA256_DIGEST_LENGTH];
    SHA256_CTX sha;
    memset(pad, 0x36, sizeof pad);
    for (size_t i = 0; i < n_key; i++) pad[i] ^= key[i];
    SHA256_Init(&sha);
    SHA256_Update(&sha, pad, sizeof pad);
    SHA256_Update(&sha, data, n_data);
    SHA256_Final(inner, &sha);
    memset(pad, 0x5c, sizeof pad);
    for (size_t i = 0; i < n_key; i++) pad[i] ^= key[i];
    SHA256_Init(&sha);
    SHA256_Update(&sha, pad, sizeof pad);
    SHA256_Update(&sha, inner, sizeof inner);
    SHA256_Final(out, &sha);
    OPENSSL_cleanse(pad, sizeof pad);
    OPENSSL_cleanse(inner, sizeof inner);
    OPENSSL_cleanse(&sha, sizeof sha);
}

// Derives the session key from the peer's public key: HKDF-SHA256 (RFC 5869; no salt, so a zero key of hash
// length; no info) of (peer^private mod p) written big-endian and zero-padded to the prime's 128 bytes, as
// libsecret and gnome-keyring do. One HKDF block suffices for the 16-byte key.
static inline gboolean ossb_derive_key(const BIGNUM *prime, const BIGNUM *private_key, const unsigned char *peer,
                                       gsize n_peer, unsigned char key[16], GError **error) {
    gboolean ok = FALSE;
    unsigned char shared_bytes[128], prk[SHA256_DIGEST_LENGTH], block[SHA256_DIGEST_LENGTH];
    static const unsigned char zero_salt[SHA256_DIGEST_LENGTH] = {0};
    static const unsigned char counter = 1;
    BN_CTX *bn = BN_CTX_new();
    BIGNUM *peer_key = BN_bin2bn(peer, (int)n_peer, NULL);
    BIGNUM *shared = BN_new();
    if (bn == NULL || peer_key == NULL || shared == NULL) {
        ossb_crypto_failed(error, "allocation");
    } else if (BN_is_zero(peer_key) || BN_is_one(peer_key) || BN_cmp(peer_key, prime) >= 0) {
        ossb_crypto_failed(error, "checking the service's public key");
    } else if (!BN_mod_exp(shared, peer_key, private_key, prime, bn) ||
               BN_bn2binpad(shared, shared_bytes, sizeof shared_bytes) != (int)sizeof shared_bytes) {
        ossb_crypto_failed(error, "the key exchange");
    } else {
        ossb_hmac_sha256(zero_salt, sizeof zero_salt, shared_bytes, sizeof shared_bytes, prk);
        ossb_hmac_sha256(prk, sizeof prk, &counter, 1, block);
        memcpy(key, block, 16);
        ok = TRUE;
    }
    OPENSSL_cleanse(shared_bytes, sizeof shared_bytes);
    OPENSSL_cleanse(prk, sizeof prk);
    OPENSSL_cleanse(block, sizeof block);
    BN_clear_free(shared);
    BN_free(peer_key);
    BN_CTX_free(bn);
    return ok;
}

// Opens an encrypted transfer session (plain when the service does not offer the encrypted one).
static inline OssbTransfer *ossb_transfer_open(GDBusConnection *connection, GCancellable *cancellable, GError **error) {
    OssbTransfer *transfer = g_new0(OssbTransfer, 1);
    BN_CTX *bn = BN_CTX_new();
    BIGNUM *prime = BN_get_rfc2409_prime_1024(NULL);
    BIGNUM *generator = BN_new();
    BIGNUM *private_key = BN_new();
    BIGNUM *public_key = BN_new();
    // A 256-bit private exponent: twice the group's ~80-bit strength is enough (NIST SP 800-56A), and it makes
    // each modular exponentiation four times cheaper than a full 1024-bit one.
    unsigned char public_bytes[128], random_bytes[32];
    int n_public = 0;
    GError *open_error = NULL;
    GVariant *reply = NULL;
    if (bn == NULL || prime == NULL || generator == NULL || private_key == NULL || public_key == NULL ||
        !BN_set_word(generator, 2) || getrandom(random_bytes, sizeof random_bytes, 0) != (ssize_t)sizeof random_bytes ||
        BN_bin2bn(random_bytes, sizeof random_bytes, private_key) == NULL ||
        (BN_set_flags(private_key, BN_FLG_CONSTTIME), !BN_mod_exp(public_key, generator, private_key, prime, bn))) {
        OPENSSL_cleanse(random_bytes, sizeof random_bytes);
        ossb_crypto_failed(error, "generating a key pair");
        goto failed;
    }
    OPENSSL_cleanse(random_bytes, sizeof random_bytes);
    n_public = BN_bn2bin(public_key, public_bytes);
    reply = ossb_open_session_call(
        connection, OSSB_DH_ALGORITHM,
        g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, public_bytes, n_public, 1),
        cancellable, &open_error);
    if (reply == NULL && g_error_matches(open_error, G_DBUS_ERROR, G_DBUS_ERROR_NOT_SUPPORTED)) {
        g_clear_error(&open_error);
        reply = ossb_open_session_call(connection, "plain", g_variant_new_string(""),
                                       cancellable, &open_error);
        if (reply == NULL) { g_propagate_error(error, open_error); goto failed; }
        GVariant *ignored = NULL;
        g_variant_get(reply, "(vo)", &ignored, &transfer->path);
        g_variant_unref(ignored);
        transfer->encrypted = FALSE;
    } else if (reply == NULL) {
        g_propagate_error(error, open_error);
        goto failed;
    } else {
        GVariant *output = NULL;
        g_variant_get(reply, "(vo)", &output, &transfer->path);
        gboolean derived = FALSE;
        if (g_variant_is_of_type(output, G_VARIANT_TYPE("ay"))) {
            gsize n_peer = 0;
            const unsigned char *peer = g_variant_get_fixed_array(output, &n_peer, 1);
            derived = ossb_derive_key(prime, private_key, peer, n_peer, transfer->key, error);
        } else {
            ossb_crypto_failed(error, "reading the service's public key");
        }
        g_variant_unref(output);
        if (!derived) goto failed;
        transfer->encrypted = TRUE;
    }
    g_variant_unref(reply);
    BN_clear_free(private_key);
    BN_free(public_key);
    BN_free(generator);
    BN_free(prime);
    BN_CTX_free(bn);
    return transfer;
failed:
    if (reply != NULL) g_variant_unref(reply);
    BN_clear_free(private_key);
    BN_free(public_key);
    BN_free(generator);
    BN_free(prime);
    BN_CTX_free(bn);
    ossb_transfer_free(transfer);
    return NULL;
}

// Item.GetSecret(session): the secret's bytes, decrypted. Returns NULL with `error` set on failure.
static inline GBytes *ossb_transfer_get_secret(OssbTransfer *transfer, GDBusConnection *connection, const char *item,
                                               GCancellable *cancellable, GError **error) {
    GVariant *reply = g_dbus_connection_call_sync(
        connection, OSSB_SECRETS_NAME, item, "org.freedesktop.Secret.Item", "GetSecret",
        g_variant_new("(o)", transfer->path), G_VARIANT_TYPE("((oayays))"), G_DBUS_CALL_FLAGS_NONE, -1, cancellable,
        error);
    if (reply == NULL) return NULL;
    GVariant *secret = g_variant_get_child_value(reply, 0);
    GVariant *parameters = g_variant_get_child_value(secret, 1);
    GVariant *value = g_variant_get_child_value(secret, 2);
    gsize n_iv = 0, n_value = 0;
    const unsigned char *iv = g_variant_get_fixed_array(parameters, &n_iv, 1);
    const unsigned char *data = g_variant_get_fixed_array(value, &n_value, 1);
    GBytes *result = NULL;
    if (!transfer->encrypted) {
        result = g_bytes_new(data, n_value);
    } else if (n_iv != 16 || n_value == 0 || n_value % 16 != 0) {
        ossb_crypto_failed(error, "reading the encrypted secret");
    } else {
        unsigned char *plain = g_malloc(n_value);
        unsigned char chain[16];
        AES_KEY aes;
        memcpy(chain, iv, 16);
        if (AES_set_decrypt_key(transfer->key, 128, &aes) != 0) {
            ossb_crypto_failed(error, "preparing the session key");
        } else {
            AES_cbc_encrypt(data, plain, n_value, &aes, chain, AES_DECRYPT);
            // PKCS#7: the last byte says how many bytes of padding, each holding that same count.
            unsigned char n_pad = plain[n_value - 1];
            gboolean padded = n_pad >= 1 && n_pad <= 16;
            for (unsigned i = 1; padded && i <= n_pad; i++) padded = plain[n_value - i] == n_pad;
            if (padded) result = g_bytes_new(plain, n_value - n_pad);
            else ossb_crypto_failed(error, "decrypting the secret");
        }
        OPENSSL_cleanse(&aes, sizeof aes);
        OPENSSL_cleanse(plain, n_value);
        g_free(plain);
    }
    g_variant_unref(value);
    g_variant_unref(parameters);
    g_variant_unref(secret);
    g_variant_unref(reply);
    return result;
}

#endif
