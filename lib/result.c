#include "setup.h"
#include "result.h"
#include "alloc.h"
#include "random.h"
#include "text.h"

#include <math.h>

const char *mg_status_name(enum mg_status status)
{
	switch (status) {
	case MG_STATUS_PASSED:
		return "passed";
	case MG_STATUS_SKIPPED:
		return "skipped";
	case MG_STATUS_FAILED:
		return "failed";
	case MG_STATUS_ERROR:
		return "error";
	}
	return "error";
}

/* --- model ------------------------------------------------------------- */

void mg_check_set(char **field, const char *value)
{
	free(*field);
	*field = value ? mg_xstrdup(value) : NULL;
}

static void check_release(struct mg_check *c)
{
	free(c->id);
	free(c->classname);
	free(c->message);
	free(c->type);
	free(c->details);
	free(c->output);
	free(c->errout);
	free(c->file);
}

void mg_suite_init(struct mg_suite *s, const char *name)
{
	memset(s, 0, sizeof(*s));
	s->name = mg_xstrdup(name ? name : "");
}

void mg_suite_release(struct mg_suite *s)
{
	for (size_t i = 0; i < s->nchecks; i++)
		check_release(&s->checks[i]);
	for (size_t i = 0; i < s->nprops; i++) {
		free(s->props[i].name);
		free(s->props[i].value);
	}
	free(s->checks);
	free(s->props);
	free(s->name);
	free(s->file);
	free(s->hostname);
	free(s->out);
	free(s->err);
	memset(s, 0, sizeof(*s));
}

/* Make room for one more element in a growable array. */
static void *grow(void *items, size_t n, size_t *alloc, size_t size)
{
	if (n < *alloc)
		return items;
	*alloc = *alloc ? mg_st_mult(*alloc, 2) : 8;
	return mg_xrealloc(items, mg_st_mult(*alloc, size));
}

struct mg_check *mg_suite_add(struct mg_suite *s, const char *id, enum mg_status status,
                              const char *message)
{
	struct mg_check *c;

	s->checks = grow(s->checks, s->nchecks, &s->checks_alloc, sizeof(*s->checks));
	c = &s->checks[s->nchecks++];
	memset(c, 0, sizeof(*c));
	c->id = mg_xstrdup(id ? id : "");
	c->status = status;
	c->message = message ? mg_xstrdup(message) : NULL;
	return c;
}

void mg_suite_set_prop(struct mg_suite *s, const char *name, const char *value)
{
	for (size_t i = 0; i < s->nprops; i++) {
		if (!strcmp(s->props[i].name, name)) {
			mg_check_set(&s->props[i].value, value ? value : "");
			return;
		}
	}
	s->props = grow(s->props, s->nprops, &s->props_alloc, sizeof(*s->props));
	s->props[s->nprops].name = mg_xstrdup(name);
	s->props[s->nprops].value = mg_xstrdup(value ? value : "");
	s->nprops++;
}

const char *mg_suite_prop(const struct mg_suite *s, const char *name)
{
	for (size_t i = 0; i < s->nprops; i++)
		if (!strcmp(s->props[i].name, name))
			return s->props[i].value;
	return NULL;
}

void mg_suite_counts(const struct mg_suite *s, struct mg_counts *c)
{
	double sum = 0;

	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < s->nchecks; i++) {
		const struct mg_check *k = &s->checks[i];

		c->tests++;
		if (k->status == MG_STATUS_PASSED)
			c->passed++;
		else if (k->status == MG_STATUS_FAILED)
			c->failures++;
		else if (k->status == MG_STATUS_ERROR)
			c->errors++;
		else
			c->skipped++;
		if (isfinite(k->duration) && k->duration > 0)
			sum += k->duration;
	}
	c->time = s->has_duration && isfinite(s->duration) && s->duration >= 0 ? s->duration : sum;
}

bool mg_suite_passed(const struct mg_suite *s)
{
	const char *verdict = mg_suite_prop(s, "mlgate.verdict");
	struct mg_counts c;

	mg_suite_counts(s, &c);
	return c.tests > 0 && !c.failures && !c.errors && (!verdict || !strcmp(verdict, "passed"));
}

void mg_result_init(struct mg_result *r, const char *name)
{
	memset(r, 0, sizeof(*r));
	r->name = mg_xstrdup(name ? name : "");
}

void mg_result_release(struct mg_result *r)
{
	for (size_t i = 0; i < r->nsuites; i++)
		mg_suite_release(&r->suites[i]);
	free(r->suites);
	free(r->name);
	memset(r, 0, sizeof(*r));
}

struct mg_suite *mg_result_add_suite(struct mg_result *r, const char *name)
{
	struct mg_suite *s;

	r->suites = grow(r->suites, r->nsuites, &r->suites_alloc, sizeof(*r->suites));
	s = &r->suites[r->nsuites++];
	mg_suite_init(s, name);
	return s;
}

void mg_result_counts(const struct mg_result *r, struct mg_counts *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < r->nsuites; i++) {
		struct mg_counts one;

		mg_suite_counts(&r->suites[i], &one);
		c->tests += one.tests;
		c->passed += one.passed;
		c->failures += one.failures;
		c->errors += one.errors;
		c->skipped += one.skipped;
		c->time += one.time;
	}
}

bool mg_result_first_timestamp(const struct mg_result *r, time_t *out)
{
	bool found = false;

	for (size_t i = 0; i < r->nsuites; i++) {
		if (r->suites[i].has_timestamp && (!found || r->suites[i].timestamp < *out)) {
			*out = r->suites[i].timestamp;
			found = true;
		}
	}
	return found;
}

/* --- text cleaning ---------------------------------------------------- */

#define NOTE_RESERVE 64 /* room for "\n[... N bytes cut ...]\n" */

/*
 * The cleaned form of the one unit (character, bad byte or escape
 * sequence) at s[i]: its bytes go to piece[0..*n), the return value is how
 * many input bytes it spans.
 */
static size_t clean_unit(const unsigned char *s, size_t len, size_t i, char piece[8], size_t *n)
{
	unsigned c = s[i];
	size_t need, j;
	uint32_t cp;

	if (c == 0x1b && i + 1 < len && s[i + 1] == '[') {
		/* CSI: ESC [ parameters (0x30-0x3f) intermediates (0x20-0x2f) final (0x40-0x7e) */
		for (j = i + 2; j < len && s[j] >= 0x30 && s[j] <= 0x3f; j++)
			;
		for (; j < len && s[j] >= 0x20 && s[j] <= 0x2f; j++)
			;
		if (j < len && s[j] >= 0x40 && s[j] <= 0x7e) {
			*n = 0;
			return j + 1 - i;
		}
	}
	if (c < 0x80) {
		if ((c >= 0x20 && c < 0x7f) || c == '\t' || c == '\n' || c == '\r') {
			piece[0] = (char)c;
			*n = 1;
		} else {
			*n = (size_t)snprintf(piece, 8, "#x%02X", c);
		}
		return 1;
	}
	/* UTF-8 per RFC 3629: no overlongs, no surrogates, nothing past U+10FFFF */
	if (c >= 0xc2 && c <= 0xdf) {
		need = 1;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		cp = c & 0x07;
	} else {
		goto bad;
	}
	if (i + need >= len)
		goto bad;
	for (j = 1; j <= need; j++) {
		if ((s[i + j] & 0xc0) != 0x80)
			goto bad;
		cp = (cp << 6) | (s[i + j] & 0x3f);
	}
	if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		goto bad;
	if ((cp >= 0x80 && cp <= 0x9f) || cp == 0xfffe || cp == 0xffff || mg_text_is_bidi(cp)) {
		*n = (size_t)snprintf(piece, 8, cp <= 0xff ? "#x%02X" : "#x%04X", (unsigned)cp);
		return need + 1;
	}
	memcpy(piece, s + i, need + 1);
	*n = need + 1;
	return need + 1;
bad:
	memcpy(piece, "\xef\xbf\xbd", 3);
	*n = 3;
	return 1;
}

/* Cleaned size of s[from..len). */
static size_t cleaned_size(const unsigned char *s, size_t len, size_t from)
{
	size_t total = 0, n, i = from;
	char piece[8];

	while (i < len) {
		i += clean_unit(s, len, i, piece, &n);
		total += n;
	}
	return total;
}

/* Plain printable ASCII (and TAB/LF/CR) needs no cleaning. */
static bool is_plain(const unsigned char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned c = s[i];

		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c >= 0x7f)
			return false;
	}
	return true;
}

static void clean_range(struct mg_buf *out, const unsigned char *s, size_t len, size_t from,
                        size_t to)
{
	char piece[8];
	size_t n, i = from;

	while (i < to) {
		i += clean_unit(s, len, i, piece, &n);
		mg_buf_add(out, piece, n);
	}
}

static void clean_capped(struct mg_buf *out, const unsigned char *s, size_t len, size_t cap)
{
	size_t total = cleaned_size(s, len, 0);
	size_t half, used = 0, head_end = 0, tail_start, tail_size, n;
	char piece[8];

	if (total <= cap) {
		clean_range(out, s, len, 0, len);
		return;
	}
	half = (cap - NOTE_RESERVE) / 2;
	/* head: whole units while they fit */
	while (head_end < len) {
		size_t step = clean_unit(s, len, head_end, piece, &n);

		if (used + n > half)
			break;
		mg_buf_add(out, piece, n);
		used += n;
		head_end += step;
	}
	/* tail: start about `half` bytes from the end on a character boundary,
	 * then drop leading units until the cleaned tail fits */
	tail_start = len > half && len - half > head_end ? len - half : head_end;
	while (tail_start < len && (s[tail_start] & 0xc0) == 0x80 && tail_start - head_end < 3)
		tail_start++;
	tail_size = cleaned_size(s, len, tail_start);
	while (tail_size > half && tail_start < len) {
		tail_start += clean_unit(s, len, tail_start, piece, &n);
		tail_size -= n;
	}
	mg_buf_addf(out, "\n[... %zu bytes cut ...]\n", tail_start - head_end);
	clean_range(out, s, len, tail_start, len);
}

int mg_result_clean(struct mg_buf *out, const char *s, size_t len, size_t cap,
                    const struct mg_secrets *secrets)
{
	struct mg_buf masked = MG_BUF_INIT(0);
	bool overflow_before = mg_buf_overflowed(out);

	if (cap < 256)
		cap = 256;
	if (secrets && mg_secrets_found(secrets, s, len)) {
		/* mask before cutting, so no part of a secret survives a cut */
		mg_buf_init(&masked, len * 2 + 64);
		mg_buf_add(&masked, s, len);
		if (mg_secrets_redact(secrets, &masked))
			mg_buf_adds(&masked, MG_SECRET_MASK);
		s = masked.buf;
		len = masked.len;
	}
	if (len <= cap && is_plain((const unsigned char *)s, len))
		mg_buf_add(out, s, len);
	else
		clean_capped(out, (const unsigned char *)s, len, cap);
	mg_buf_release(&masked);
	return !overflow_before && mg_buf_overflowed(out) ? -1 : 0;
}

/* ASCII-only case folding: the environment's locale (tr_TR) must not matter. */
static int ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

int mg_result_clean_log(struct mg_buf *out, const char *s, size_t len, size_t cap,
                        const struct mg_secrets *secrets)
{
	struct mg_buf tmp = MG_BUF_INIT(cap + NOTE_RESERVE);
	int ret = mg_result_clean(&tmp, s, len, cap, secrets);

	for (size_t i = 0; i < tmp.len; i++) {
		const char *p = tmp.buf + i;
		size_t rest = tmp.len - i;

		mg_buf_addch(out, *p);
		if (*p == '#' && rest >= 3 && p[1] == '#' &&
		    (p[2] == '[' ||
		     (rest >= 6 && ascii_lower(p[2]) == 'v' && ascii_lower(p[3]) == 's' &&
		      ascii_lower(p[4]) == 'o' && p[5] == '['))) {
			mg_buf_addch(out, '#');
			mg_buf_adds(out, "\xe2\x80\x8b"); /* U+200B ZERO WIDTH SPACE */
			i++;
		}
	}
	mg_buf_release(&tmp);
	return ret || mg_buf_overflowed(out) ? -1 : 0;
}

char *mg_result_seconds(double seconds, char out[MG_SECONDS_LEN])
{
	unsigned long long ms;

	/* integer arithmetic: printf's %f would follow LC_NUMERIC */
	if (!isfinite(seconds) || seconds <= 0)
		ms = 0;
	else if (seconds >= 1e15)
		ms = 1000000000000000000ULL;
	else
		ms = (unsigned long long)(seconds * 1000.0 + 0.5);
	snprintf(out, MG_SECONDS_LEN, "%llu.%03llu", ms / 1000, ms % 1000);
	return out;
}

int mg_result_random_hex(char *out, size_t nbytes, struct mg_err *err)
{
	unsigned char raw[64];

	if (nbytes > sizeof(raw))
		nbytes = sizeof(raw);
	if (mg_random_bytes(raw, nbytes, err))
		return -1;
	for (size_t i = 0; i < nbytes; i++)
		snprintf(out + 2 * i, 3, "%02x", raw[i]);
	out[2 * nbytes] = '\0';
	return 0;
}

size_t mg_result_each_problem(const struct mg_result *r, size_t max,
                              void (*each)(const struct mg_suite *s, const struct mg_check *c,
                                           void *arg),
                              void *arg)
{
	size_t shown = 0, rest = 0;

	for (size_t i = 0; i < r->nsuites; i++) {
		const struct mg_suite *s = &r->suites[i];

		for (size_t j = 0; j < s->nchecks; j++) {
			const struct mg_check *c = &s->checks[j];

			if (c->status != MG_STATUS_FAILED && c->status != MG_STATUS_ERROR)
				continue;
			if (max && shown == max) {
				rest++;
				continue;
			}
			each(s, c, arg);
			shown++;
		}
	}
	return rest;
}

void mg_check_problem_text(const struct mg_check *c, struct mg_buf *out)
{
	if (c->status == MG_STATUS_ERROR)
		mg_buf_adds(out, "could not be evaluated: ");
	mg_buf_adds(out, c->message && *c->message ? c->message : mg_status_name(c->status));
}

const char *mg_suite_label(const struct mg_suite *s)
{
	const char *gate = mg_suite_prop(s, "mlgate.gate");

	return gate && *gate ? gate : s->name;
}
