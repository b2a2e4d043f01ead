// Reading docker items straight over GDBus: the search and the secret transfer of the Secret Service API
// (org.freedesktop.Secret.Service.SearchItems, OpenSession, Item.GetSecret), without libsecret's SecretService
// proxy (seven bus round trips to build) and SecretItem proxies (five each).
//
// The transfer is encrypted as libsecret's is: "dh-ietf1024-sha256-aes128-cbc-pkcs7" from the Secret Service
// specification (RFC 2409 1024-bit MODP group, generator 2; HKDF-SHA256 with no salt and no info over the
// shared secret zero-padded to 128 bytes; AES-128-CBC with PKCS#7 padding). A service that does not offer it
// gets "plain", as libsecret falls back.
//
// The arithmetic is libgcrypt's, which libsecret loads anyway (so the helper loads no other crypto library),
// used without its random generator: the private key comes from getrandom, and seeding libgcrypt's generator
// is what makes libsecret's own key exchange slow (about 2 ms a process).
#ifndef OSSB_SECRET_TRANSFER_H
#define OSSB_SECRET_TRANSFER_H

#include <gcrypt.h>
#include <gio/gio.h>
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
    explicit_bzero(transfer->key, sizeof transfer->key);
    g_free(transfer);
}

static inline GVariant *ossb_open_session_call(GDBusConnection *connection, const char *algorithm, GVariant *input,
                                               GCancellable *cancellable, GError **error) {
    return g_dbus_connection_call_sync(
        connection, OSSB_SECRETS_NAME, OSSB_SECRETS_PATH, "org.freedesktop.Secret.Service", "OpenSession",
        g_variant_new("(sv)", algorithm, input), G_VARIANT_TYPE("(vo)"), G_DBUS_CALL_FLAGS_NONE, -1, cancellable, error);
}

// The RFC 2409 Oakley group 2 prime (the "ietf-ike-grp-modp-1024" of libsecret and gnome-keyring).
#define OSSB_IETF_1024_PRIME \
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD" \
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED" \
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF"

// Initialises libgcrypt once, as libsecret would (it skips its own set-up once this has run).
static inline gboolean ossb_gcrypt_ready(void) {
    if (!gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P)) {
        if (gcry_check_version("1.2.2") == NULL) return FALSE;
        gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
    }
    return TRUE;
}

// HMAC-SHA256 of one message.
static inline gboolean ossb_hmac_sha256(const unsigned char *key, size_t n_key, const unsigned char *data,
                                        size_t n_data, unsigned char out[32]) {
    gcry_md_hd_t hmac = NULL;
    if (gcry_md_open(&hmac, GCRY_MD_SHA256, GCRY_MD_FLAG_HMAC) != 0) return FALSE;
    gboolean ok = gcry_md_setkey(hmac, key, n_key) == 0;
    if (ok) {
        gcry_md_write(hmac, data, n_data);
        const unsigned char *digest = gcry_md_read(hmac, GCRY_MD_SHA256);
        ok = digest != NULL;
        if (ok) memcpy(out, digest, 32);
    }
    gcry_md_close(hmac);
    return ok;
}

// Derives the session key from the peer's public key: HKDF-SHA256 (RFC 5869; no salt, so a zero key of hash
// length; no info) of (peer^private mod p) written big-endian and zero-padded to the prime's 128 bytes, as
// libsecret and gnome-keyring do. One HKDF block suffices for the 16-byte key.
static inline gboolean ossb_derive_key(gcry_mpi_t prime, gcry_mpi_t private_key, const unsigned char *peer,
                                       gsize n_peer, unsigned char key[16], GError **error) {
    static const unsigned char zero_salt[32] = {0};
    static const unsigned char counter = 1;
    unsigned char shared_bytes[128], prk[32], block[32];
    size_t n_shared = 0;
    gboolean ok = FALSE;
    gcry_mpi_t peer_key = NULL;
    gcry_mpi_t shared = gcry_mpi_new(1024);
    if (n_peer == 0 || n_peer > 128 || gcry_mpi_scan(&peer_key, GCRYMPI_FMT_USG, peer, n_peer, NULL) != 0 ||
        gcry_mpi_cmp_ui(peer_key, 1) <= 0 || gcry_mpi_cmp(peer_key, prime) >= 0) {
        ossb_crypto_failed(error, "checking the service's public key");
    } else {
        gcry_mpi_powm(shared, peer_key, private_key, prime);
        memset(shared_bytes, 0, sizeof shared_bytes);
        if (gcry_mpi_print(GCRYMPI_FMT_USG, shared_bytes, sizeof shared_bytes, &n_shared, shared) != 0) {
            ossb_crypto_failed(error, "the key exchange");
        } else {
            // Right-align: the number is big-endian, the padding leading zeros.
            memmove(shared_bytes + (sizeof shared_bytes - n_shared), shared_bytes, n_shared);
            memset(shared_bytes, 0, sizeof shared_bytes - n_shared);
            if (ossb_hmac_sha256(zero_salt, sizeof zero_salt, shared_bytes, sizeof shared_bytes, prk) &&
                ossb_hmac_sha256(prk, sizeof prk, &counter, 1, block)) {
                memcpy(key, block, 16);
                ok = TRUE;
            } else {
                ossb_crypto_failed(error, "deriving the session key");
            }
        }
    }
    explicit_bzero(shared_bytes, sizeof shared_bytes);
    explicit_bzero(prk, sizeof prk);
    explicit_bzero(block, sizeof block);
    gcry_mpi_release(shared);
    gcry_mpi_release(peer_key);
    return ok;
}

// Opens an encrypted transfer session (plain when the service does not offer the encrypted one).
static inline OssbTransfer *ossb_transfer_open(GDBusConnection *connection, GCancellable *cancellable, GError **error) {
    OssbTransfer *transfer = g_new0(OssbTransfer, 1);
    // A 256-bit private exponent: twice the group's ~80-bit strength is enough (NIST SP 800-56A), and it makes
    // each modular exponentiation four times cheaper than a full 1024-bit one.
    unsigned char public_bytes[128], random_bytes[32];
    size_t n_public = 0;
    GError *open_error = NULL;
    GVariant *reply = NULL;
    gcry_mpi_t prime = NULL, private_key = NULL;
    gcry_mpi_t generator = gcry_mpi_set_ui(NULL, 2);
    gcry_mpi_t public_key = gcry_mpi_new(1024);
    if (!ossb_gcrypt_ready() || gcry_mpi_scan(&prime, GCRYMPI_FMT_HEX, OSSB_IETF_1024_PRIME, 0, NULL) != 0 ||
        getrandom(random_bytes, sizeof random_bytes, 0) != (ssize_t)sizeof random_bytes ||
        gcry_mpi_scan(&private_key, GCRYMPI_FMT_USG, random_bytes, sizeof random_bytes, NULL) != 0) {
        explicit_bzero(random_bytes, sizeof random_bytes);
        ossb_crypto_failed(error, "generating a key pair");
        goto failed;
    }
    explicit_bzero(random_bytes, sizeof random_bytes);
    gcry_mpi_powm(public_key, generator, private_key, prime);
    if (gcry_mpi_print(GCRYMPI_FMT_USG, public_bytes, sizeof public_bytes, &n_public, public_key) != 0) {
        ossb_crypto_failed(error, "generating a key pair");
        goto failed;
    }
    reply = ossb_open_session_call(
        connection, OSSB_DH_ALGORITHM, g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, public_bytes, n_public, 1),
        cancellable, &open_error);
    if (reply == NULL && g_error_matches(open_error, G_DBUS_ERROR, G_DBUS_ERROR_NOT_SUPPORTED)) {
        g_clear_error(&open_error);
        reply = ossb_open_session_call(connection, "plain", g_variant_new_string(""), cancellable, &open_error);
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
    gcry_mpi_release(private_key);
    gcry_mpi_release(public_key);
    gcry_mpi_release(generator);
    gcry_mpi_release(prime);
    return transfer;
failed:
    if (reply != NULL) g_variant_unref(reply);
    gcry_mpi_release(private_key);
    gcry_mpi_release(public_key);
    gcry_mpi_release(generator);
    gcry_mpi_release(prime);
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
        gcry_cipher_hd_t aes = NULL;
        if (gcry_cipher_open(&aes, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_CBC, 0) != 0 ||
            gcry_cipher_setkey(aes, transfer->key, 16) != 0 || gcry_cipher_setiv(aes, iv, 16) != 0 ||
            gcry_cipher_decrypt(aes, plain, n_value, data, n_value) != 0) {
            ossb_crypto_failed(error, "decrypting the secret");
        } else {
            // PKCS#7: the last byte says how many bytes of padding, each holding that same count.
            unsigned char n_pad = plain[n_value - 1];
            gboolean padded = n_pad >= 1 && n_pad <= 16;
            for (unsigned i = 1; padded && i <= n_pad; i++) padded = plain[n_value - i] == n_pad;
            if (padded) result = g_bytes_new(plain, n_value - n_pad);
            else ossb_crypto_failed(error, "decrypting the secret");
        }
        gcry_cipher_close(aes);
        explicit_bzero(plain, n_value);
        g_free(plain);
    }
    g_variant_unref(value);
    g_variant_unref(parameters);
    g_variant_unref(secret);
    g_variant_unref(reply);
    return result;
}

#endif
