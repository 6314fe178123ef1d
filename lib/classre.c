/*
 * Bit-parallel matcher for regexes made only of character classes with
 * repeats (see lib/classre.h).
 */
#include "setup.h"
#include "classre.h"
#include "alloc.h"

#include <locale.h>

/*
 * The regexes of sample-data contracts are mostly a run of character classes
 * with repeats ("[a-z]+", "[A-Z]{2}[0-9]{4}"), for which regexec costs more
 * than the whole CSV tokenising. Such a pattern is compiled here into a small
 * automaton as well: a sequence of at most 63 items, each a set of bytes
 * matched once (ONE), at most once (OPT) or any number of times (STAR),
 * simulated with one bit per position. It is used only when that is provably
 * the same as regexec on "^(P)$":
 *   - P is only ASCII literals (printable, not ERE-special, or escaped
 *     ERE-specials), bracket expressions of printable ASCII characters and
 *     ranges within 0-9, a-z or A-Z (no negation, no [: :] [= =] [. .], no
 *     backslash), each optionally followed by one of * + ? {m} {m,} {m,n};
 *     no '.', anchors, groups or alternation. Those are exactly the
 *     concatenations of quantified single-character sets, which is the
 *     language the automaton accepts; the whole field must match, as "^(P)$"
 *     asks, and with REG_NOSUB only whether it matches is reported.
 *   - the locale is C or POSIX (mlgate never calls setlocale): ranges are
 *     byte ranges and every byte is a character; bytes >= 0x80 are in no
 *     set, as in regexec, where they cannot match an ASCII item.
 * Anything else goes to regexec.
 */
enum { RE_ONE, RE_OPT, RE_STAR };
#define RE_ITEMS_MAX 63

struct mg_classre {
	uint64_t on[256]; /* on[c]: the items whose set holds byte c */
	uint64_t adv;     /* items that move on when matched (ONE, OPT) */
	uint64_t star;    /* items that stay when matched (STAR) */
	uint64_t eps;     /* items that can be skipped (OPT, STAR) */
	unsigned n;       /* items; bit n is the accepting state */
};

static bool re_special(int ch)
{
	return ch && strchr(".[]()*+?{}|^$\\", ch) != NULL;
}

/* Parse "[...]" at *pp into `set` (256 bits); false when not in the subset. */
static bool re_bracket(const char **pp, uint64_t set[4])
{
	const char *p = *pp + 1;

	memset(set, 0, 4 * sizeof(uint64_t));
	if (*p == '^' || *p == ']')
		return false;
	while (*p != ']') {
		int lo = (unsigned char)*p, hi = lo;

		if (lo < 0x20 || lo > 0x7e || lo == '[' || lo == '\\')
			return false;
		/* '-' is a character only first or last */
		if (lo == '-' && p != *pp + 1 && p[1] != ']')
			return false;
		if (p[1] == '-' && p[2] != ']' && p[2]) {
			hi = (unsigned char)p[2];
			if (hi < lo || !((lo >= '0' && hi <= '9') || (lo >= 'a' && hi <= 'z') ||
			                 (lo >= 'A' && hi <= 'Z')))
				return false;
			p += 3;
		} else {
			p++;
		}
		for (int ch = lo; ch <= hi; ch++)
			set[ch >> 6] |= (uint64_t)1 << (ch & 63);
	}
	*pp = p + 1;
	return true;
}

static bool re_count(const char **pp, unsigned *out)
{
	const char *p = *pp;
	unsigned v = 0;

	if (*p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (unsigned)(*p++ - '0');
		if (v > RE_ITEMS_MAX)
			return false;
	}
	*pp = p;
	*out = v;
	return true;
}

static bool re_add(struct mg_classre *re, const uint64_t set[4], int kind)
{
	uint64_t bit;

	if (re->n >= RE_ITEMS_MAX)
		return false;
	bit = (uint64_t)1 << re->n;
	for (int ch = 0; ch < 256; ch++)
		if (set[ch >> 6] >> (ch & 63) & 1)
			re->on[ch] |= bit;
	if (kind == RE_STAR)
		re->star |= bit;
	else
		re->adv |= bit;
	if (kind != RE_ONE)
		re->eps |= bit;
	re->n++;
	return true;
}

/* The automaton of `pat`, or NULL when it is not in the subset above. */
struct mg_classre *mg_classre_compile(const char *pat)
{
	struct mg_classre *re;
	const char *p = pat, *lc;

	lc = setlocale(LC_COLLATE, NULL);
	if (!lc || (strcmp(lc, "C") && strcmp(lc, "POSIX")))
		return NULL;
	lc = setlocale(LC_CTYPE, NULL);
	if (!lc || (strcmp(lc, "C") && strcmp(lc, "POSIX")))
		return NULL;
	if (!*pat)
		return NULL;
	re = mg_xcalloc(1, sizeof(*re));
	while (*p) {
		uint64_t set[4] = {0, 0, 0, 0};
		unsigned lo = 1, hi = 1; /* repeats */
		bool unbounded = false;

		if (*p == '[') {
			if (!re_bracket(&p, set))
				goto no;
		} else if (*p == '\\' && re_special(p[1])) {
			set[(unsigned char)p[1] >> 6] |= (uint64_t)1 << ((unsigned char)p[1] & 63);
			p += 2;
		} else if ((unsigned char)*p >= 0x20 && (unsigned char)*p <= 0x7e &&
		           !re_special(*p)) {
			set[(unsigned char)*p >> 6] |= (uint64_t)1 << ((unsigned char)*p & 63);
			p++;
		} else {
			goto no;
		}
		if (*p == '*') {
			lo = 0, unbounded = true, p++;
		} else if (*p == '+') {
			unbounded = true, p++;
		} else if (*p == '?') {
			lo = 0, p++;
		} else if (*p == '{') {
			p++;
			if (!re_count(&p, &lo))
				goto no;
			hi = lo;
			if (*p == ',') {
				p++;
				if (*p == '}')
					unbounded = true;
				else if (!re_count(&p, &hi) || hi < lo)
					goto no;
			}
			if (*p++ != '}' || (!unbounded && hi == 0))
				goto no;
		}
		if (*p == '*' || *p == '+' || *p == '?' || *p == '{')
			goto no; /* a repeat of a repeat: leave it to regcomp */
		for (unsigned k = 0; k < lo; k++)
			if (!re_add(re, set, RE_ONE))
				goto no;
		if (unbounded) {
			if (!re_add(re, set, RE_STAR))
				goto no;
		} else {
			for (unsigned k = lo; k < hi; k++)
				if (!re_add(re, set, RE_OPT))
					goto no;
		}
	}
	return re;
no:
	free(re);
	return NULL;
}

/*
 * Follow the skippable items from the states in `s`: from a state in a run of
 * skippable items, every later state of the run and the one after it. Adding
 * the run's bits to its active ones carries through the rest of the run into
 * the state after it; the bits that changed are those states.
 */
static inline uint64_t re_closure(const struct mg_classre *re, uint64_t s)
{
	return s | (((s & re->eps) + re->eps) ^ re->eps);
}

bool mg_classre_match(const struct mg_classre *re, const char *str, size_t len)
{
	uint64_t s = re_closure(re, 1);

	for (size_t i = 0; i < len && s; i++) {
		uint64_t m = s & re->on[(unsigned char)str[i]];

		s = re_closure(re, ((m & re->adv) << 1) | (m & re->star));
	}
	return s >> re->n & 1;
}

void mg_classre_free(struct mg_classre *re)
{
	free(re);
}
