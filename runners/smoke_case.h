/*
 * The smoke runner's cases (private to runners/smoke*.c): one case's state,
 * the runner they share, and the helpers every kind of case uses. smoke.c
 * runs the suite and the command, data and batch cases; smoke_http.c the
 * predict-http case.
 */
#ifndef MG_SMOKE_CASE_H
#define MG_SMOKE_CASE_H

#include "smoke.h"
#include "buf.h"
#include "result.h"

#include <cJSON.h>
#include <pthread.h>

struct scase {
	const cJSON *j;
	const char *name, *kind;
	enum mg_status status;
	struct mg_buf msg, details, out, err;
	double duration;
	struct mg_result children;
	bool has_children;
};

struct runner {
	struct mg_ctx *ctx;
	const struct mg_smoke_opts *o;
	struct scase *cases;
	size_t ncases, next;
	pthread_mutex_t lock;
	uint64_t start_ns;
	double suite_timeout; /* 0: none */
	struct mg_smoke_vars vars;
	/* owned storage behind vars */
	char *suite_dir, *sample;
	struct mg_buf model_uri;
};

/* Raise the case's status to `st` (never lower) and add the reason to its message. */
void mg_smoke_set_status(struct scase *c, enum mg_status st, const char *fmt, ...) MG_PRINTF(3, 4);
/* Seconds left before the suite's deadline; a large number when there is none. */
double mg_smoke_suite_left(const struct runner *r);
/* A case's timeout ("timeout" or `dflt`), cut to the suite's deadline (*by_suite). */
double mg_smoke_case_timeout(const struct runner *r, const cJSON *j, double dflt, bool *by_suite);
/* `in` with its {variables} expanded, newly allocated; NULL with err set. */
char *mg_smoke_expand_dup(const char *in, const struct mg_smoke_vars *v, const char *what,
                          struct mg_err *err);
/* The input file of a predict case: "input", else {sample}. */
char *mg_smoke_input_path(const struct scase *c, const struct mg_smoke_vars *v, struct mg_err *err);
/* expect.rows / expect.count: "input" (default) or a number; -1 on a bad value. */
long long mg_smoke_expected_count(const cJSON *expect, const char *key, uint64_t input_rows);

/* The predict-http case: serve the model, wait for health, send the input, judge. */
void mg_smoke_case_http(struct runner *r, struct scase *c, const struct mg_smoke_vars *v);

#endif
