#include "setup.h"
#include "text.h"

bool mg_text_is_bidi(uint32_t cp)
{
	return cp == 0x061c || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

size_t mg_text_next(const char *str, size_t len, size_t i, uint32_t *cp, enum mg_text_kind *kind)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned c = s[i];
	size_t need;
	uint32_t v;

	*cp = c;
	if (c < 0x80) {
		*kind = c < 0x20 || c == 0x7f ? MG_TEXT_CONTROL : MG_TEXT_PLAIN;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		need = 1;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		v = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		v = c & 0x07;
	} else {
		goto bad;
	}
	if (i + need >= len)
		goto bad;
	for (size_t j = 1; j <= need; j++) {
		if ((s[i + j] & 0xc0) != 0x80)
			goto bad;
		v = (v << 6) | (s[i + j] & 0x3f);
	}
	if ((need == 2 && v < 0x800) || (need == 3 && (v < 0x10000 || v > 0x10ffff)) ||
	    (v >= 0xd800 && v <= 0xdfff))
		goto bad;
	*cp = v;
	*kind = v <= 0x9f ? MG_TEXT_CONTROL : mg_text_is_bidi(v) ? MG_TEXT_BIDI : MG_TEXT_PLAIN;
	return need + 1;
bad:
	*kind = MG_TEXT_BAD_UTF8;
	return 1;
}

int mg_text_check(const char *s, size_t len, bool one_line, char *why, size_t why_size)
{
	for (size_t i = 0; i < len;) {
		enum mg_text_kind kind;
		uint32_t cp;
		size_t n = mg_text_next(s, len, i, &cp, &kind);

		switch (kind) {
		case MG_TEXT_BAD_UTF8:
			snprintf(why, why_size, "invalid UTF-8 (byte 0x%02X) at byte %zu",
			         (unsigned)cp, i);
			return -1;
		case MG_TEXT_CONTROL:
			if (!one_line && (cp == '\t' || cp == '\n' || cp == '\r'))
				break;
			snprintf(why, why_size, "a control character (U+%04X) at byte %zu",
			         (unsigned)cp, i);
			return -1;
		case MG_TEXT_BIDI:
			snprintf(why, why_size, "a bidirectional control (U+%04X) at byte %zu",
			         (unsigned)cp, i);
			return -1;
		default:
			break;
		}
		i += n;
	}
	return 0;
}

void mg_text_add_visible(struct mg_buf *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		enum mg_text_kind kind;
		uint32_t cp;
		size_t n = mg_text_next(s, len, i, &cp, &kind);

		if (kind == MG_TEXT_BAD_UTF8)
			mg_buf_adds(out, "\xef\xbf\xbd");
		else if (kind == MG_TEXT_PLAIN)
			mg_buf_add(out, s + i, n);
		else
			mg_buf_addf(out, cp <= 0xff ? "#x%02X" : "#x%04X", (unsigned)cp);
		i += n;
	}
}

const char *mg_plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}
