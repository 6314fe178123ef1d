#include "setup.h"
#include "mvfilter.h"
#include "alloc.h"
#include "buf.h"

#include <strings.h>

/* Filters longer than this are refused: a search filter is a line, not a document. */
#define FILTER_MAX ((size_t)64 * 1024)

struct parser {
	const char *text; /* the whole filter, for messages */
	const char *p;    /* the cursor */
	struct mg_err *err;
};

static bool is_word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static void skip_blanks(struct parser *ps)
{
	while (is_blank(*ps->p))
		ps->p++;
}

/* The next token, for messages: up to the next blank, at most 40 bytes. */
static int near(const struct parser *ps, char *out, size_t size)
{
	size_t n = 0;

	while (ps->p[n] && !is_blank(ps->p[n]) && n < 40 && n + 1 < size)
		n++;
	memcpy(out, ps->p, n);
	out[n] = '\0';
	return (int)n;
}

static int fail(struct parser *ps, const char *what)
{
	char tok[48];

	if (!*ps->p)
		return mg_err_set(ps->err, MG_EXIT_USAGE, "invalid filter '%.200s': %s at its end",
		                  ps->text, what);
	near(ps, tok, sizeof(tok));
	return mg_err_set(ps->err, MG_EXIT_USAGE, "invalid filter '%.200s': %s at '%s'", ps->text,
	                  what, tok);
}

/* Does the cursor start with keyword `kw` (any case) followed by a non-word character? */
static bool at_keyword(const struct parser *ps, const char *kw)
{
	size_t n = strlen(kw);

	return !strncasecmp(ps->p, kw, n) && !is_word_char(ps->p[n]);
}

/*
 * A quoted text starting at the cursor (which is on the quote `q`): its
 * content between the quotes, raw. Doubled quotes and backslash-quote pairs
 * do not end it (sqlparse's tokenizer, which MLflow uses, reads them so) and
 * stay as they are (MLflow does not unescape them either).
 */
static int quoted(struct parser *ps, char q, char **out)
{
	const char *start = ps->p + 1, *s = start;

	for (;;) {
		if (!*s) {
			char what[64];

			snprintf(what, sizeof(what), "unterminated %c-quoted text", q);
			return fail(ps, what);
		}
		if (*s == q && s[1] == q) {
			s += 2;
			continue;
		}
		if (*s == '\\' && s[1] == q && q != '`') {
			s += 2;
			continue;
		}
		if (*s == q)
			break;
		s++;
	}
	*out = mg_xstrndup(start, (size_t)(s - start));
	ps->p = s + 1;
	return 0;
}

/* sqlparse's _strip_quotes then _trim_backticks on an already unquoted key. */
static void trim_backticks(char *s)
{
	size_t n = strlen(s);

	if (n >= 2 && s[0] == '`' && s[n - 1] == '`') {
		memmove(s, s + 1, n - 2);
		s[n - 2] = '\0';
	}
}

static int read_word(struct parser *ps, char *out, size_t size)
{
	size_t n = 0;

	while (is_word_char(ps->p[n])) {
		if (n + 1 >= size)
			return fail(ps, "name too long");
		out[n] = ps->p[n];
		n++;
	}
	out[n] = '\0';
	ps->p += n;
	return 0;
}

static int read_tag_key(struct parser *ps, char **key)
{
	const char *start = ps->p;

	if (*ps->p == '"' || *ps->p == '`') {
		if (quoted(ps, *ps->p, key))
			return -1;
		trim_backticks(*key);
		if (!**key)
			return mg_err_set(ps->err, MG_EXIT_USAGE,
			                  "invalid filter '%.200s': empty tag key", ps->text);
		return 0;
	}
	while (is_word_char(*ps->p) || *ps->p == '.')
		ps->p++;
	if (ps->p == start)
		return fail(ps, "expected a tag key (bare, \"double quoted\" or `backticked`)");
	*key = mg_xstrndup(start, (size_t)(ps->p - start));
	return 0;
}

static int read_field(struct parser *ps, struct mg_mvf_clause *c)
{
	static const struct {
		const char *name;
		enum mg_mvf_field field;
	} attrs[] = {
	        {"name", MG_MVF_NAME},
	        {"run_id", MG_MVF_RUN_ID},
	        {"source_path", MG_MVF_SOURCE_PATH},
	        {"version_number", MG_MVF_VERSION},
	};
	char word[64], attr[64];
	const char *start = ps->p;

	if (!is_word_char(*ps->p)) {
		if (*ps->p == '(')
			return fail(ps, "parentheses are not supported");
		return fail(ps, "expected an attribute (name, run_id, source_path, version_number) "
		                "or tags.<key>");
	}
	if (read_word(ps, word, sizeof(word)))
		return -1;
	if (*ps->p == '.') {
		ps->p++;
		if (!strcmp(word, "tags") || !strcmp(word, "tag")) {
			c->field = MG_MVF_TAG;
			return read_tag_key(ps, &c->tag_key);
		}
		if (strcmp(word, "attribute")) {
			ps->p = start;
			return fail(ps, "unsupported entity (expected tags.<key> or an attribute)");
		}
		start = ps->p;
		if (read_word(ps, attr, sizeof(attr)))
			return -1;
		memcpy(word, attr, sizeof(word));
	}
	for (size_t i = 0; i < MG_ARRAY_SIZE(attrs); i++) {
		if (!strcmp(word, attrs[i].name) && !is_word_char(*ps->p) && *ps->p != '.') {
			c->field = attrs[i].field;
			return 0;
		}
	}
	ps->p = start;
	return fail(ps, "unsupported attribute (expected name, run_id, source_path, "
	                "version_number or tags.<key>)");
}

static int read_op(struct parser *ps, enum mg_mvf_op *op)
{
	static const struct {
		const char *text;
		enum mg_mvf_op op;
	} ops[] = {
	        /* longest first */
	        {"!=", MG_MVF_NE}, {"<=", MG_MVF_LE}, {">=", MG_MVF_GE},
	        {"=", MG_MVF_EQ},  {"<", MG_MVF_LT},  {">", MG_MVF_GT},
	};

	if (!strncmp(ps->p, "<>", 2) || !strncmp(ps->p, "==", 2))
		return fail(ps, "unsupported comparator");
	for (size_t i = 0; i < MG_ARRAY_SIZE(ops); i++) {
		size_t n = strlen(ops[i].text);

		if (!strncmp(ps->p, ops[i].text, n)) {
			ps->p += n;
			*op = ops[i].op;
			return 0;
		}
	}
	if (at_keyword(ps, "LIKE")) {
		ps->p += 4;
		*op = MG_MVF_LIKE;
		return 0;
	}
	if (at_keyword(ps, "ILIKE")) {
		ps->p += 5;
		*op = MG_MVF_ILIKE;
		return 0;
	}
	if (at_keyword(ps, "IN")) {
		ps->p += 2;
		*op = MG_MVF_IN;
		return 0;
	}
	if (at_keyword(ps, "NOT")) {
		const char *save = ps->p;

		ps->p += 3;
		skip_blanks(ps);
		if (at_keyword(ps, "IN")) {
			ps->p += 2;
			*op = MG_MVF_NOT_IN;
			return 0;
		}
		ps->p = save;
	}
	return fail(ps, "expected a comparator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN)");
}

static void add_value(struct mg_mvf_clause *c, char *v)
{
	c->values = mg_xrealloc(c->values, mg_st_mult(c->n_values + 1, sizeof(*c->values)));
	c->values[c->n_values++] = v;
}

static int read_string(struct parser *ps, struct mg_mvf_clause *c)
{
	char *v = NULL;

	if (*ps->p != '\'' && *ps->p != '"')
		return fail(ps, "expected a quoted string value ('single' or \"double\" quotes)");
	if (quoted(ps, *ps->p, &v))
		return -1;
	add_value(c, v);
	return 0;
}

static int read_list(struct parser *ps, struct mg_mvf_clause *c)
{
	if (*ps->p != '(')
		return fail(ps, "expected a parenthesised list of quoted strings after IN");
	ps->p++;
	for (;;) {
		skip_blanks(ps);
		if (read_string(ps, c))
			return -1;
		skip_blanks(ps);
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p == ')') {
			ps->p++;
			return 0;
		}
		return fail(ps, "expected ',' or ')' in the list");
	}
}

/* A decimal integer, optionally signed, the whole of `s`. */
static bool parse_integer(const char *s, long long *out)
{
	char *end;

	if (!*s || is_blank(*s))
		return false;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return !errno && !*end;
}

static int read_version_value(struct parser *ps, struct mg_mvf_clause *c)
{
	const char *start = ps->p;

	if (*ps->p == '\'' || *ps->p == '"') {
		char *v = NULL;
		bool ok;

		if (quoted(ps, *ps->p, &v))
			return -1;
		ok = parse_integer(v, &c->number);
		free(v);
		if (!ok) {
			ps->p = start;
			return fail(ps, "version_number needs an integer value");
		}
		return 0;
	}
	if (*ps->p == '-' || *ps->p == '+')
		ps->p++;
	while (*ps->p >= '0' && *ps->p <= '9')
		ps->p++;
	if (ps->p == start || is_word_char(*ps->p) || *ps->p == '.') {
		ps->p = start;
		return fail(ps, "version_number needs an integer value");
	}
	{
		char *num = mg_xstrndup(start, (size_t)(ps->p - start));
		bool ok = parse_integer(num, &c->number);

		free(num);
		if (!ok) {
			ps->p = start;
			return fail(ps, "version_number needs an integer value");
		}
	}
	return 0;
}

static int check_op(struct parser *ps, const struct mg_mvf_clause *c, const char *op_at)
{
	bool ok;

	switch (c->field) {
	case MG_MVF_VERSION:
		ok = c->op <= MG_MVF_GE;
		break;
	case MG_MVF_NAME:
	case MG_MVF_RUN_ID:
		ok = c->op == MG_MVF_EQ || c->op == MG_MVF_NE || c->op >= MG_MVF_LIKE;
		break;
	case MG_MVF_SOURCE_PATH:
	case MG_MVF_TAG:
	default:
		ok = c->op == MG_MVF_EQ || c->op == MG_MVF_NE || c->op == MG_MVF_LIKE ||
		     c->op == MG_MVF_ILIKE;
		break;
	}
	if (ok)
		return 0;
	ps->p = op_at;
	return mg_err_set(ps->err, MG_EXIT_USAGE,
	                  "invalid filter '%.200s': comparator %s is not supported for %s%s%.100s",
	                  ps->text, mg_mvf_op_name(c->op), mg_mvf_field_name(c->field),
	                  c->tag_key ? "." : "", c->tag_key ? c->tag_key : "");
}

static int read_clause(struct parser *ps, struct mg_mvf_clause *c)
{
	const char *op_at;

	if (read_field(ps, c))
		return -1;
	skip_blanks(ps);
	op_at = ps->p;
	if (read_op(ps, &c->op) || check_op(ps, c, op_at))
		return -1;
	skip_blanks(ps);
	if (c->field == MG_MVF_VERSION)
		return read_version_value(ps, c);
	if (c->op == MG_MVF_IN || c->op == MG_MVF_NOT_IN)
		return read_list(ps, c);
	return read_string(ps, c);
}

static void clause_release(struct mg_mvf_clause *c)
{
	free(c->tag_key);
	for (size_t i = 0; i < c->n_values; i++)
		free(c->values[i]);
	free(c->values);
	memset(c, 0, sizeof(*c));
}

void mg_mvfilter_release(struct mg_mvfilter *f)
{
	for (size_t i = 0; i < f->n; i++)
		clause_release(&f->clauses[i]);
	free(f->clauses);
	f->clauses = NULL;
	f->n = 0;
}

int mg_mvfilter_parse(const char *filter, struct mg_mvfilter *out, struct mg_err *err)
{
	struct parser ps = {filter ? filter : "", filter ? filter : "", err};
	size_t alloc = 0;

	mg_mvfilter_release(out);
	if (strlen(ps.text) > FILTER_MAX)
		return mg_err_setr(err, MG_EXIT_USAGE, MG_REASON_TOO_LARGE,
		                   "invalid filter: longer than %zu bytes", FILTER_MAX);
	skip_blanks(&ps);
	if (!*ps.p)
		return 0;
	for (;;) {
		struct mg_mvf_clause c = {0};

		if (read_clause(&ps, &c)) {
			clause_release(&c);
			goto fail;
		}
		if (out->n == alloc) {
			alloc = alloc ? alloc * 2 : 4;
			out->clauses = mg_xrealloc(out->clauses, mg_st_mult(alloc, sizeof(c)));
		}
		out->clauses[out->n++] = c;
		skip_blanks(&ps);
		if (!*ps.p)
			return 0;
		if (at_keyword(&ps, "AND")) {
			ps.p += 3;
			skip_blanks(&ps);
			if (!*ps.p) {
				fail(&ps, "expected a comparison after AND");
				goto fail;
			}
			continue;
		}
		if (at_keyword(&ps, "OR"))
			fail(&ps, "OR is not supported (join clauses with AND)");
		else
			fail(&ps, "expected AND between clauses");
		goto fail;
	}
fail:
	mg_mvfilter_release(out);
	return -1;
}

const char *mg_mvf_op_name(enum mg_mvf_op op)
{
	static const char *const names[] = {"=",  "!=",   "<",     "<=", ">",
	                                    ">=", "LIKE", "ILIKE", "IN", "NOT IN"};

	return (size_t)op < MG_ARRAY_SIZE(names) ? names[op] : "?";
}

const char *mg_mvf_field_name(enum mg_mvf_field field)
{
	static const char *const names[] = {"name", "run_id", "source_path", "version_number",
	                                    "tags"};

	return (size_t)field < MG_ARRAY_SIZE(names) ? names[field] : "?";
}

/* --- orderings ------------------------------------------------------------ */

static int order_key(const char *text, const char *s, size_t n, enum mg_mvo_key *key,
                     struct mg_err *err)
{
	static const struct {
		const char *name;
		enum mg_mvo_key key;
	} keys[] = {
	        {"name", MG_MVO_NAME},
	        {"version_number", MG_MVO_VERSION},
	        {"creation_timestamp", MG_MVO_CREATION},
	        {"last_updated_timestamp", MG_MVO_LAST_UPDATED},
	};

	if (n > 10 && !strncmp(s, "attribute.", 10)) {
		s += 10;
		n -= 10;
	}
	if (n >= 2 && ((s[0] == '`' && s[n - 1] == '`') || (s[0] == '"' && s[n - 1] == '"'))) {
		s++;
		n -= 2;
	}
	for (size_t i = 0; i < MG_ARRAY_SIZE(keys); i++) {
		if (strlen(keys[i].name) == n && !strncmp(s, keys[i].name, n)) {
			*key = keys[i].key;
			return 0;
		}
	}
	return mg_err_set(err, MG_EXIT_USAGE,
	                  "invalid order_by '%.200s': unknown key '%.*s' (expected name, "
	                  "version_number, creation_timestamp or last_updated_timestamp)",
	                  text, (int)(n > 64 ? 64 : n), s);
}

static bool order_has(const struct mg_mvorder *o, enum mg_mvo_key key)
{
	for (size_t i = 0; i < o->n; i++)
		if (o->keys[i].key == key)
			return true;
	return false;
}

static int order_clause(const char *text, const char *s, size_t n, struct mg_mvorder *out,
                        struct mg_err *err)
{
	const char *end = s + n, *kend, *dir;
	enum mg_mvo_key key = MG_MVO_NAME;
	bool asc = true;

	while (s < end && is_blank(*s))
		s++;
	while (end > s && is_blank(end[-1]))
		end--;
	if (s == end)
		return mg_err_set(err, MG_EXIT_USAGE, "invalid order_by '%.200s': empty clause",
		                  text);
	kend = s;
	while (kend < end && !is_blank(*kend))
		kend++;
	dir = kend;
	while (dir < end && is_blank(*dir))
		dir++;
	if (dir < end) {
		size_t dn = (size_t)(end - dir);

		if (dn == 3 && !strncasecmp(dir, "asc", 3))
			asc = true;
		else if (dn == 4 && !strncasecmp(dir, "desc", 4))
			asc = false;
		else
			return mg_err_set(err, MG_EXIT_USAGE,
			                  "invalid order_by '%.200s': expected ASC or DESC, got "
			                  "'%.*s'",
			                  text, (int)(dn > 32 ? 32 : dn), dir);
	}
	if (order_key(text, s, (size_t)(kend - s), &key, err))
		return -1;
	if (order_has(out, key))
		return mg_err_set(err, MG_EXIT_USAGE, "invalid order_by '%.200s': duplicate key",
		                  text);
	out->keys[out->n].key = key;
	out->keys[out->n].asc = asc;
	out->n++;
	return 0;
}

int mg_mvorder_parse(const char *order_by, struct mg_mvorder *out, struct mg_err *err)
{
	const char *s = order_by ? order_by : "";
	bool blank = true;

	memset(out, 0, sizeof(*out));
	for (const char *p = s; *p; p++)
		if (!is_blank(*p))
			blank = false;
	if (blank) {
		out->keys[0].key = MG_MVO_LAST_UPDATED;
		out->keys[0].asc = false;
		out->n = 1;
	} else {
		for (;;) {
			const char *comma = strchr(s, ',');
			size_t n = comma ? (size_t)(comma - s) : strlen(s);

			if (out->n == MG_MVORDER_MAX)
				return mg_err_set(err, MG_EXIT_USAGE,
				                  "invalid order_by '%.200s': duplicate key",
				                  order_by);
			if (order_clause(order_by, s, n, out, err)) {
				memset(out, 0, sizeof(*out));
				return -1;
			}
			if (!comma)
				break;
			s = comma + 1;
		}
	}
	if (!order_has(out, MG_MVO_NAME)) {
		out->keys[out->n].key = MG_MVO_NAME;
		out->keys[out->n].asc = true;
		out->n++;
	}
	if (!order_has(out, MG_MVO_VERSION)) {
		out->keys[out->n].key = MG_MVO_VERSION;
		out->keys[out->n].asc = false;
		out->n++;
	}
	return 0;
}
