// OpenSSL's EVP digest interface, for SHA-256 over streamed blobs (about 1.7 GB/s with the CPU's SHA
// instructions, against about 200 MiB/s for plain Swift); its HMAC, for the cloud helpers' request signing
// (AWS Signature Version 4); and PEM key parsing with EVP signing, for the RS256 assertions cloud token endpoints
// take (Google service account keys); and X.509 parsing for the certificate an Entra ID client assertion names
// (its DER and SHA-1 thumbprint).
#ifndef OSSB_CCRYPTO_SHIM_H
#define OSSB_CCRYPTO_SHIM_H
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#endif
