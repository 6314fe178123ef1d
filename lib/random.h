/*
 * Random bytes from OpenSSL's CSPRNG (RAND_bytes, seeded by the kernel), for
 * run identifiers, UUIDs and temporary names. libcrypto is linked anyway,
 * for hashing and HMAC.
 */
#ifndef MG_RANDOM_H
#define MG_RANDOM_H

#include <stddef.h>

#include "err.h"

/* Fill out[0..n) with random bytes; MG_EXIT_INFRA (OpenSSL's reason) when the generator fails. */
int mg_random_bytes(unsigned char *out, size_t n, struct mg_err *err);

#endif
