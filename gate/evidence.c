#include "setup.h"
#include "evidence.h"
#include "parse.h"
#include "clock.h"
#include "junit.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

const char *const mg_evidence_gates[] = {"smoke", "comply", "compare", NULL};

void mg_evidence_init(struct mg_evidence *ev, const char *path)
{
	memset(ev, 0, sizeof(*ev));
	ev->path = path;
	mg_result_init(&ev->result, "evidence");
	mg_err_clear(&ev->err);
}

void mg_evidence_release(struct mg_evidence *ev)
{
	mg_result_release(&ev->result);
}

size_t mg_evidence_read(struct mg_evidence *ev, size_t n, struct mg_buf *bad)
{
	size_t nbad = 0;

	for (size_t f = 0; f < n; f++) {
		mg_err_clear(&ev[f].err);
		ev[f].ok = !mg_junit_read(ev[f].path, 0, &ev[f].result, &ev[f].err);
		if (ev[f].ok)
			continue;
		nbad++;
		mg_buf_addf(bad, "%s%s", bad->len ? "; " : "", ev[f].err.msg);
	}
	return nbad;
}

const char *mg_evidence_gate(const char *name)
{
	for (size_t i = 0; mg_evidence_gates[i]; i++)
		if (!strcmp(mg_evidence_gates[i], name))
			return mg_evidence_gates[i];
	return NULL;
}

int mg_evidence_parse_gates(const char *spec, const char *what,
                            const char *gates[MG_EVIDENCE_MAX_GATES], size_t *n, struct mg_err *err)
{
	*n = 0;
	for (const char *p = spec;;) {
		size_t len = strcspn(p, ",");
		bool known = false;

		for (size_t i = 0; mg_evidence_gates[i]; i++) {
			if (strlen(mg_evidence_gates[i]) != len ||
			    strncmp(p, mg_evidence_gates[i], len))
				continue;
			known = true;
			for (size_t j = 0; j < *n; j++)
				if (gates[j] == mg_evidence_gates[i])
					return mg_err_set(err, MG_EXIT_USAGE, "%s names '%s' twice",
					                  what, mg_evidence_gates[i]);
			gates[(*n)++] = mg_evidence_gates[i];
		}
		if (!known)
			return mg_err_set(err, MG_EXIT_USAGE,
			                  "invalid gate '%.*s' in %s: expected smoke, comply or "
			                  "compare, separated by commas",
			                  (int)(len > 64 ? 64 : len), p, what);
		if (!p[len])
			break;
		p += len + 1;
	}
	return 0;
}

/* --- signed evidence ------------------------------------------------------------------ */

int mg_evidence_key(const char **key, struct mg_err *err)
{
	const char *v = getenv(MG_EVIDENCE_KEY_ENV);

	*key = NULL;
	if (!v)
		return 0;
	if (strlen(v) < MG_EVIDENCE_KEY_MIN)
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "environment variable " MG_EVIDENCE_KEY_ENV
		                  " is set but %s: give at least %d bytes (e.g. openssl rand "
		                  "-hex 32), or unset it",
		                  *v ? "too short" : "empty", MG_EVIDENCE_KEY_MIN);
	*key = v;
	return 0;
}

/* The canonical fields: the key in the canonical form, the suite property it comes from. */
static const char *const canon_fields[][2] = {
        {"gate", "mlgate.gate"},         {"verdict", "mlgate.verdict"},
        {"model", "mlgate.model"},       {"version", "mlgate.version"},
        {"commit", "mlgate.git.commit"}, {"policy_sha256", "mlgate.policy.sha256"},
        {"finished", "mlgate.finished"}, {"champion", "mlgate.champion.version"},
};

void mg_evidence_canonical(const struct mg_suite *s, struct mg_buf *out)
{
	mg_buf_adds(out, "mlgate-evidence-v1");
	for (size_t i = 0; i < MG_ARRAY_SIZE(canon_fields); i++) {
		const char *v = mg_suite_prop(s, canon_fields[i][1]);

		mg_buf_addf(out, "\n%s=", canon_fields[i][0]);
		for (; v && *v; v++) {
			if (*v == '\\')
				mg_buf_adds(out, "\\\\");
			else if (*v == '\n')
				mg_buf_adds(out, "\\n");
			else if (*v == '\r')
				mg_buf_adds(out, "\\r");
			else
				mg_buf_addch(out, *v);
		}
	}
}

/* The raw HMAC-SHA256 of the canonical form of `s`. */
static int hmac_raw(const struct mg_suite *s, const char *key, unsigned char mac[32],
                    struct mg_err *err)
{
	struct mg_buf canon = MG_BUF_INIT(MG_BUF_SMALL);
	size_t n = 0;
	int ret = 0;

	mg_evidence_canonical(s, &canon);
	if (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, strlen(key),
	               (const unsigned char *)canon.buf, canon.len, mac, 32, &n) ||
	    n != 32)
		ret = mg_err_set(err, MG_EXIT_INFRA,
		                 "cannot compute the evidence HMAC (libcrypto)");
	mg_buf_release(&canon);
	return ret;
}

int mg_evidence_hmac(const struct mg_suite *s, const char *key, char hex[MG_EVIDENCE_HMAC_HEX],
                     struct mg_err *err)
{
	unsigned char mac[32];

	if (hmac_raw(s, key, mac, err))
		return -1;
	for (size_t i = 0; i < sizeof(mac); i++)
		snprintf(hex + 2 * i, 3, "%02x", mac[i]);
	OPENSSL_cleanse(mac, sizeof(mac));
	return 0;
}

int mg_evidence_verify(const struct mg_suite *s, const char *key, struct mg_buf *why,
                       struct mg_err *err)
{
	const char *given = mg_suite_prop(s, MG_EVIDENCE_HMAC_PROP);
	unsigned char want[32], got[32];
	int ok;

	if (!given || !*given) {
		mg_buf_adds(why,
		            "no " MG_EVIDENCE_HMAC_PROP
		            " property (unsigned evidence, and " MG_EVIDENCE_KEY_ENV " is set)");
		return 0;
	}
	if (strlen(given) != 2 * sizeof(got))
		goto malformed;
	for (size_t i = 0; i < sizeof(got); i++) {
		int hi = mg_hexval(given[2 * i]), lo = mg_hexval(given[2 * i + 1]);

		if (hi < 0 || lo < 0)
			goto malformed;
		got[i] = (unsigned char)(hi << 4 | lo);
	}
	if (hmac_raw(s, key, want, err))
		return -1;
	ok = !CRYPTO_memcmp(want, got, sizeof(want));
	OPENSSL_cleanse(want, sizeof(want));
	if (!ok)
		mg_buf_adds(why,
		            MG_EVIDENCE_HMAC_PROP " does not match the evidence (edited, or "
		                                  "signed with another " MG_EVIDENCE_KEY_ENV ")");
	return ok;
malformed:
	mg_buf_adds(why, MG_EVIDENCE_HMAC_PROP " is not 64 hex digits");
	return 0;
}

/* --- the cross-check with the version --------------------------------------------------- */

int mg_evidence_crosscheck(const struct mg_suite *s, const struct mg_model_version *mv,
                           struct mg_buf *why, struct mg_buf *note)
{
	const char *gate = mg_suite_prop(s, "mlgate.gate");
	const char *verdict = mg_suite_prop(s, "mlgate.verdict");
	const char *commit = mg_suite_prop(s, "mlgate.git.commit");
	const char *fin = mg_suite_prop(s, "mlgate.finished");
	const char *wb = mg_suite_prop(s, MG_EVIDENCE_WRITEBACK_PROP);
	struct mg_buf key = MG_BUF_INIT(MG_BUF_SMALL);
	const char *tv, *tc, *ta;
	bool wrote = wb && !strcmp(wb, "written"), kept = wb && !strcmp(wb, "unchanged");
	struct mg_err terr = MG_ERR_INIT;
	time_t tfin = 0, tat = 0;
	int ret = 0;

	mg_buf_addf(&key, "mlgate.%s.verdict", gate ? gate : "");
	tv = mg_kvlist_get(&mv->tags, key.buf);
	mg_buf_reset(&key);
	mg_buf_addf(&key, "mlgate.%s.commit", gate ? gate : "");
	tc = mg_kvlist_get(&mv->tags, key.buf);
	mg_buf_reset(&key);
	mg_buf_addf(&key, "mlgate.%s.at", gate ? gate : "");
	ta = mg_kvlist_get(&mv->tags, key.buf);
	mg_buf_reset(&key);
	mg_buf_addf(&key, "mlgate.%s.", gate ? gate : "");
	if (!tv) {
		if (wrote || kept) {
			mg_buf_addf(why,
			            "%s=%s, but model '%s' version %s has no %sverdict tag: "
			            "the gate's record is not on the version",
			            MG_EVIDENCE_WRITEBACK_PROP, wb, mv->name, mv->version, key.buf);
			goto done;
		}
		mg_buf_addf(note,
		            "not cross-checked: %s, and model '%s' version %s has no %sverdict tag",
		            wb && !strcmp(wb, "dry-run") ? "a --dry-run, nothing was written back"
		            : wb                         ? "nothing was written back"
		                 : "no " MG_EVIDENCE_WRITEBACK_PROP " property",
		            mv->name, mv->version, key.buf);
		ret = 1;
		goto done;
	}
	if (strcmp(verdict ? verdict : "", tv)) {
		mg_buf_addf(
		        why,
		        "mlgate.verdict is '%s', but model '%s' version %s records %sverdict=%s",
		        verdict ? verdict : "", mv->name, mv->version, key.buf, tv);
		goto done;
	}
	if (strcmp(commit ? commit : "", tc ? tc : "")) {
		mg_buf_addf(why,
		            "mlgate.git.commit is '%s', but model '%s' version %s records "
		            "%scommit='%s'",
		            commit ? commit : "", mv->name, mv->version, key.buf, tc ? tc : "");
		goto done;
	}
	if ((wrote || kept) &&
	    (!ta || !fin || mg_time_parse("at", ta, &tat, &terr) ||
	     mg_time_parse("finished", fin, &tfin, &terr) || (wrote ? tfin != tat : tfin < tat))) {
		mg_buf_addf(why,
		            "mlgate.finished is '%s', but model '%s' version %s records %sat='%s' "
		            "(%s=%s: %s)",
		            fin ? fin : "", mv->name, mv->version, key.buf, ta ? ta : "",
		            MG_EVIDENCE_WRITEBACK_PROP, wb,
		            wrote ? "the same time expected" : "a time not after it expected");
		goto done;
	}
	ret = 1;
done:
	mg_buf_release(&key);
	return ret;
}
