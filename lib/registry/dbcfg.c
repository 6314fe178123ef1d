#include "setup.h"
#include "dbcfg.h"
#include "alloc.h"
#include "buf.h"
#include "fileio.h"

#define DBCFG_MAX_SIZE ((size_t)1 << 20)

/* Python's str.strip() on the ASCII white space a configuration file holds. */
static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r' || c == '\n';
}

static void trim(const char **s, size_t *len)
{
	while (*len && is_space(**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && is_space((*s)[*len - 1]))
		(*len)--;
}

static char *dup_n(const char *s, size_t len)
{
	return mg_xstrndup(s, len);
}

/* Room for one more element of an array of `size`-byte elements. */
static void *grow(void *items, size_t n, size_t *alloc, size_t size)
{
	if (n < *alloc)
		return items;
	*alloc = *alloc ? *alloc * 2 : 8;
	return mg_xrealloc(items, mg_st_mult(*alloc, size));
}

/* The last ']' of s[0..len), or NULL. */
static const char *last_bracket(const char *s, size_t len)
{
	while (len--)
		if (s[len] == ']')
			return s + len;
	return NULL;
}

static struct mg_dbcfg_section *find_section(const struct mg_dbcfg *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->sections[i].name, name))
			return &c->sections[i];
	return NULL;
}

const struct mg_dbcfg_section *mg_dbcfg_section(const struct mg_dbcfg *c, const char *name)
{
	return find_section(c, name);
}

const struct mg_dbcfg_entry *mg_dbcfg_get(const struct mg_dbcfg_section *s, const char *key)
{
	for (size_t i = 0; s && i < s->n; i++)
		if (!strcmp(s->entries[i].key, key))
			return &s->entries[i];
	return NULL;
}

static int bad(struct mg_err *err, const struct mg_dbcfg *c, int line, const char *what)
{
	return mg_err_set(err, MG_EXIT_USAGE, "Databricks configuration file '%s', line %d: %s",
	                  c->path, line, what);
}

/* Start (or, for DEFAULT, continue) section `name`; a repeated other section is an error. */
static struct mg_dbcfg_section *open_section(struct mg_dbcfg *c, const char *name, size_t len,
                                             int line, struct mg_err *err)
{
	char *n = dup_n(name, len);
	struct mg_dbcfg_section *s = find_section(c, n);

	if (s && strcmp(n, "DEFAULT")) {
		char msg[160];

		snprintf(msg, sizeof(msg), "section '%.100s' appears a second time", n);
		free(n);
		bad(err, c, line, msg);
		return NULL;
	}
	if (s) {
		free(n);
		return s;
	}
	c->sections = grow(c->sections, c->n, &c->alloc, sizeof(*c->sections));
	s = &c->sections[c->n++];
	memset(s, 0, sizeof(*s));
	s->name = n;
	s->line = line;
	return s;
}

static struct mg_dbcfg_entry *add_entry(struct mg_dbcfg *c, struct mg_dbcfg_section *s,
                                        const char *key, size_t klen, int line, struct mg_err *err)
{
	char *k = dup_n(key, klen);
	struct mg_dbcfg_entry *e;

	for (char *p = k; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	if (mg_dbcfg_get(s, k)) {
		char msg[200];

		snprintf(msg, sizeof(msg), "key '%.64s' appears a second time in section '%.64s'",
		         k, s->name);
		free(k);
		bad(err, c, line, msg);
		return NULL;
	}
	s->entries = grow(s->entries, s->n, &s->alloc, sizeof(*s->entries));
	e = &s->entries[s->n++];
	e->key = k;
	e->value = NULL;
	e->line = line;
	return e;
}

/* Drop the trailing white space (and blank continuation lines) of a finished value. */
static void finish_value(struct mg_dbcfg_entry *e, struct mg_buf *v)
{
	const char *s = v->buf;
	size_t len = v->len;

	while (len && is_space(s[len - 1]))
		len--;
	if (e) {
		free(e->value);
		e->value = dup_n(s, len);
	}
	mg_buf_reset(v);
}

int mg_dbcfg_parse(struct mg_dbcfg *c, const char *path, const char *text, size_t len,
                   struct mg_err *err)
{
	struct mg_dbcfg_section *sect = NULL;
	struct mg_dbcfg_entry *opt = NULL; /* the key whose value may continue */
	struct mg_buf value = MG_BUF_INIT(DBCFG_MAX_SIZE);
	size_t pos = 0, indent_level = 0;
	int lineno = 0, ret = -1;

	c->path = mg_xstrdup(path);
	if (memchr(text, '\0', len))
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "Databricks configuration file '%s' contains a NUL byte: not a "
		                  "text file",
		                  path);
	while (pos < len) {
		/* one line; "\n", "\r\n" and "\r" end lines, as Python's text mode reads them */
		const char *line = text + pos, *s;
		size_t n = 0, slen, indent = 0;

		while (pos + n < len && text[pos + n] != '\n' && text[pos + n] != '\r')
			n++;
		pos += n; /* at the line break, or the end */
		if (pos < len)
			pos += text[pos] == '\r' && pos + 1 < len && text[pos + 1] == '\n' ? 2 : 1;
		lineno++;
		s = line;
		slen = n;
		trim(&s, &slen);
		if (slen && (s[0] == '#' || s[0] == ';'))
			continue; /* a comment: not even a blank line of a value */
		if (!slen) {
			if (opt)
				mg_buf_addch(&value, '\n');
			continue;
		}
		while (indent < n && is_space(line[indent]))
			indent++;
		if (sect && opt && indent > indent_level) {
			mg_buf_addch(&value, '\n');
			mg_buf_add(&value, s, slen);
			continue;
		}
		finish_value(opt, &value);
		opt = NULL;
		indent_level = indent;
		if (s[0] == '[') {
			const char *close = last_bracket(s + 1, slen - 1);

			if (close && close > s + 1) {
				sect = open_section(c, s + 1, (size_t)(close - s - 1), lineno, err);
				if (!sect)
					goto done;
				continue;
			}
		}
		if (!sect) {
			bad(err, c, lineno, "a key before the first [section]");
			goto done;
		}
		{
			const char *delim = s;
			size_t klen;
			const char *v;
			size_t vlen;

			while (delim < s + slen && *delim != '=' && *delim != ':')
				delim++;
			if (delim == s + slen) {
				bad(err, c, lineno,
				    "neither a [section] nor a 'key = value' line (comments start "
				    "with '#' or ';')");
				goto done;
			}
			klen = (size_t)(delim - s);
			while (klen && is_space(s[klen - 1]))
				klen--;
			if (!klen) {
				bad(err, c, lineno, "a value without a key");
				goto done;
			}
			opt = add_entry(c, sect, s, klen, lineno, err);
			if (!opt)
				goto done;
			v = delim + 1;
			vlen = (size_t)(s + slen - v);
			trim(&v, &vlen);
			mg_buf_add(&value, v, vlen);
		}
	}
	finish_value(opt, &value);
	if (mg_buf_overflowed(&value))
		goto done; /* cannot happen: the file itself is bounded */
	ret = 0;
done:
	mg_buf_release(&value);
	return ret;
}

int mg_dbcfg_read(struct mg_dbcfg *c, const char *path, struct mg_err *err)
{
	struct mg_buf text = MG_BUF_INIT(DBCFG_MAX_SIZE);
	int ret;

	if (mg_file_read(path, &text, err)) {
		mg_buf_release(&text);
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "cannot read the Databricks configuration file '%s'", path);
	}
	ret = mg_dbcfg_parse(c, path, text.buf, text.len, err);
	mg_buf_release(&text);
	return ret;
}

void mg_dbcfg_release(struct mg_dbcfg *c)
{
	for (size_t i = 0; i < c->n; i++) {
		struct mg_dbcfg_section *s = &c->sections[i];

		for (size_t j = 0; j < s->n; j++) {
			free(s->entries[j].key);
			free(s->entries[j].value);
		}
		free(s->entries);
		free(s->name);
	}
	free(c->sections);
	free(c->path);
	memset(c, 0, sizeof(*c));
}
