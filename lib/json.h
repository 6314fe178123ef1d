/*
 * cJSON helpers: one bounded parse with a clear error, and tolerant
 * getters for MLflow's JSON (missing fields are defaults; int64 values may
 * come as numbers or numeric strings; doubles may be "NaN"/"Infinity").
 * Documents are freed with cJSON_Delete.
 */
#ifndef MG_JSON_H
#define MG_JSON_H

#include "setup.h"
#include "buf.h"
#include "err.h"

#include <cjson/cJSON.h>

/*
 * Parse `len` bytes as one JSON value (trailing white space allowed).
 * On failure sets `err` with `code`, naming `what` and the byte offset.
 * The result is owned by the caller.
 */
cJSON *mg_json_parse(const char *text, size_t len, const char *what, int code, struct mg_err *err);

/* The string member `key` of `obj` (borrowed), or "" when absent or not a string. */
const char *mg_json_str(const cJSON *obj, const char *key);

/*
 * A copy of member `key` as text: strings as they are, numbers in their
 * shortest integer or decimal form, "" when absent. Owned by the caller.
 */
char *mg_json_strdup(const cJSON *obj, const char *key);

/* Member `key` as an int64: a JSON number or a numeric string; 0 when absent or malformed. */
int64_t mg_json_i64(const cJSON *obj, const char *key);

/* Member `key` as a double: a number, or "NaN", "Infinity", "-Infinity"; NaN when absent. */
double mg_json_double(const cJSON *obj, const char *key);

/* The shortest decimal text that reads back as exactly `v` ("0.91", not "0.91000000000000003"). */
#define MG_DOUBLE_LEN 32
char *mg_double_str(double v, char out[MG_DOUBLE_LEN]);

/* Add a double, writing NaN and infinities as MLflow does ("NaN", "Infinity", "-Infinity"). */
void mg_json_add_double(cJSON *obj, const char *key, double v);

/* Serialise compactly; the result is owned by the caller (free()). */
char *mg_json_print(const cJSON *item);

/* Append `doc` indented, and a line break, to `out` (a document to read); then free `doc`. */
void mg_json_emit(cJSON *doc, struct mg_buf *out);

#endif
