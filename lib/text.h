/*
 * Hostile text, one rule (docs/policy.md "Text mlgate reads and shows"):
 *
 * - Input: every key and string of a policy or of mlgate.json must be
 *   valid UTF-8 without control characters (C0, DEL, C1; TAB, LF and CR
 *   allowed only in strings that are not names) and without the
 *   bidirectional controls that reorder what a reviewer sees (U+061C,
 *   U+200E, U+200F, U+202A-U+202E, U+2066-U+2069). Keys and names (model,
 *   metric and smoke case names: MG_FORMAT_NAME) are one line.
 *   mg_text_check() says what is wrong; the schema check (policy.h) and
 *   the options that name things (MG_OPT_NAME: --model, --alias,
 *   --stage) refuse with exit 2.
 * - Output: text echoed to a console or CI log that came from elsewhere
 *   (registry, JUnit, arguments) has invalid bytes replaced by U+FFFD and
 *   controls and bidi controls shown as "#xNN" / "#xNNNN" (mg_result_clean
 *   for the reporters, mg_log_at for diagnostics).
 */
#ifndef MG_TEXT_H
#define MG_TEXT_H

#include "setup.h"
#include "buf.h"

enum mg_text_kind {
	MG_TEXT_PLAIN,    /* a character to show as it is */
	MG_TEXT_BAD_UTF8, /* a byte that does not start a valid UTF-8 sequence */
	MG_TEXT_CONTROL,  /* C0 (TAB, LF and CR included), DEL, C1 */
	MG_TEXT_BIDI,     /* a bidirectional formatting character */
};

/* A bidirectional formatting character (U+061C, U+200E/F, U+202A-E, U+2066-9). */
bool mg_text_is_bidi(uint32_t cp);

/*
 * The character at s[i] (i < len): returns its length in bytes (1 for a
 * bad byte) and sets *cp (the byte itself when bad) and *kind. UTF-8 per
 * RFC 3629: no overlongs, no surrogates, nothing past U+10FFFF.
 */
size_t mg_text_next(const char *s, size_t len, size_t i, uint32_t *cp, enum mg_text_kind *kind);

/*
 * 0 when s[0..len) is fit for a name (`one_line`: every character
 * MG_TEXT_PLAIN) or for other text (TAB, LF and CR allowed too: a shell
 * script, a reason); else -1 and `why` says what and where: "invalid
 * UTF-8 (byte 0xFF) at byte 3", "a control character (U+000A) at byte
 * 5", "a bidirectional control (U+202E) at byte 0".
 */
int mg_text_check(const char *s, size_t len, bool one_line, char *why, size_t why_size);

/*
 * Append s[0..len) for a one-line message: plain characters as they are,
 * a bad byte as U+FFFD, a control or bidi control as "#xNN" / "#xNNNN".
 */
void mg_text_add_visible(struct mg_buf *out, const char *s, size_t len);

/*
 * The noun for a count of `n`: `one` when n is 1, else `many` ("1 check",
 * "0 checks", "2 checks"). Every count mlgate prints goes through it:
 * printf("%zu %s", n, mg_plural(n, "check", "checks")).
 */
const char *mg_plural(uint64_t n, const char *one, const char *many);

#endif
