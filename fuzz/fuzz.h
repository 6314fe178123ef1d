/*
 * Fuzz targets: each fuzz/fuzz_<parser>.c defines the libFuzzer entry
 * point, so the same file builds with clang -fsanitize=fuzzer where clang
 * exists. fuzz/driver.c is the stand-alone driver every compiler builds:
 * it replays the seed corpus in fuzz/corpus/<parser>/ and a deterministic
 * stream of mutants of it (`make check-fuzz`, and under ASan/UBSan in
 * `make check-asan`). A target only has to never crash, hang or leak.
 */
#ifndef MG_FUZZ_H
#define MG_FUZZ_H

#include "setup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A NUL-terminated copy of the input, for parsers that take C strings (caller frees). */
char *fuzz_cstring(const uint8_t *data, size_t size);

#endif
