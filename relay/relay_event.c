#include "setup.h"
#include "relay_event.h"
#include "alloc.h"
#include "json.h"
#include "policy.h"

#include <fnmatch.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <strings.h>

static const struct {
	const char *name;
	int status;
} rejects[MG_RELAY_NREJECT] = {
        [MG_RELAY_OK] = {"ok", 202},
        [MG_RELAY_BAD_SIGNATURE] = {"bad_signature", 401},
        [MG_RELAY_STALE] = {"stale", 401},
        [MG_RELAY_MISSING] = {"missing_header", 400},
        [MG_RELAY_MALFORMED] = {"malformed", 400},
        [MG_RELAY_INVALID] = {"invalid_value", 422},
        [MG_RELAY_REPLAY] = {"replay", 409},
        [MG_RELAY_TOO_LARGE] = {"too_large", 413},
        [MG_RELAY_CONTENT_TYPE] = {"content_type", 415},
        [MG_RELAY_NOT_FOUND] = {"not_found", 404},
        [MG_RELAY_METHOD] = {"method", 405},
        [MG_RELAY_UNAVAILABLE] = {"unavailable", 503},
        [MG_RELAY_BUSY] = {"busy", 503},
};

const char *mg_relay_reject_name(enum mg_relay_reject r)
{
	return r < MG_RELAY_NREJECT ? rejects[r].name : "?";
}

int mg_relay_reject_status(enum mg_relay_reject r)
{
	return r < MG_RELAY_NREJECT ? rejects[r].status : 500;
}

static void hex(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static void hmac(const EVP_MD *md, const char *key, const void *data, size_t len,
                 unsigned char *mac, unsigned *maclen)
{
	if (!HMAC(md, key, (int)strlen(key), data, len, mac, maclen))
		mg_die_oom(0);
}

void mg_relay_hmac_sha1_hex(const char *key, const void *body, size_t len, char out[41])
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned n = 0;

	hmac(EVP_sha1(), key, body, len, mac, &n);
	hex(mac, n, out);
}

void mg_relay_hmac_sha256_hex(const char *key, const void *body, size_t len, char out[65])
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned n = 0;

	hmac(EVP_sha256(), key, body, len, mac, &n);
	hex(mac, n, out);
}

/* Length first (not secret), then the bytes in constant time. */
static bool same(const char *a, const char *b, size_t n)
{
	return strlen(b) == n && CRYPTO_memcmp(a, b, n) == 0;
}

static bool all_of(const char *s, size_t min, size_t max, const char *extra, bool letters,
                   bool digits)
{
	size_t n = strlen(s);

	if (n < min || n > max)
		return false;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((letters && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) ||
		    (digits && c >= '0' && c <= '9') || (c && strchr(extra, c)))
			continue;
		return false;
	}
	return true;
}

enum mg_relay_reject mg_relay_verify_mlflow(const struct mg_relay_source *src, const char *id,
                                            const char *ts, const char *sig, const char *body,
                                            size_t len, time_t now, struct mg_relay_event *ev)
{
	size_t idlen, tslen, mlen;
	char *msg;
	bool ok = false;
	long long t;

	if (!id || !ts || !all_of(id, 1, 64, "-", true, true) ||
	    !all_of(ts, 1, 12, "", false, true))
		return MG_RELAY_MISSING;
	if (!sig || strncmp(sig, "v1,", 3))
		return MG_RELAY_BAD_SIGNATURE;
	idlen = strlen(id);
	tslen = strlen(ts);
	mlen = idlen + tslen + 2 + len;
	msg = mg_xmalloc(mlen);
	memcpy(msg, id, idlen);
	msg[idlen] = '.';
	memcpy(msg + idlen + 1, ts, tslen);
	msg[idlen + 1 + tslen] = '.';
	memcpy(msg + idlen + tslen + 2, body, len);
	for (size_t k = 0; k < MG_RELAY_MAX_SECRETS && src->secrets[k]; k++) {
		unsigned char mac[EVP_MAX_MD_SIZE];
		unsigned n = 0;
		char expected[3 + 4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1] = "v1,";

		hmac(EVP_sha256(), src->secrets[k], msg, mlen, mac, &n);
		EVP_EncodeBlock((unsigned char *)expected + 3, mac, (int)n);
		/* every secret is tried: the time taken does not say which matched */
		ok |= same(expected, sig, strlen(expected));
	}
	free(msg);
	if (!ok)
		return MG_RELAY_BAD_SIGNATURE;
	t = strtoll(ts, NULL, 10);
	if (src->window_s &&
	    (t < (long long)now - src->window_s || t > (long long)now + src->window_s))
		return MG_RELAY_STALE;
	snprintf(ev->key, sizeof(ev->key), "mlflow:%s", id);
	return MG_RELAY_OK;
}

enum mg_relay_reject mg_relay_verify_databricks(const struct mg_relay_source *src, const char *sig,
                                                const char *authorization, const char *body,
                                                size_t len, struct mg_relay_event *ev)
{
	char given[65];
	size_t n;
	bool ok = false;

	if (src->authorization && (!authorization || !same(src->authorization, authorization,
	                                                   strlen(src->authorization))))
		return MG_RELAY_BAD_SIGNATURE;
	if (!sig)
		return MG_RELAY_BAD_SIGNATURE;
	n = strlen(sig);
	if (n == 64 && all_of(sig, 64, 64, "abcdefABCDEF", false, true)) {
		for (size_t i = 0; i < 64; i++)
			given[i] = (char)(sig[i] >= 'A' && sig[i] <= 'F' ? sig[i] - 'A' + 'a'
			                                                 : sig[i]);
		given[64] = '\0';
	} else if (n == 44 && all_of(sig, 44, 44, "+/=", true, true)) {
		/* the same MAC in base64, which some clients send */
		unsigned char raw[48];

		if (EVP_DecodeBlock(raw, (const unsigned char *)sig, 44) != 33 || sig[43] != '=' ||
		    sig[42] == '=')
			return MG_RELAY_BAD_SIGNATURE;
		hex(raw, 32, given);
	} else {
		return MG_RELAY_BAD_SIGNATURE;
	}
	for (size_t k = 0; k < MG_RELAY_MAX_SECRETS && src->secrets[k]; k++) {
		char expected[65];

		mg_relay_hmac_sha256_hex(src->secrets[k], body, len, expected);
		ok |= same(expected, given, 64);
	}
	if (!ok)
		return MG_RELAY_BAD_SIGNATURE;
	memcpy(ev->key, "databricks:", 11);
	mg_sha256_hex(body, len, ev->key + 11);
	return MG_RELAY_OK;
}

/*
 * Copy member `key` of `obj` (a string, or a whole number) into out; absent or null leaves it
 * empty. False when it does not fit, is an empty string or another type (an object, a list,
 * true): a value of the wrong type is never read as "absent".
 */
static bool field(const cJSON *obj, const char *key, char *out, size_t size)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	out[0] = '\0';
	if (v && !cJSON_IsNull(v) && !cJSON_IsString(v) && !cJSON_IsNumber(v))
		return false;
	if (cJSON_IsString(v)) {
		if (!*v->valuestring || strlen(v->valuestring) >= size)
			return false;
		memcpy(out, v->valuestring, strlen(v->valuestring) + 1);
	} else if (cJSON_IsNumber(v)) {
		if (v->valuedouble < 0 || v->valuedouble > 1e15 ||
		    v->valuedouble != (double)(long long)v->valuedouble)
			return false;
		snprintf(out, size, "%lld", (long long)v->valuedouble);
	}
	return true;
}

enum mg_relay_reject mg_relay_event_parse(const struct mg_relay_source *src, const char *body,
                                          size_t len, time_t now, struct mg_relay_event *ev)
{
	cJSON *doc = cJSON_ParseWithLength(body, len);
	enum mg_relay_reject r = MG_RELAY_MALFORMED;
	bool fits = true;

	ev->event[0] = ev->model[0] = ev->version[0] = ev->alias[0] = ev->stage[0] = '\0';
	if (!cJSON_IsObject(doc))
		goto done;
	if (src->type == MG_RELAY_SRC_MLFLOW) {
		const char *entity = mg_json_str(doc, "entity"),
		           *action = mg_json_str(doc, "action");
		const cJSON *data = cJSON_GetObjectItemCaseSensitive(doc, "data");

		if (!*entity || !*action || !cJSON_IsObject(data))
			goto done;
		if ((size_t)snprintf(ev->event, sizeof(ev->event), "%s.%s", entity, action) >=
		    sizeof(ev->event)) {
			r = MG_RELAY_INVALID;
			goto done;
		}
		fits = field(data, "name", ev->model, sizeof(ev->model)) &&
		       field(data, "version", ev->version, sizeof(ev->version)) &&
		       field(data, "alias", ev->alias, sizeof(ev->alias));
	} else {
		const cJSON *ts = cJSON_GetObjectItemCaseSensitive(doc, "event_timestamp");

		if (!field(doc, "event", ev->event, sizeof(ev->event))) {
			r = MG_RELAY_INVALID;
			goto done;
		}
		if (!*ev->event)
			goto done;
		fits = field(doc, "model_name", ev->model, sizeof(ev->model)) &&
		       field(doc, "version", ev->version, sizeof(ev->version)) &&
		       field(doc, "to_stage", ev->stage, sizeof(ev->stage));
		if (src->window_s) {
			double ms = (double)now * 1000.0;

			if (!cJSON_IsNumber(ts))
				goto done;
			if (ts->valuedouble < ms - (double)src->window_s * 1000.0 ||
			    ts->valuedouble > ms + (double)src->window_s * 1000.0) {
				r = MG_RELAY_STALE;
				goto done;
			}
		}
	}
	/* what may reach a workflow's inputs or a pipeline's template: no quoting games */
	if (!fits || !all_of(ev->event, 1, 63, "._", true, true) ||
	    !all_of(ev->model, 0, 128, "._/-", true, true) ||
	    !all_of(ev->version, 0, 10, "", false, true) ||
	    !all_of(ev->alias, 0, 64, "_-", true, true) ||
	    !all_of(ev->stage, 0, 32, "", true, false)) {
		r = MG_RELAY_INVALID;
		goto done;
	}
	r = MG_RELAY_OK;
done:
	cJSON_Delete(doc);
	return r;
}

static bool in_list(char **list, const char *s, bool glob, bool nocase)
{
	if (!list)
		return true;
	for (char **p = list; *p; p++) {
		if (glob ? !fnmatch(*p, s, 0) : nocase ? !strcasecmp(*p, s) : !strcmp(*p, s))
			return true;
	}
	return false;
}

size_t mg_relay_route(const struct mg_relay_config *cfg, const struct mg_relay_source *src,
                      const struct mg_relay_event *ev, size_t *out)
{
	size_t n = 0;

	for (size_t i = 0; i < cfg->nroutes; i++) {
		const struct mg_relay_route *r = &cfg->routes[i];

		if (!in_list(r->sources, src->name, false, false) ||
		    !in_list(r->models, ev->model, true, false) ||
		    !in_list(r->events, ev->event, true, false) || (r->aliases && !*ev->alias) ||
		    !in_list(r->aliases, ev->alias, false, false) || (r->stages && !*ev->stage) ||
		    !in_list(r->stages, ev->stage, false, true))
			continue;
		for (size_t k = 0; k < r->ntargets; k++) {
			size_t j = 0;

			while (j < n && out[j] != r->targets[k])
				j++;
			if (j == n)
				out[n++] = r->targets[k];
		}
	}
	return n;
}

void mg_relay_json_str(struct mg_buf *out, const char *s)
{
	mg_buf_addch(out, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			mg_buf_addch(out, '\\');
			mg_buf_addch(out, (char)c);
		} else if (c < 0x20) {
			mg_buf_addf(out, "\\u%04x", c);
		} else {
			mg_buf_addch(out, (char)c);
		}
	}
	mg_buf_addch(out, '"');
}

static void member(struct mg_buf *out, const char *key, const char *value, bool first)
{
	if (!*value)
		return;
	if (!first)
		mg_buf_addch(out, ',');
	mg_relay_json_str(out, key);
	mg_buf_addch(out, ':');
	mg_relay_json_str(out, value);
}

void mg_relay_payload(const struct mg_relay_source *src, const struct mg_relay_event *ev,
                      struct mg_buf *out)
{
	mg_buf_addch(out, '{');
	member(out, "source", src->type == MG_RELAY_SRC_MLFLOW ? "mlflow" : "databricks", true);
	member(out, "event", ev->event, false);
	member(out, "model", ev->model, false);
	member(out, "version", ev->version, false);
	member(out, "alias", ev->alias, false);
	member(out, "stage", ev->stage, false);
	member(out, "dedupe_key", ev->key, false);
	mg_buf_addch(out, '}');
}

/* "{model}" and the like replaced by the payload's member of that name */
static void fill(struct mg_buf *out, const char *tmpl, const cJSON *payload)
{
	while (*tmpl) {
		const char *close = *tmpl == '{' ? strchr(tmpl, '}') : NULL;

		if (close && close - tmpl < 32) {
			char name[32];
			const cJSON *v;

			memcpy(name, tmpl + 1, (size_t)(close - tmpl - 1));
			name[close - tmpl - 1] = '\0';
			v = cJSON_GetObjectItemCaseSensitive(payload, name);
			if (cJSON_IsString(v)) {
				mg_buf_adds(out, v->valuestring);
				tmpl = close + 1;
				continue;
			}
			if (!v && (!strcmp(name, "alias") || !strcmp(name, "stage") ||
			           !strcmp(name, "version") || !strcmp(name, "model"))) {
				tmpl = close + 1;
				continue;
			}
		}
		mg_buf_addch(out, *tmpl++);
	}
}

int mg_relay_forward_body(const struct mg_relay_target *t, const char *payload, struct mg_buf *out)
{
	cJSON *doc = NULL;
	const cJSON *in;
	bool first = true;

	switch (t->type) {
	case MG_RELAY_GITHUB_DISPATCH:
		mg_buf_adds(out, "{\"event_type\":");
		mg_relay_json_str(out, t->event_type);
		mg_buf_addf(out, ",\"client_payload\":%s}", payload);
		return 0;
	case MG_RELAY_AZURE:
		mg_buf_adds(out, payload);
		return 0;
	case MG_RELAY_GITHUB_WORKFLOW:
		break;
	}
	doc = cJSON_Parse(payload);
	if (!cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		return -1;
	}
	mg_buf_adds(out, "{\"ref\":");
	mg_relay_json_str(out, t->ref);
	mg_buf_adds(out, ",\"inputs\":{");
	cJSON_ArrayForEach(in, t->inputs)
	{
		struct mg_buf v = MG_BUF_INIT(MG_BUF_SMALL);

		fill(&v, in->valuestring, doc);
		if (!first)
			mg_buf_addch(out, ',');
		first = false;
		mg_relay_json_str(out, in->string);
		mg_buf_addch(out, ':');
		mg_relay_json_str(out, v.buf);
		mg_buf_release(&v);
	}
	mg_buf_adds(out, "}}");
	cJSON_Delete(doc);
	return 0;
}
