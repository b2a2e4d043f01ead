// OpenSSL's EVP digest interface, for SHA-256 over streamed blobs (about 1.7 GB/s with the CPU's SHA
// instructions, against about 200 MiB/s for plain Swift), and its HMAC, for the cloud helpers' request signing
// (AWS Signature Version 4).
#ifndef OSSB_CCRYPTO_SHIM_H
#define OSSB_CCRYPTO_SHIM_H
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#endif
