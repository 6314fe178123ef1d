/*
 * The Databricks configuration file (~/.databrickscfg), read the way the
 * Databricks SDK for Python reads it: Python's configparser with its
 * defaults, values taken raw (no interpolation). So:
 *
 * - `[name]` starts a section; the name is everything between the first
 *   '[' and the last ']' of the line, as configparser's pattern takes it.
 *   `[DEFAULT]` is configparser's default section: it may appear more than
 *   once; any other section appearing twice is an error.
 * - `key = value` or `key: value`, split at the first '=' or ':'; keys are
 *   lower-cased, both sides trimmed; a key twice in a section is an error.
 * - Lines whose first non-blank character is '#' or ';' are comments.
 *   There are no inline comments: "token = abc # x" is the value "abc # x".
 * - A line indented deeper than its key's line continues the value (joined
 *   with '\n'); blank lines inside a value are kept, trailing ones dropped.
 * - A key before any section, a line with neither a section nor a
 *   delimiter, an empty key, and a NUL byte are errors.
 *
 * Errors are MG_EXIT_USAGE naming the file and line, never a value.
 */
#ifndef MG_DBCFG_H
#define MG_DBCFG_H

#include "setup.h"
#include "err.h"

struct mg_dbcfg_entry {
	char *key;   /* lower-cased */
	char *value; /* raw; continuation lines joined with '\n' */
	int line;    /* of the key, 1-based */
};

struct mg_dbcfg_section {
	char *name; /* as written; "DEFAULT" is the default section */
	int line;   /* of its (first) header */
	struct mg_dbcfg_entry *entries;
	size_t n, alloc;
};

struct mg_dbcfg {
	char *path;                        /* for messages (owned copy) */
	struct mg_dbcfg_section *sections; /* in file order */
	size_t n, alloc;
};

#define MG_DBCFG_INIT            \
	{                        \
		NULL, NULL, 0, 0 \
	}

/* Parse `len` bytes of `text`, read from `path` (named in messages), into an empty `c`. */
int mg_dbcfg_parse(struct mg_dbcfg *c, const char *path, const char *text, size_t len,
                   struct mg_err *err);

/* Read and parse the file `path` (at most 1 MiB; unreadable or too large: MG_EXIT_USAGE). */
int mg_dbcfg_read(struct mg_dbcfg *c, const char *path, struct mg_err *err);

/* The section `name` (case-sensitive), or NULL. */
const struct mg_dbcfg_section *mg_dbcfg_section(const struct mg_dbcfg *c, const char *name);

/* The entry `key` (lower-case) of section `s` (may be NULL), or NULL. */
const struct mg_dbcfg_entry *mg_dbcfg_get(const struct mg_dbcfg_section *s, const char *key);

void mg_dbcfg_release(struct mg_dbcfg *c);

#endif
