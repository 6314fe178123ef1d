/*
 * A fast matcher for the regexes sample-data contracts mostly use: runs of
 * character classes with repeats ("[a-z]+", "[A-Z]{2}[0-9]{4}"), matched
 * against the whole value with one bit per pattern position. It takes only
 * the patterns for which it is provably the same as regexec() on "^(P)$"
 * (REG_EXTENDED): ASCII literals and bracket expressions with repeats, in the
 * C or POSIX locale; mg_classre_compile() returns NULL for anything else,
 * which then goes to regexec. tests/unit/test_classre.c checks it against
 * regexec. The exact subset is described in lib/classre.c.
 */
#ifndef MG_CLASSRE_H
#define MG_CLASSRE_H
#include "setup.h"

struct mg_classre;

/*
 * The matcher of ERE `pat` (not anchored: the whole value must match), or
 * NULL when `pat` is not in the subset or the locale is not C/POSIX. Owned
 * by the caller: mg_classre_free() (NULL is a no-op).
 */
struct mg_classre *mg_classre_compile(const char *pat);
void mg_classre_free(struct mg_classre *re);

/* Whether all `len` bytes of `s` match, as regexec on "^(P)$" would say. */
bool mg_classre_match(const struct mg_classre *re, const char *s, size_t len);
#endif
