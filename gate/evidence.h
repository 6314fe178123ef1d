/*
 * Gate evidence (DESIGN §4): the JUnit files mlgate's gates write, read
 * back by the gates that decide from them (mlgate-promote, mlgate-release).
 * A suite is evidence for gate G when its property mlgate.gate is G; the
 * other mlgate.* properties (verdict, model, version, git.commit,
 * finished) say what it proves. JUnit from other tools has none of them.
 */
#ifndef MG_EVIDENCE_H
#define MG_EVIDENCE_H

#include "setup.h"
#include "buf.h"
#include "err.h"
#include "registry.h"
#include "result.h"

/* The gates that write evidence, NULL-terminated: smoke, comply, compare. */
extern const char *const mg_evidence_gates[];
#define MG_EVIDENCE_MAX_GATES 3

/* One --evidence file. */
struct mg_evidence {
	const char *path;        /* borrowed */
	struct mg_result result; /* its suites, once read */
	bool ok;                 /* read and parsed */
	struct mg_err err;       /* why not, when read and !ok */
};

void mg_evidence_init(struct mg_evidence *ev, const char *path);
void mg_evidence_release(struct mg_evidence *ev);

/*
 * Read the `n` files of `ev` (mg_junit_read, default size bound). A file
 * that cannot be read or parsed is not an error here: it gets ok = false,
 * its message in ev->err and appended to `bad` ("; " between messages).
 * Returns how many files could not be used.
 */
size_t mg_evidence_read(struct mg_evidence *ev, size_t n, struct mg_buf *bad);

/*
 * Parse a comma-separated list of gates ("comply,compare"), each one of
 * mg_evidence_gates and named once, into gates[] (pointers into
 * mg_evidence_gates, in the order given). `what` names the option in
 * messages ("--require"). Mistakes are MG_EXIT_USAGE.
 */
int mg_evidence_parse_gates(const char *spec, const char *what,
                            const char *gates[MG_EVIDENCE_MAX_GATES], size_t *n,
                            struct mg_err *err);

/* The gate of evidence name `name` as an entry of mg_evidence_gates, or NULL. */
const char *mg_evidence_gate(const char *name);

/* --- signed evidence and the cross-check (docs/promote.md "Forged evidence") --------- */

/* The environment variable holding the evidence key (a CI secret). */
#define MG_EVIDENCE_KEY_ENV "MLGATE_EVIDENCE_KEY"
/* The shortest key accepted, in bytes. */
#define MG_EVIDENCE_KEY_MIN 16
/* The suite property carrying the signature, and the JSON member. */
#define MG_EVIDENCE_HMAC_PROP "mlgate.evidence.hmac"
/* The suite property saying what the run wrote on the version (see mg_gate_writeback). */
#define MG_EVIDENCE_WRITEBACK_PROP "mlgate.writeback"
/* Hex digits of an HMAC-SHA256, plus the terminating NUL. */
#define MG_EVIDENCE_HMAC_HEX 65

/*
 * The evidence key: $MLGATE_EVIDENCE_KEY, or NULL when it is not set.
 * Set but empty or shorter than MG_EVIDENCE_KEY_MIN bytes is MG_EXIT_USAGE
 * (a CI secret that did not arrive must not turn signing off).
 */
int mg_evidence_key(const char **key, struct mg_err *err);

/*
 * The canonical form of a suite's evidence, appended to `out`: UTF-8 text,
 * the line "mlgate-evidence-v1" then one "key=value" line for each of
 * gate, verdict, model, version, commit, policy_sha256, finished and
 * champion, in that order, "\n" between lines and none after the last.
 * The values are the suite properties mlgate.gate, mlgate.verdict,
 * mlgate.model, mlgate.version, mlgate.git.commit, mlgate.policy.sha256,
 * mlgate.finished and mlgate.champion.version, an absent one as empty; in a
 * value a backslash is written "\\", a line feed "\n", a carriage return
 * "\r" (so no value can pose as another line).
 */
void mg_evidence_canonical(const struct mg_suite *s, struct mg_buf *out);

/*
 * HMAC-SHA256 of the canonical form of `s` with `key` (its bytes), as 64
 * lower-case hex digits. -1 with MG_EXIT_INFRA when libcrypto fails.
 */
int mg_evidence_hmac(const struct mg_suite *s, const char *key, char hex[MG_EVIDENCE_HMAC_HEX],
                     struct mg_err *err);

/*
 * Whether `s` carries a valid mlgate.evidence.hmac for `key`, compared in
 * constant time. Returns 1 valid, 0 not (why appended to `why`: missing,
 * malformed, or not matching), -1 with `err` set when libcrypto fails.
 */
int mg_evidence_verify(const struct mg_suite *s, const char *key, struct mg_buf *why,
                       struct mg_err *err);

/*
 * Cross-check evidence suite `s` against what its gate recorded on the
 * version `mv` it is for (tags mlgate.<gate>.verdict, .at, .commit).
 * When the version carries the verdict tag, or the evidence says it wrote
 * back (mlgate.writeback written or unchanged): the verdict and commit must
 * be the recorded ones, and the time too: mlgate.finished equal to .at when
 * the run wrote the record, not before it when the record was already there.
 * Returns 1 consistent, with a remark appended to `note` when there was
 * nothing to cross-check; 0 a mismatch, appended to `why` naming the field
 * and both values.
 */
int mg_evidence_crosscheck(const struct mg_suite *s, const struct mg_model_version *mv,
                           struct mg_buf *why, struct mg_buf *note);

#endif
