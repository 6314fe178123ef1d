/*
 * Policies: the JSON document given with --policy, one section per gate
 * ("compliance", "compare", "smoke", ...), and the declarative schemas the
 * gates check their section against. Every mistake is MG_EXIT_USAGE with
 * the key path: policy 'p.json': compliance.waivers[0].expires: ...
 *
 * A schema is a tree of static tables:
 *
 *   static const struct mg_schema tag_rule = MG_SCHEMA_OBJECT_OF(tag_rule_fields);
 *   static const struct mg_schema_field tag_rule_fields[] = {
 *           { "pattern", &mg_schema_regex, false },
 *           { "allowed", &string_list, false },
 *           { NULL, NULL, false },
 *   };
 */
#ifndef MG_POLICY_H
#define MG_POLICY_H

#include "setup.h"
#include "err.h"
#include "json.h"

enum mg_schema_type {
	MG_SCHEMA_ANY = 0,
	MG_SCHEMA_OBJECT,  /* fixed keys: `fields`; any other key is an error */
	MG_SCHEMA_MAP,     /* free keys, every value of type `items` */
	MG_SCHEMA_ARRAY,   /* every element of type `items` */
	MG_SCHEMA_STRING,  /* optionally one of `choices`, or a `format` */
	MG_SCHEMA_NUMBER,  /* finite, in [min, max] when `ranged` */
	MG_SCHEMA_INTEGER, /* whole number, in [min, max] when `ranged` */
	MG_SCHEMA_BOOL,
};

enum mg_schema_format {
	MG_FORMAT_NONE = 0,
	MG_FORMAT_REGEX,    /* a POSIX extended regular expression that compiles */
	MG_FORMAT_DATE,     /* YYYY-MM-DD or a full UTC/offset timestamp (clock.h) */
	MG_FORMAT_NONEMPTY, /* any string but "" */
	MG_FORMAT_NAME,     /* a name: not "", one line (no TAB, LF or CR either; text.h) */
};

struct mg_schema;

struct mg_schema_field {
	const char *key; /* NULL ends the table */
	const struct mg_schema *type;
	bool required;
};

struct mg_schema {
	enum mg_schema_type type;
	const struct mg_schema_field *fields; /* OBJECT */
	const struct mg_schema *items;        /* ARRAY elements, MAP values */
	const char *const *choices;           /* STRING: allowed values, NULL-terminated */
	enum mg_schema_format format;         /* STRING */
	bool ranged;                          /* NUMBER/INTEGER: check min/max */
	double min, max;
	bool nonempty; /* ARRAY/MAP: at least one element */
};

/* Ready-made leaf schemas. */
extern const struct mg_schema mg_schema_string, mg_schema_nonempty_string, mg_schema_name,
        mg_schema_regex, mg_schema_date, mg_schema_number, mg_schema_bool, mg_schema_string_list,
        mg_schema_nonneg_integer;

/*
 * Check `v` against `s`; `path` is the key path of `v` ("compliance").
 * `where` names the document in messages ("policy 'p.json'").
 */
int mg_schema_check(const struct mg_schema *s, const cJSON *v, const char *where, const char *path,
                    struct mg_err *err);

/* The sections a policy document may hold, one per gate, NULL-terminated. */
extern const char *const mg_policy_sections[];

/*
 * The JSON Schema (draft 2020-12) equivalent of `s`, for editors: the
 * schema tables are the single source, docs/policy.schema.json is made
 * from them. The result is owned by the caller (cJSON_Delete).
 */
cJSON *mg_schema_to_json(const struct mg_schema *s);

#define MG_POLICY_MAX_BYTES ((size_t)4 * 1024 * 1024)

struct mg_policy {
	char *path;      /* as given */
	cJSON *doc;      /* the whole document */
	char sha256[65]; /* hex digest of the file's bytes: evidence */
};

/*
 * Read and parse `path` (at most MG_POLICY_MAX_BYTES): a JSON object with
 * "version": 1 and only the known sections (`sections`, NULL-terminated;
 * each gate checks its own section's content with mg_schema_check).
 */
int mg_policy_load(const char *path, const char *const *sections, struct mg_policy *out,
                   struct mg_err *err);

void mg_policy_release(struct mg_policy *p);

/* The section `name` (borrowed), or NULL when the policy has none. */
const cJSON *mg_policy_section(const struct mg_policy *p, const char *name);

/* "policy 'PATH'", for mg_schema_check's `where`. */
void mg_policy_where(const struct mg_policy *p, char *out, size_t n);

/* Hex SHA-256 of `len` bytes into out[65]. */
void mg_sha256_hex(const void *data, size_t len, char out[65]);

#endif
