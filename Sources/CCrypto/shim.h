// OpenSSL's EVP digest interface, for SHA-256 over streamed blobs (about 1.7 GB/s with the CPU's SHA
// instructions, against about 200 MiB/s for plain Swift); its HMAC, for the cloud helpers' request signing
// (AWS Signature Version 4); and PEM key parsing with EVP signing, for the RS256 assertions cloud token endpoints
// take (Google service account keys); and X.509 parsing for the certificate an Entra ID client assertion names
// (its DER and SHA-1 thumbprint), and PKCS#12 (PFX) parsing for such a certificate exported with its key.
#ifndef OSSB_CCRYPTO_SHIM_H
#define OSSB_CCRYPTO_SHIM_H
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>

// OpenSSL's typed stack accessors are macros, which Swift does not import.
static inline int ossb_x509_stack_count(const STACK_OF(X509) *stack) { return sk_X509_num(stack); }
static inline X509 *ossb_x509_stack_value(const STACK_OF(X509) *stack, int index) {
    return sk_X509_value(stack, index);
}
static inline void ossb_x509_stack_free(STACK_OF(X509) *stack) { sk_X509_pop_free(stack, X509_free); }
#endif
