/*
 * The bytes of an XML input pass through this guard on their way to
 * libxml2, so libxml2 never sees what it handles badly:
 *
 * - a DOCTYPE, or any "<!" that is not a comment or a CDATA section, is
 *   refused where it starts: no entity is ever declared, let alone
 *   expanded (a 1 KB "billion laughs" costs nothing);
 * - a start or end tag, comment or processing instruction longer than
 *   MG_XMLGUARD_MARKUP_MAX characters, or an element with more than
 *   MG_XMLGUARD_ATTRS_MAX attributes, is refused: libxml2's push parser
 *   (which xmlTextReader drives) is quadratic in their length;
 * - a CDATA section becomes the same characters as escaped text
 *   ("<![CDATA[a<b]]>" -> "a&lt;b"), which libxml2 reads in linear time
 *   and reports the same way under XML_PARSE_NOCDATA;
 * - only encodings in which the guard reads exactly what libxml2 decodes
 *   are accepted: UTF-8 and single-byte supersets of ASCII (US-ASCII,
 *   ISO-8859-n, windows-125n) as declared, UTF-16 with a byte order mark.
 *   Others (UTF-7, EBCDIC, ISO-2022-*, UTF-16 without a mark, UCS-4) and
 *   NUL characters are refused.
 *
 * Text between tags passes unchanged and unbounded (the caller bounds the
 * input size). A refusal sets `line` (1-based, of the construct refused)
 * and `msg` (lower-case, no final period).
 */
#ifndef MG_XMLGUARD_H
#define MG_XMLGUARD_H

#include "setup.h"
#include "buf.h"

#define MG_XMLGUARD_MARKUP_MAX ((size_t)1 << 20)
#define MG_XMLGUARD_ATTRS_MAX  256

struct mg_xmlguard {
	/* all private but line and msg */
	int enc;               /* 0: not known yet; see xmlguard.c */
	unsigned char head[4]; /* the first bytes, until the encoding is known */
	size_t nhead;          /* bytes in head */
	int half;              /* UTF-16: first byte of a unit split between feeds, or -1 */
	size_t bom;            /* units of a byte order mark still to pass */
	int state;             /* lexer state */
	bool at_start;         /* nothing but a byte order mark seen */
	bool decl;             /* in the XML declaration */
	char decl_text[256];   /* the XML declaration, for its encoding */
	size_t ndecl;          /* characters in decl_text */
	uint32_t held[10];     /* "<!..." units held until they are known */
	size_t nheld;          /* units in held */
	size_t len;            /* characters of the current markup */
	size_t attrs;          /* '=' seen in the current tag */
	uint32_t quote;        /* the quote of the attribute value being read, or 0 */
	size_t run;            /* '-' (comment) or ']' (CDATA) units in a row, '?' (PI) */
	size_t start;          /* line where the current markup started */
	size_t line;           /* current line; after a refusal, the line refused */
	char msg[160];         /* after a refusal: why */
};

void mg_xmlguard_init(struct mg_xmlguard *g);

/*
 * Pass `n` bytes of input; what libxml2 may read is appended to `out`
 * (at most 5 bytes per input byte plus a few held back). 0, or -1 when
 * the input is refused (`line` and `msg` set; nothing more may be fed).
 */
int mg_xmlguard_feed(struct mg_xmlguard *g, const void *in, size_t n, struct mg_buf *out);

/* The end of the input: flush what was held back. 0, or -1 as above. */
int mg_xmlguard_end(struct mg_xmlguard *g, struct mg_buf *out);

#endif
