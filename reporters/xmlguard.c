#include "setup.h"
#include "xmlguard.h"

#include <strings.h>

/* How the input is cut into characters ("units"): what libxml2 decodes. */
enum {
	ENC_UNKNOWN,
	ENC_BYTES, /* UTF-8 or a single-byte superset of ASCII: one unit per byte */
	ENC_LE,    /* UTF-16LE (byte order mark FF FE): one unit per 2 bytes */
	ENC_BE,    /* UTF-16BE (FE FF) */
};

enum {
	XG_TEXT,    /* character data, or between markup */
	XG_LT,      /* after '<' (held back) */
	XG_BANG,    /* after "<!" (held back with what follows) */
	XG_TAG,     /* a start or end tag */
	XG_COMMENT, /* <!-- ... --> */
	XG_PI,      /* <? ... ?> */
	XG_CDATA,   /* <![CDATA[ ... ]]>, passed on as escaped text */
};

void mg_xmlguard_init(struct mg_xmlguard *g)
{
	memset(g, 0, sizeof(*g));
	g->half = -1;
	g->state = XG_TEXT;
	g->at_start = true;
	g->line = 1;
}

static int refuse(struct mg_xmlguard *g, size_t line, const char *fmt, ...) MG_PRINTF(3, 4);
static int refuse(struct mg_xmlguard *g, size_t line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(g->msg, sizeof(g->msg), fmt, ap);
	va_end(ap);
	g->line = line;
	return -1;
}

static void emit(const struct mg_xmlguard *g, uint32_t u, struct mg_buf *out)
{
	unsigned char b[2];

	if (g->enc == ENC_BYTES) {
		b[0] = (unsigned char)u;
		mg_buf_add(out, b, 1);
		return;
	}
	b[g->enc == ENC_LE ? 0 : 1] = (unsigned char)(u & 0xff);
	b[g->enc == ENC_LE ? 1 : 0] = (unsigned char)(u >> 8);
	mg_buf_add(out, b, 2);
}

static void emit_s(const struct mg_xmlguard *g, const char *s, struct mg_buf *out)
{
	for (; *s; s++)
		emit(g, (unsigned char)*s, out);
}

static bool blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* `name` is the number `lo`..`hi` after `prefix` (case-insensitive). */
static bool numbered(const char *name, const char *prefix, int lo, int hi)
{
	size_t n = strlen(prefix);
	char *end = NULL;
	long v;

	if (strncasecmp(name, prefix, n) || name[n] < '0' || name[n] > '9')
		return false;
	v = strtol(name + n, &end, 10);
	return !*end && v >= lo && v <= hi;
}

/* An encoding in which every character below 0x80 is the byte of that value, and only it. */
static bool ascii_superset(const char *name)
{
	static const char *const plain[] = {"UTF-8", "UTF8",   "US-ASCII",
	                                    "ASCII", "LATIN1", "ISO-LATIN-1"};

	for (size_t i = 0; i < MG_ARRAY_SIZE(plain); i++)
		if (!strcasecmp(name, plain[i]))
			return true;
	return numbered(name, "ISO-8859-", 1, 16) || numbered(name, "ISO8859-", 1, 16) ||
	       numbered(name, "ISO_8859-", 1, 16) || numbered(name, "WINDOWS-", 1250, 1258) ||
	       numbered(name, "CP", 1250, 1258);
}

static bool encoding_allowed(const struct mg_xmlguard *g, const char *name)
{
	if (g->enc == ENC_BYTES)
		return ascii_superset(name);
	/* libxml2 keeps the decoder of the byte order mark for these */
	return !strcasecmp(name, "UTF-16") || !strcasecmp(name, "UTF16") ||
	       !strcasecmp(name, g->enc == ENC_LE ? "UTF-16LE" : "UTF-16BE");
}

/*
 * The processing instruction in decl_text has ended. If it is an XML
 * declaration, every "encoding" in it must name an encoding allowed here
 * (libxml2 switches its decoder to what it names).
 */
static int check_decl(struct mg_xmlguard *g)
{
	const char *p = g->decl_text;

	if (strncasecmp(p, "xml", 3) || !blank(p[3]))
		return 0;
	for (; *p; p++) {
		char value[64], quote;
		size_t n = 0;

		if (strncasecmp(p, "encoding", 8))
			continue;
		p += 8;
		while (blank(*p))
			p++;
		if (*p++ != '=')
			goto bad;
		while (blank(*p))
			p++;
		quote = *p++;
		if (quote != '"' && quote != '\'')
			goto bad;
		while (*p && *p != quote && n + 1 < sizeof(value))
			value[n++] = *p++;
		value[n] = '\0';
		if (*p != quote)
			goto bad;
		if (!encoding_allowed(g, value))
			return refuse(g, g->start,
			              "encoding '%s' is not accepted: use UTF-8 (or UTF-16 with a "
			              "byte order mark, or ISO-8859-n)",
			              value);
	}
	return 0;
bad:
	return refuse(g, g->start, "cannot read the encoding of the XML declaration");
}

static int tag(struct mg_xmlguard *g, uint32_t u)
{
	if (++g->len > MG_XMLGUARD_MARKUP_MAX)
		return refuse(g, g->start, "a tag longer than %zu characters",
		              MG_XMLGUARD_MARKUP_MAX);
	if (g->quote) {
		if (u == g->quote)
			g->quote = 0;
	} else if (u == '"' || u == '\'') {
		g->quote = u;
	} else if (u == '=') {
		if (++g->attrs > MG_XMLGUARD_ATTRS_MAX)
			return refuse(g, g->start, "more than %d attributes on one element",
			              MG_XMLGUARD_ATTRS_MAX);
	} else if (u == '>') {
		g->state = XG_TEXT;
	}
	return 0;
}

static int bang(struct mg_xmlguard *g, uint32_t u, struct mg_buf *out)
{
	static const char cdata[] = "[CDATA[";

	g->held[g->nheld++] = u;
	if (g->held[0] == '-') {
		if (g->nheld < 2)
			return 0;
		if (u != '-')
			goto bad;
		emit_s(g, "<!--", out);
		g->state = XG_COMMENT;
		g->len = 4;
		g->run = 0;
		return 0;
	}
	if (u != (unsigned char)cdata[g->nheld - 1])
		goto bad;
	if (g->nheld == sizeof(cdata) - 1) {
		g->state = XG_CDATA; /* "<![CDATA[" itself is not passed on */
		g->run = 0;
	}
	return 0;
bad:
	if (g->held[0] == 'D')
		return refuse(g, g->start, "DOCTYPE declarations are not accepted in JUnit XML");
	return refuse(g, g->start, "'<!' that starts neither a comment nor a CDATA section");
}

/* ']' held back in a CDATA section; the last as a reference, so no "]]>" forms with the text after.
 */
static void brackets(struct mg_xmlguard *g, size_t n, bool at_end, struct mg_buf *out)
{
	for (size_t i = 0; i < n; i++)
		if (at_end && i + 1 == n)
			emit_s(g, "&#93;", out);
		else
			emit(g, ']', out);
}

static int cdata(struct mg_xmlguard *g, uint32_t u, struct mg_buf *out)
{
	if (u == ']') {
		g->run++;
		return 0;
	}
	if (u == '>' && g->run >= 2) {
		brackets(g, g->run - 2, true, out);
		g->run = 0;
		g->state = XG_TEXT;
		return 0;
	}
	brackets(g, g->run, false, out);
	g->run = 0;
	if (u == '<')
		emit_s(g, "&lt;", out);
	else if (u == '&')
		emit_s(g, "&amp;", out);
	else if (u == '>')
		emit_s(g, "&gt;", out);
	else
		emit(g, u, out);
	return 0;
}

static int step(struct mg_xmlguard *g, uint32_t u, struct mg_buf *out)
{
	if (g->bom) {
		g->bom--;
		emit(g, u, out);
		return 0;
	}
	if (!u)
		return refuse(g, g->line, "a NUL character (not allowed in XML)");
	if (u == '\n')
		g->line++;
	switch (g->state) {
	case XG_TEXT:
		if (u == '<') {
			g->state = XG_LT;
			g->start = g->line;
			return 0;
		}
		g->at_start = false;
		emit(g, u, out);
		return 0;
	case XG_LT:
		g->at_start = false;
		if (u == '!') {
			g->state = XG_BANG;
			g->nheld = 0;
			return 0;
		}
		emit(g, '<', out);
		emit(g, u, out);
		if (u == '?') {
			g->state = XG_PI;
			g->len = 2;
			g->run = 0;
			g->ndecl = 0;
			return 0;
		}
		g->state = XG_TAG;
		g->len = 1;
		g->attrs = 0;
		g->quote = 0;
		return tag(g, u);
	case XG_BANG:
		return bang(g, u, out);
	case XG_TAG:
		emit(g, u, out);
		return tag(g, u);
	case XG_COMMENT:
		emit(g, u, out);
		if (++g->len > MG_XMLGUARD_MARKUP_MAX)
			return refuse(g, g->start, "a comment longer than %zu characters",
			              MG_XMLGUARD_MARKUP_MAX);
		if (u == '>' && g->run >= 2)
			g->state = XG_TEXT;
		g->run = u == '-' ? g->run + 1 : 0;
		return 0;
	case XG_PI:
		emit(g, u, out);
		if (++g->len > MG_XMLGUARD_MARKUP_MAX)
			return refuse(g, g->start,
			              "a processing instruction longer than %zu characters",
			              MG_XMLGUARD_MARKUP_MAX);
		if (u == '>' && g->run) {
			g->state = XG_TEXT;
			return check_decl(g);
		}
		g->run = u == '?';
		if (g->ndecl + 1 < sizeof(g->decl_text)) {
			g->decl_text[g->ndecl++] = u < 0x80 ? (char)u : '?';
			g->decl_text[g->ndecl] = '\0';
		} else if (!strncasecmp(g->decl_text, "xml", 3) && blank(g->decl_text[3])) {
			return refuse(g, g->start, "an XML declaration longer than %zu characters",
			              sizeof(g->decl_text) - 1);
		}
		return 0;
	case XG_CDATA:
		return cdata(g, u, out);
	default:
		return 0;
	}
}

/* Bytes of text (or CDATA) from p that step() would pass on as they are. */
static size_t plain_run(const struct mg_xmlguard *g, const unsigned char *p, size_t n)
{
	size_t i = 0;

	if (g->enc != ENC_BYTES || g->bom || (g->state != XG_TEXT && g->state != XG_CDATA) ||
	    (g->state == XG_CDATA && g->run))
		return 0;
	if (g->state == XG_TEXT)
		while (i < n && p[i] != '<' && p[i] != '\n' && p[i])
			i++;
	else
		while (i < n && p[i] != '<' && p[i] != '\n' && p[i] && p[i] != ']' && p[i] != '&' &&
		       p[i] != '>')
			i++;
	return i;
}

static int pass(struct mg_xmlguard *g, const unsigned char *p, size_t n, struct mg_buf *out)
{
	for (size_t i = 0; i < n; i++) {
		size_t plain = plain_run(g, p + i, n - i);
		uint32_t u;

		if (plain) {
			mg_buf_add(out, p + i, plain);
			g->at_start = false;
			i += plain - 1;
			continue;
		}
		if (g->enc == ENC_BYTES) {
			u = p[i];
		} else if (g->half < 0) {
			g->half = p[i];
			continue;
		} else {
			u = g->enc == ENC_LE ? (uint32_t)g->half | (uint32_t)p[i] << 8
			                     : (uint32_t)g->half << 8 | p[i];
			g->half = -1;
		}
		if (step(g, u, out))
			return -1;
	}
	return 0;
}

/* From the first (up to 4) bytes, as libxml2 decides it. */
static int pick_encoding(struct mg_xmlguard *g)
{
	const unsigned char *h = g->head;
	size_t n = g->nhead;

	g->enc = ENC_BYTES;
	if (n >= 2 && h[0] == 0xff && h[1] == 0xfe) {
		g->enc = ENC_LE;
		g->bom = 1;
	} else if (n >= 2 && h[0] == 0xfe && h[1] == 0xff) {
		g->enc = ENC_BE;
		g->bom = 1;
	} else if (n >= 3 && h[0] == 0xef && h[1] == 0xbb && h[2] == 0xbf) {
		g->bom = 3;
	} else if (n == 4 && h[0] == 0x4c && h[1] == 0x6f && h[2] == 0xa7 && h[3] == 0x94) {
		return refuse(g, 1, "EBCDIC is not accepted: use UTF-8");
	}
	/* UTF-16 without a mark and UCS-4 have NUL bytes: refused as such */
	return 0;
}

int mg_xmlguard_feed(struct mg_xmlguard *g, const void *in, size_t n, struct mg_buf *out)
{
	const unsigned char *p = in;
	size_t i = 0;

	if (g->msg[0])
		return -1;
	if (g->enc == ENC_UNKNOWN) {
		while (i < n && g->nhead < sizeof(g->head))
			g->head[g->nhead++] = p[i++];
		if (g->nhead < sizeof(g->head))
			return 0;
		if (pick_encoding(g) || pass(g, g->head, g->nhead, out))
			return -1;
	}
	return pass(g, p + i, n - i, out);
}

int mg_xmlguard_end(struct mg_xmlguard *g, struct mg_buf *out)
{
	if (g->msg[0])
		return -1;
	if (g->enc == ENC_UNKNOWN && (pick_encoding(g) || pass(g, g->head, g->nhead, out)))
		return -1;
	if (g->half >= 0)
		return refuse(g, g->line, "the UTF-16 input ends in the middle of a character");
	switch (g->state) {
	case XG_LT:
		emit(g, '<', out);
		break;
	case XG_BANG:
		emit_s(g, "<!", out);
		for (size_t i = 0; i < g->nheld; i++)
			emit(g, g->held[i], out);
		break;
	case XG_CDATA:
		return refuse(g, g->start, "a CDATA section that does not end");
	default:
		break;
	}
	/* libxml2 reports what else was left open */
	return 0;
}
