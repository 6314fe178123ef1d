#include "setup.h"
#include "secrets.h"
#include "alloc.h"

static const char *const env_names[] = {
        "MLFLOW_TRACKING_TOKEN",
        "MLFLOW_TRACKING_PASSWORD",
        "DATABRICKS_TOKEN",
        "DATABRICKS_CLIENT_SECRET",
        "DATABRICKS_PASSWORD",
        "MLGATE_EVIDENCE_KEY",
        NULL,
};

/* Base64 parts shorter than this are not masked: too likely in ordinary text. */
#define BASE64_MIN 8

struct mg_secret_window {
	uint64_t hash;
	size_t form; /* index into forms */
	size_t off;  /* where the window starts in the form */
};

const char *const *mg_secrets_env_names(void)
{
	return env_names;
}

/* --- the forms of a secret ------------------------------------------------ */

/* Insert a copy of `v` into a longest-first list unless it is empty or there already. */
static bool list_add(char ***list, size_t *n, size_t *alloc, const char *v)
{
	size_t len = strlen(v), at = 0;

	if (!len)
		return false;
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*list)[i], v))
			return false;
	if (*n == *alloc) {
		*alloc = *alloc ? *alloc * 2 : 4;
		*list = mg_xrealloc(*list, mg_st_mult(*alloc, sizeof(**list)));
	}
	while (at < *n && strlen((*list)[at]) >= len)
		at++;
	memmove(*list + at + 1, *list + at, (*n - at) * sizeof(**list));
	(*list)[at] = mg_xstrdup(v);
	(*n)++;
	return true;
}

/* One UTF-8 sequence at `p` (len bytes left) -> code point, or -1 when invalid. */
static long utf8_next(const unsigned char *p, size_t len, size_t *used)
{
	size_t n = p[0] < 0x80             ? 1
	           : (p[0] & 0xe0) == 0xc0 ? 2
	           : (p[0] & 0xf0) == 0xe0 ? 3
	           : (p[0] & 0xf8) == 0xf0 ? 4
	                                   : 0;
	long cp;

	if (!n || n > len)
		return -1;
	cp = n == 1 ? p[0] : p[0] & (0x7f >> n);
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return -1;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	*used = n;
	return cp;
}

/* As a JSON string's content: cJSON's escapes, or Python's json.dumps (ensure_ascii). */
static bool json_form(struct mg_buf *out, const char *v, bool ascii)
{
	const unsigned char *p = (const unsigned char *)v;
	size_t len = strlen(v);

	for (size_t i = 0; i < len;) {
		unsigned char c = p[i];
		size_t used = 1;
		long cp;

		switch (c) {
		case '"':
			mg_buf_adds(out, "\\\"");
			break;
		case '\\':
			mg_buf_adds(out, "\\\\");
			break;
		case '\b':
			mg_buf_adds(out, "\\b");
			break;
		case '\f':
			mg_buf_adds(out, "\\f");
			break;
		case '\n':
			mg_buf_adds(out, "\\n");
			break;
		case '\r':
			mg_buf_adds(out, "\\r");
			break;
		case '\t':
			mg_buf_adds(out, "\\t");
			break;
		default:
			if (c < 0x20 || (ascii && c == 0x7f)) {
				mg_buf_addf(out, "\\u%04x", c);
			} else if (c < 0x80 || !ascii) {
				mg_buf_addch(out, (char)c);
			} else {
				cp = utf8_next(p + i, len - i, &used);
				if (cp < 0)
					return false; /* Python could not have decoded it either */
				if (cp > 0xffff)
					mg_buf_addf(out, "\\u%04lx\\u%04lx",
					            0xd800 + ((cp - 0x10000) >> 10),
					            0xdc00 + ((cp - 0x10000) & 0x3ff));
				else
					mg_buf_addf(out, "\\u%04lx", cp);
			}
		}
		i += used;
	}
	return true;
}

/* Percent-encoded: everything but the unreserved characters, optionally '+' for a space. */
static void url_form(struct mg_buf *out, const char *v, const char *hex, bool plus)
{
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.' || *p == '~')
			mg_buf_addch(out, (char)*p);
		else if (plus && *p == ' ')
			mg_buf_addch(out, '+');
		else
			mg_buf_addf(out, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
	}
}

/*
 * The characters of base64(k prefix bytes + v + more) that depend only on
 * v's bytes: char j covers bits [6j, 6j + 6) of the stream, so it is v's
 * alone when 6j >= 8k and 6j + 6 <= 8(k + len).
 */
static void base64_form(struct mg_buf *out, const char *v, size_t k, const char *tbl)
{
	size_t len = strlen(v), first = (8 * k + 5) / 6, end = 8 * (k + len) / 6;

	for (size_t j = first; j < end; j++) {
		size_t bit = 6 * j, byte = bit / 8, shift = bit % 8;
		unsigned hi = (unsigned char)v[byte - k];
		unsigned lo = byte + 1 - k < len ? (unsigned char)v[byte + 1 - k] : 0;
		unsigned w = (hi << 8) | lo;

		mg_buf_addch(out, tbl[(w >> (10 - shift)) & 63]);
	}
}

static void add_window(struct mg_secrets *s, uint64_t hash, size_t form, size_t off)
{
	if (s->nwindows == s->windows_alloc) {
		s->windows_alloc = s->windows_alloc ? s->windows_alloc * 2 : 64;
		s->windows =
		        mg_xrealloc(s->windows, mg_st_mult(s->windows_alloc, sizeof(*s->windows)));
	}
	s->windows[s->nwindows++] = (struct mg_secret_window){hash, form, off};
}

/* A window's hash: its 16 bytes as two words, mixed. */
static uint64_t window_hash(const char *p)
{
	uint64_t a, b;

	memcpy(&a, p, 8);
	memcpy(&b, p + 8, 8);
	a = (a ^ (b * 0x9e3779b97f4a7c15ULL)) * 0xbf58476d1ce4e5b9ULL;
	return a ^ (a >> 31);
}

static int window_cmp(const void *x, const void *y)
{
	const struct mg_secret_window *a = x, *b = y;

	return a->hash < b->hash ? -1 : a->hash > b->hash;
}

/* The forms list changed: index every window again (registration is rare). */
static void index_windows(struct mg_secrets *s)
{
	s->nwindows = 0;
	for (size_t f = 0; f < s->nforms; f++) {
		size_t len = strlen(s->forms[f]);

		for (size_t off = 0; len >= MG_SECRET_FRAGMENT && off + MG_SECRET_FRAGMENT <= len;
		     off++)
			add_window(s, window_hash(s->forms[f] + off), f, off);
	}
	if (s->nwindows)
		qsort(s->windows, s->nwindows, sizeof(*s->windows), window_cmp);
}

static void add_forms(struct mg_secrets *s, const char *v)
{
	static const char b64[] =
	        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	static const char b64url[] =
	        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	struct mg_buf f = MG_BUF_INIT(MG_BUF_LARGE);

	list_add(&s->forms, &s->nforms, &s->forms_alloc, v);
	for (int ascii = 0; ascii < 2; ascii++) {
		mg_buf_reset(&f);
		if (json_form(&f, v, ascii))
			list_add(&s->forms, &s->nforms, &s->forms_alloc, f.buf);
	}
	for (int form = 0; form < 3; form++) {
		mg_buf_reset(&f);
		url_form(&f, v, form == 1 ? "0123456789abcdef" : "0123456789ABCDEF", form == 2);
		list_add(&s->forms, &s->nforms, &s->forms_alloc, f.buf);
	}
	for (size_t k = 0; k < 3; k++) {
		for (int url = 0; url < 2; url++) {
			mg_buf_reset(&f);
			base64_form(&f, v, k, url ? b64url : b64);
			if (f.len >= BASE64_MIN)
				list_add(&s->forms, &s->nforms, &s->forms_alloc, f.buf);
		}
	}
	mg_buf_release(&f);
	index_windows(s);
}

void mg_secrets_add(struct mg_secrets *s, const char *value)
{
	if (list_add(&s->values, &s->n, &s->alloc, value))
		add_forms(s, value);
}

size_t mg_secrets_add_from_env(struct mg_secrets *s)
{
	size_t before = s->n;

	for (size_t i = 0; env_names[i]; i++) {
		const char *v = getenv(env_names[i]);

		if (v)
			mg_secrets_add(s, v);
	}
	return s->n - before;
}

/* --- masking --------------------------------------------------------------- */

/* Whether the MG_SECRET_FRAGMENT bytes at `p` are a window of some form. */
static bool is_window(const struct mg_secrets *s, const char *p)
{
	struct mg_secret_window key = {window_hash(p), 0, 0};
	const struct mg_secret_window *w =
	        bsearch(&key, s->windows, s->nwindows, sizeof(*s->windows), window_cmp);

	if (!w)
		return false;
	while (w > s->windows && w[-1].hash == key.hash)
		w--;
	for (; w < s->windows + s->nwindows && w->hash == key.hash; w++)
		if (!memcmp(s->forms[w->form] + w->off, p, MG_SECRET_FRAGMENT))
			return true;
	return false;
}

/*
 * Replace each run of text covered by windows of the forms with one mask.
 * Returns -1 when the result would pass the bound, else 0.
 */
static int mask_fragments(const struct mg_secrets *s, struct mg_buf *b)
{
	struct mg_buf out = MG_BUF_INIT(b->max);
	size_t copied = 0, run_start = 0, run_end = 0;
	bool any = false;

	if (!s->nwindows || b->len < MG_SECRET_FRAGMENT)
		return 0;
	for (size_t i = 0; i + MG_SECRET_FRAGMENT <= b->len; i++) {
		if (!is_window(s, b->buf + i))
			continue;
		if (any && i <= run_end) {
			run_end = i + MG_SECRET_FRAGMENT;
			continue;
		}
		if (any) {
			mg_buf_add(&out, b->buf + copied, run_start - copied);
			mg_buf_adds(&out, MG_SECRET_MASK);
			copied = run_end;
		}
		any = true;
		run_start = i;
		run_end = i + MG_SECRET_FRAGMENT;
	}
	if (!any)
		return 0;
	mg_buf_add(&out, b->buf + copied, run_start - copied);
	mg_buf_adds(&out, MG_SECRET_MASK);
	mg_buf_add(&out, b->buf + run_end, b->len - run_end);
	if (mg_buf_overflowed(&out)) {
		mg_buf_release(&out);
		return -1;
	}
	mg_buf_reset(b);
	mg_buf_add(b, out.buf, out.len);
	mg_buf_release(&out);
	return 0;
}

int mg_secrets_redact(const struct mg_secrets *s, struct mg_buf *b)
{
	for (size_t i = 0; i < s->nforms; i++) {
		if (mg_buf_replace(b, s->forms[i], strlen(s->forms[i]), MG_SECRET_MASK) < 0)
			goto leak;
	}
	if (mask_fragments(s, b))
		goto leak;
	return 0;
leak:
	/* cannot mask within the bound: drop everything, leak nothing */
	mg_buf_reset(b);
	return -1;
}

bool mg_secrets_found(const struct mg_secrets *s, const char *text, size_t len)
{
	for (size_t i = 0; i < s->nforms; i++) {
		size_t flen = strlen(s->forms[i]);
		const char *p = text, *end = text + len;

		while ((size_t)(end - p) >= flen &&
		       (p = memchr(p, s->forms[i][0], (size_t)(end - p))) &&
		       (size_t)(end - p) >= flen) {
			if (!memcmp(p, s->forms[i], flen))
				return true;
			p++;
		}
	}
	for (size_t i = 0; s->nwindows && i + MG_SECRET_FRAGMENT <= len; i++)
		if (is_window(s, text + i))
			return true;
	return false;
}

void mg_secrets_release(struct mg_secrets *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->values[i]);
	for (size_t i = 0; i < s->nforms; i++)
		free(s->forms[i]);
	free(s->values);
	free(s->forms);
	free(s->windows);
	s->values = s->forms = NULL;
	s->windows = NULL;
	s->n = s->alloc = s->nforms = s->forms_alloc = s->nwindows = s->windows_alloc = 0;
}
