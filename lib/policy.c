#include "setup.h"
#include "policy.h"
#include "alloc.h"
#include "buf.h"
#include "clock.h"
#include "fileio.h"
#include "text.h"

#include <math.h>
#include <openssl/evp.h>
#include <regex.h>

const char *const mg_policy_sections[] = {"compliance", "compare", "promote", "smoke",
                                          "changes",    "release", "drift",   NULL};

const struct mg_schema mg_schema_string = {.type = MG_SCHEMA_STRING};
const struct mg_schema mg_schema_nonempty_string = {.type = MG_SCHEMA_STRING,
                                                    .format = MG_FORMAT_NONEMPTY};
const struct mg_schema mg_schema_name = {.type = MG_SCHEMA_STRING, .format = MG_FORMAT_NAME};
const struct mg_schema mg_schema_regex = {.type = MG_SCHEMA_STRING, .format = MG_FORMAT_REGEX};
const struct mg_schema mg_schema_date = {.type = MG_SCHEMA_STRING, .format = MG_FORMAT_DATE};
const struct mg_schema mg_schema_number = {.type = MG_SCHEMA_NUMBER};
const struct mg_schema mg_schema_bool = {.type = MG_SCHEMA_BOOL};
const struct mg_schema mg_schema_string_list = {.type = MG_SCHEMA_ARRAY,
                                                .items = &mg_schema_nonempty_string};
const struct mg_schema mg_schema_nonneg_integer = {
        .type = MG_SCHEMA_INTEGER, .ranged = true, .min = 0, .max = 9007199254740992.0};

static const char *type_name(const cJSON *v)
{
	if (cJSON_IsObject(v))
		return "an object";
	if (cJSON_IsArray(v))
		return "an array";
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsBool(v))
		return "a boolean";
	if (cJSON_IsNull(v))
		return "null";
	return "something else";
}

static const char *expected_name(enum mg_schema_type t)
{
	static const char *const names[] = {"anything",       "an object",    "an object",
	                                    "an array",       "a string",     "a number",
	                                    "a whole number", "true or false"};

	return names[t];
}

static int bad(struct mg_err *err, const char *where, const char *path, const char *fmt, ...)
        MG_PRINTF(4, 5);

static int bad(struct mg_err *err, const char *where, const char *path, const char *fmt, ...)
{
	struct mg_buf msg = MG_BUF_INIT(MG_BUF_SMALL);
	va_list ap;

	va_start(ap, fmt);
	mg_buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	mg_err_set(err, MG_EXIT_USAGE, "%s: %s: %s", where, *path ? path : "(top level)", msg.buf);
	mg_buf_release(&msg);
	return -1;
}

/* A key fit for a name (text.h), or an error showing it safely. */
static int check_key(const cJSON *child, const char *where, const char *path, struct mg_err *err)
{
	struct mg_buf shown = MG_BUF_INIT(MG_BUF_SMALL);
	char why[80];
	int ret;

	if (!mg_text_check(child->string, strlen(child->string), true, why, sizeof(why)))
		return 0;
	mg_text_add_visible(&shown, child->string, strlen(child->string));
	ret = bad(err, where, path, "key '%.64s': %s", shown.buf, why);
	mg_buf_release(&shown);
	return ret;
}

static int check_string(const struct mg_schema *s, const cJSON *v, const char *where,
                        const char *path, struct mg_err *err)
{
	const char *str = v->valuestring;
	char why[80];

	/* every string: valid UTF-8, no bidi controls; a name: one line too */
	if (mg_text_check(str, strlen(str), s->format == MG_FORMAT_NAME, why, sizeof(why)))
		return bad(err, where, path, "%s", why);

	if (s->choices) {
		struct mg_buf list = MG_BUF_INIT(MG_BUF_SMALL);
		int ret;

		for (size_t i = 0; s->choices[i]; i++)
			if (!strcmp(str, s->choices[i]))
				return 0;
		for (size_t i = 0; s->choices[i]; i++)
			mg_buf_addf(&list, "%s%s", i ? ", " : "", s->choices[i]);
		ret = bad(err, where, path, "'%.64s' is not one of %s", str, list.buf);
		mg_buf_release(&list);
		return ret;
	}
	switch (s->format) {
	case MG_FORMAT_NONEMPTY:
	case MG_FORMAT_NAME:
		if (!*str)
			return bad(err, where, path, "must not be empty");
		return 0;
	case MG_FORMAT_REGEX: {
		regex_t re;
		int rc = regcomp(&re, str, REG_EXTENDED | REG_NOSUB);
		char msg[256];

		if (!rc) {
			regfree(&re);
			return 0;
		}
		regerror(rc, &re, msg, sizeof(msg));
		return bad(err, where, path, "invalid regular expression '%.100s': %s", str, msg);
	}
	case MG_FORMAT_DATE: {
		struct mg_err inner = MG_ERR_INIT;
		time_t t;

		if (!mg_time_parse(path, str, &t, &inner))
			return 0;
		return bad(err, where, path, "invalid date '%.64s': expected YYYY-MM-DD", str);
	}
	default:
		return 0;
	}
}

int mg_schema_check(const struct mg_schema *s, const cJSON *v, const char *where, const char *path,
                    struct mg_err *err)
{
	struct mg_buf sub = MG_BUF_INIT(MG_BUF_SMALL);
	const cJSON *child;
	int ret = -1, i = 0;
	bool type_ok;

	switch (s->type) {
	case MG_SCHEMA_ANY:
		type_ok = true;
		break;
	case MG_SCHEMA_OBJECT:
	case MG_SCHEMA_MAP:
		type_ok = cJSON_IsObject(v);
		break;
	case MG_SCHEMA_ARRAY:
		type_ok = cJSON_IsArray(v);
		break;
	case MG_SCHEMA_STRING:
		type_ok = cJSON_IsString(v);
		break;
	case MG_SCHEMA_NUMBER:
	case MG_SCHEMA_INTEGER:
		type_ok = cJSON_IsNumber(v);
		break;
	default:
		type_ok = cJSON_IsBool(v);
		break;
	}
	if (!type_ok)
		return bad(err, where, path, "expected %s, got %s", expected_name(s->type),
		           type_name(v));

	switch (s->type) {
	case MG_SCHEMA_OBJECT:
		cJSON_ArrayForEach(child, v)
		{
			const struct mg_schema_field *f = s->fields;

			if (check_key(child, where, path, err))
				goto done;
			while (f->key && strcmp(f->key, child->string))
				f++;
			mg_buf_reset(&sub);
			mg_buf_addf(&sub, "%s%s%s", path, *path ? "." : "", child->string);
			if (!f->key) {
				struct mg_buf keys = MG_BUF_INIT(MG_BUF_SMALL);

				for (f = s->fields; f->key; f++)
					mg_buf_addf(&keys, "%s%s", f == s->fields ? "" : ", ",
					            f->key);
				if (keys.len)
					bad(err, where, sub.buf,
					    "unknown key (expected one of: %s)", keys.buf);
				else
					bad(err, where, sub.buf,
					    "unknown key (no key is accepted here)");
				mg_buf_release(&keys);
				goto done;
			}
			if (mg_schema_check(f->type, child, where, sub.buf, err))
				goto done;
		}
		for (const struct mg_schema_field *f = s->fields; f->key; f++) {
			if (f->required && !cJSON_GetObjectItemCaseSensitive(v, f->key)) {
				bad(err, where, path, "missing required key '%s'", f->key);
				goto done;
			}
		}
		break;
	case MG_SCHEMA_MAP:
	case MG_SCHEMA_ARRAY:
		if (s->nonempty && !cJSON_GetArraySize(v)) {
			bad(err, where, path, "must not be empty");
			goto done;
		}
		cJSON_ArrayForEach(child, v)
		{
			if (s->type == MG_SCHEMA_MAP && check_key(child, where, path, err))
				goto done;
			mg_buf_reset(&sub);
			if (s->type == MG_SCHEMA_MAP)
				mg_buf_addf(&sub, "%s%s%s", path, *path ? "." : "", child->string);
			else
				mg_buf_addf(&sub, "%s[%d]", path, i++);
			if (mg_schema_check(s->items, child, where, sub.buf, err))
				goto done;
		}
		break;
	case MG_SCHEMA_STRING:
		if (check_string(s, v, where, path, err))
			goto done;
		break;
	case MG_SCHEMA_NUMBER:
	case MG_SCHEMA_INTEGER: {
		double d = v->valuedouble;

		if (!isfinite(d)) {
			bad(err, where, path, "must be a finite number");
			goto done;
		}
		if (s->type == MG_SCHEMA_INTEGER && d != floor(d)) {
			bad(err, where, path, "expected a whole number, got %g", d);
			goto done;
		}
		if (s->ranged && (d < s->min || d > s->max)) {
			bad(err, where, path, "%g is out of range [%g, %g]", d, s->min, s->max);
			goto done;
		}
		break;
	}
	default:
		break;
	}
	ret = 0;
done:
	mg_buf_release(&sub);
	return ret;
}

cJSON *mg_schema_to_json(const struct mg_schema *s)
{
	static const char *const types[] = {NULL,     "object", "object",  "array",
	                                    "string", "number", "integer", "boolean"};
	cJSON *o = cJSON_CreateObject(), *props, *req;

	if (types[s->type])
		cJSON_AddStringToObject(o, "type", types[s->type]);
	switch (s->type) {
	case MG_SCHEMA_OBJECT:
		props = cJSON_AddObjectToObject(o, "properties");
		req = cJSON_CreateArray();
		for (const struct mg_schema_field *f = s->fields; f->key; f++) {
			cJSON_AddItemToObject(props, f->key, mg_schema_to_json(f->type));
			if (f->required)
				cJSON_AddItemToArray(req, cJSON_CreateString(f->key));
		}
		if (cJSON_GetArraySize(req))
			cJSON_AddItemToObject(o, "required", req);
		else
			cJSON_Delete(req);
		cJSON_AddBoolToObject(o, "additionalProperties", false);
		break;
	case MG_SCHEMA_MAP:
		cJSON_AddItemToObject(o, "additionalProperties", mg_schema_to_json(s->items));
		if (s->nonempty)
			cJSON_AddNumberToObject(o, "minProperties", 1);
		break;
	case MG_SCHEMA_ARRAY:
		cJSON_AddItemToObject(o, "items", mg_schema_to_json(s->items));
		if (s->nonempty)
			cJSON_AddNumberToObject(o, "minItems", 1);
		break;
	case MG_SCHEMA_STRING:
		if (s->choices) {
			cJSON *e = cJSON_AddArrayToObject(o, "enum");

			for (size_t i = 0; s->choices[i]; i++)
				cJSON_AddItemToArray(e, cJSON_CreateString(s->choices[i]));
		}
		if (s->format == MG_FORMAT_REGEX)
			cJSON_AddStringToObject(o, "format", "regex");
		else if (s->format == MG_FORMAT_DATE)
			cJSON_AddStringToObject(o, "pattern",
			                        "^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-"
			                        "9]{2}(Z|[+-][0-9]{2}:[0-9]{2}))?$");
		else if (s->format == MG_FORMAT_NONEMPTY)
			cJSON_AddNumberToObject(o, "minLength", 1);
		else if (s->format == MG_FORMAT_NAME)
			cJSON_AddStringToObject(o, "pattern",
			                        "^[^\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200e"
			                        "\\u200f\\u202a-\\u202e\\u2066-\\u2069]+$");
		break;
	case MG_SCHEMA_NUMBER:
	case MG_SCHEMA_INTEGER:
		if (s->ranged) {
			cJSON_AddNumberToObject(o, "minimum", s->min);
			cJSON_AddNumberToObject(o, "maximum", s->max);
		}
		break;
	default:
		break;
	}
	return o;
}

/* --- documents ----------------------------------------------------------- */

void mg_sha256_hex(const void *data, size_t len, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (!EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) || n != 32)
		mg_die_oom(0); /* only fails when OpenSSL cannot allocate */
	for (unsigned int i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}

void mg_policy_where(const struct mg_policy *p, char *out, size_t n)
{
	snprintf(out, n, "policy '%s'", p->path);
}

int mg_policy_load(const char *path, const char *const *sections, struct mg_policy *out,
                   struct mg_err *err)
{
	struct mg_buf text = MG_BUF_INIT(MG_POLICY_MAX_BYTES);
	struct mg_buf what = MG_BUF_INIT(MG_BUF_SMALL);
	const cJSON *child, *version;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	out->path = mg_xstrdup(path);
	mg_buf_addf(&what, "policy '%s'", path);
	if (mg_file_read(path, &text, err))
		goto done;
	mg_sha256_hex(text.buf, text.len, out->sha256);
	out->doc = mg_json_parse(text.buf, text.len, what.buf, MG_EXIT_USAGE, err);
	if (!out->doc)
		goto done;
	if (!cJSON_IsObject(out->doc)) {
		bad(err, what.buf, "", "expected an object, got %s", type_name(out->doc));
		goto done;
	}
	version = cJSON_GetObjectItemCaseSensitive(out->doc, "version");
	if (!version) {
		bad(err, what.buf, "",
		    "missing required key 'version' (this mlgate reads version 1)");
		goto done;
	}
	if (!cJSON_IsNumber(version) || version->valuedouble != 1) {
		bad(err, what.buf, "version", "unsupported policy version (this mlgate reads 1)");
		goto done;
	}
	cJSON_ArrayForEach(child, out->doc)
	{
		bool known = !strcmp(child->string, "version");

		for (size_t i = 0; !known && sections[i]; i++)
			known = !strcmp(child->string, sections[i]);
		if (!known) {
			struct mg_buf keys = MG_BUF_INIT(MG_BUF_SMALL);

			for (size_t i = 0; sections[i]; i++)
				mg_buf_addf(&keys, ", %s", sections[i]);
			bad(err, what.buf, child->string,
			    "unknown key (expected one of: version%s)", keys.buf);
			mg_buf_release(&keys);
			goto done;
		}
		if (strcmp(child->string, "version") && !cJSON_IsObject(child)) {
			bad(err, what.buf, child->string, "expected an object, got %s",
			    type_name(child));
			goto done;
		}
	}
	ret = 0;
done:
	if (ret)
		mg_policy_release(out);
	mg_buf_release(&text);
	mg_buf_release(&what);
	return ret;
}

void mg_policy_release(struct mg_policy *p)
{
	cJSON_Delete(p->doc);
	free(p->path);
	memset(p, 0, sizeof(*p));
}

const cJSON *mg_policy_section(const struct mg_policy *p, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(p->doc, name);
}
