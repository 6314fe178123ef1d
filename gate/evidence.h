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

#endif
