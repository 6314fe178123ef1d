/*
 * mlgate-smoke's predict-http case: start the model's server (or use a
 * running one), wait until it answers its health check, send the input in
 * batches (concurrently for a load test), and judge the predictions and the
 * latencies (smoke_case.h).
 */
#include "setup.h"
#include "smoke_case.h"
#include "text.h"
#include "smoke_contract.h"
#include "alloc.h"
#include "clock.h"
#include "csvstream.h"
#include "http.h"
#include "json.h"
#include "proc.h"

#include <inttypes.h>
#include <math.h>
#include <time.h>

struct http_input {
	struct mg_buf cols; /* JSON array of the header */
	struct mg_buf rows; /* rows as JSON arrays, NUL-separated */
	size_t *offs;
	size_t n, alloc;
};

static void json_string(struct mg_buf *b, const char *s)
{
	mg_buf_addch(b, '"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			mg_buf_addf(b, "\\%c", ch);
		else if (ch < 0x20)
			mg_buf_addf(b, "\\u%04x", ch);
		else
			mg_buf_addch(b, (char)ch);
	}
	mg_buf_addch(b, '"');
}

static int http_row(void *arg, uint64_t row, const struct mg_csv_field *f, size_t n,
                    struct mg_err *err)
{
	struct http_input *h = arg;
	struct mg_buf *b = row == 1 ? &h->cols : &h->rows;

	if (row > 1) {
		if (h->n == h->alloc) {
			h->alloc = h->alloc ? h->alloc * 2 : 256;
			h->offs = mg_xrealloc(h->offs, h->alloc * sizeof(*h->offs));
		}
		h->offs[h->n++] = b->len;
	}
	mg_buf_addch(b, '[');
	for (size_t i = 0; i < n; i++) {
		char *end;
		double d;

		if (i)
			mg_buf_addch(b, ',');
		errno = 0;
		d = f[i].len ? strtod(f[i].s, &end) : 0;
		if (!f[i].len) {
			mg_buf_adds(b, "null");
		} else if (!*end && !errno && isfinite(d) && !strpbrk(f[i].s, "xX \t")) {
			char t[MG_DOUBLE_LEN];

			mg_buf_adds(b, mg_double_str(d, t));
		} else {
			json_string(b, f[i].s);
		}
	}
	mg_buf_addch(b, ']');
	if (row > 1)
		mg_buf_addch(b, '\0');
	if (mg_buf_overflowed(b))
		return mg_err_set(err, MG_EXIT_USAGE, "sample too large to send (over %zu bytes)",
		                  b->max);
	return 0;
}

/* Check one response; adds to *count. */
static void check_predictions(struct scase *c, const struct mg_http_response *resp,
                              const cJSON *range, uint64_t *count, bool *bad)
{
	struct mg_err err = MG_ERR_INIT;
	cJSON *doc = mg_json_parse(resp->body.buf, resp->body.len, "response", MG_EXIT_INFRA, &err);
	const cJSON *p, *it;
	double lo = -INFINITY, hi = INFINITY;

	if (!doc) {
		mg_smoke_set_status(c, MG_STATUS_FAILED, "%s", err.msg);
		*bad = true;
		return;
	}
	if (cJSON_GetArraySize(range) == 2) {
		lo = cJSON_GetArrayItem(range, 0)->valuedouble;
		hi = cJSON_GetArrayItem(range, 1)->valuedouble;
	}
	p = cJSON_GetObjectItemCaseSensitive(doc, "predictions");
	if (cJSON_IsObject(p)) /* {"predictions": {"col": [...]}} */
		p = p->child;
	if (!cJSON_IsArray(p)) {
		mg_smoke_set_status(c, MG_STATUS_FAILED, "response has no \"predictions\" list");
		*bad = true;
		goto out;
	}
	cJSON_ArrayForEach(it, p)
	{
		const cJSON *x = it;

		(*count)++;
		if (!range)
			continue;
		if (cJSON_IsArray(x) || cJSON_IsObject(x))
			x = x->child;
		if (!cJSON_IsNumber(x)) {
			mg_smoke_set_status(c, MG_STATUS_FAILED,
			                    "prediction %" PRIu64 " is not a number", *count);
			*bad = true;
			goto out;
		}
		if (x->valuedouble < lo || x->valuedouble > hi) {
			char a[MG_DOUBLE_LEN];

			mg_smoke_set_status(c, MG_STATUS_FAILED,
			                    "prediction %" PRIu64 " is %s, outside [%g, %g]",
			                    *count, mg_double_str(x->valuedouble, a), lo, hi);
			*bad = true;
			goto out;
		}
	}
out:
	cJSON_Delete(doc);
}

/* Poll the server's health path until it answers 200 or the health timeout passes. */
static bool wait_healthy(struct runner *r, struct scase *c, struct mg_http *h, const char *base)
{
	const cJSON *ht = cJSON_GetObjectItemCaseSensitive(c->j, "health_timeout_s");
	const cJSON *hp = cJSON_GetObjectItemCaseSensitive(c->j, "health_path");
	double health_s = cJSON_IsNumber(ht) ? ht->valuedouble : 30;
	struct mg_buf url = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_http_response resp;
	struct mg_err err = MG_ERR_INIT;
	uint64_t start = mg_clock_ns();
	bool ok = false;

	if (health_s > mg_smoke_suite_left(r))
		health_s = mg_smoke_suite_left(r);
	mg_buf_addf(&url, "%s%s", base, cJSON_IsString(hp) ? hp->valuestring : "/ping");
	mg_http_response_init(&resp);
	for (;;) {
		mg_err_clear(&err);
		mg_http_response_release(&resp);
		mg_http_response_init(&resp);
		if (!mg_http_request(h, "GET", url.buf, NULL, &resp, &err) && resp.status == 200) {
			ok = true;
			break;
		}
		if (mg_clock_since(start) >= health_s) {
			if (!mg_err_failed(&err))
				mg_err_set(&err, MG_EXIT_INFRA, "HTTP %ld", resp.status);
			mg_smoke_set_status(c, MG_STATUS_ERROR, "'%s' not healthy after %.3g s: %s",
			                    url.buf, health_s, err.msg);
			break;
		}
		nanosleep(&(struct timespec){0, 200000000L}, NULL);
	}
	mg_http_response_release(&resp);
	mg_buf_release(&url);
	return ok;
}

/* One prediction request's work: which rows go in batch b, and how long each request took. */
struct http_load {
	const struct http_input *in;
	size_t batch, nbatches, nreq;
	double *lat;    /* ms per request */
	uint64_t count; /* predictions checked (first pass over the batches) */
};

/*
 * POST every batch (then again, round robin, up to nreq requests) to
 * /invocations, timing each and checking the first pass's predictions.
 * False when the case already has its verdict (an error or a failure).
 */
static bool send_batches(struct runner *r, struct scase *c, struct mg_http *h, const char *base,
                         const cJSON *range, struct http_load *ld)
{
	struct mg_buf url = MG_BUF_INIT(MG_BUF_SMALL), body = MG_BUF_INIT(MG_BUF_LARGE);
	struct mg_http_response resp;
	struct mg_err err = MG_ERR_INIT;
	bool bad = false;

	mg_http_response_init(&resp);
	mg_buf_addf(&url, "%s/invocations", base);
	for (size_t q = 0; q < ld->nreq && !bad; q++) {
		size_t b = q % ld->nbatches, first = b * ld->batch, last = first + ld->batch;
		uint64_t t0;

		if (last > ld->in->n)
			last = ld->in->n;
		mg_buf_reset(&body);
		mg_buf_addf(&body, "{\"dataframe_split\":{\"columns\":%s,\"data\":[",
		            ld->in->cols.buf);
		for (size_t i = first; i < last; i++) {
			if (i > first)
				mg_buf_addch(&body, ',');
			mg_buf_adds(&body, ld->in->rows.buf + ld->in->offs[i]);
		}
		mg_buf_adds(&body, "]}}");
		if (mg_buf_overflowed(&body)) {
			mg_smoke_set_status(c, MG_STATUS_ERROR,
			                    "request body too large: lower batch_size");
			bad = true;
			break;
		}
		mg_http_response_release(&resp);
		mg_http_response_init(&resp);
		t0 = mg_clock_ns();
		if (mg_smoke_suite_left(r) <= 0) {
			mg_smoke_set_status(c, MG_STATUS_ERROR,
			                    "stopped: the suite's timeout passed");
			bad = true;
			break;
		}
		if (mg_http_request(h, "POST", url.buf, body.buf, &resp, &err)) {
			mg_smoke_set_status(c, MG_STATUS_ERROR, "%s", err.msg);
			bad = true;
			break;
		}
		ld->lat[q] = (double)(mg_clock_ns() - t0) / 1e6;
		if (resp.status != 200) {
			mg_smoke_set_status(c, MG_STATUS_FAILED,
			                    "POST /invocations answered HTTP %ld: %.200s",
			                    resp.status, resp.body.buf);
			bad = true;
			break;
		}
		if (q < ld->nbatches)
			check_predictions(c, &resp, range, &ld->count, &bad);
	}
	mg_http_response_release(&resp);
	mg_buf_release(&url);
	mg_buf_release(&body);
	return !bad;
}

/* The verdict of a completed load: prediction count, then the latency budgets. */
static void judge_load(struct scase *c, const cJSON *expect, const struct http_load *ld)
{
	const cJSON *p50 = cJSON_GetObjectItemCaseSensitive(expect, "p50_ms");
	const cJSON *p95 = cJSON_GetObjectItemCaseSensitive(expect, "p95_ms");
	long long want = mg_smoke_expected_count(expect, "count", ld->in->n);
	double q50 = mg_smoke_percentile(ld->lat, ld->nreq, 50),
	       q95 = mg_smoke_percentile(ld->lat, ld->nreq, 95);

	if (want < 0)
		mg_smoke_set_status(c, MG_STATUS_ERROR,
		                    "expect.count: must be \"input\" or a whole number");
	else if ((uint64_t)want != ld->count)
		mg_smoke_set_status(c, MG_STATUS_FAILED, "%" PRIu64 " %s, expected %lld", ld->count,
		                    mg_plural(ld->count, "prediction", "predictions"), want);
	mg_smoke_set_status(
	        c, MG_STATUS_PASSED,
	        "%zu %s in %zu %s of up to %zu; %zu %s; latency p50 %.1f ms, p95 %.1f ms, max "
	        "%.1f ms",
	        (size_t)ld->count, mg_plural(ld->count, "prediction", "predictions"), ld->nbatches,
	        mg_plural(ld->nbatches, "batch", "batches"), ld->batch, ld->nreq,
	        mg_plural(ld->nreq, "request", "requests"), q50, q95, ld->lat[ld->nreq - 1]);
	if (p50 && q50 > p50->valuedouble)
		mg_smoke_set_status(c, MG_STATUS_FAILED,
		                    "latency p50 %.1f ms is over the budget %g ms", q50,
		                    p50->valuedouble);
	if (p95 && q95 > p95->valuedouble)
		mg_smoke_set_status(c, MG_STATUS_FAILED,
		                    "latency p95 %.1f ms is over the budget %g ms", q95,
		                    p95->valuedouble);
}

void mg_smoke_case_http(struct runner *r, struct scase *c, const struct mg_smoke_vars *v)
{
	const cJSON *expect = cJSON_GetObjectItemCaseSensitive(c->j, "expect");
	const cJSON *range = cJSON_GetObjectItemCaseSensitive(expect, "range");
	const cJSON *bs = cJSON_GetObjectItemCaseSensitive(c->j, "batch_size");
	const cJSON *rq = cJSON_GetObjectItemCaseSensitive(c->j, "requests");
	bool budget = cJSON_GetObjectItemCaseSensitive(expect, "p50_ms") ||
	              cJSON_GetObjectItemCaseSensitive(expect, "p95_ms");
	struct http_input in = {.cols = MG_BUF_INIT(MG_BUF_SMALL),
	                        .rows = MG_BUF_INIT(MG_BUF_LARGE)};
	struct http_load ld = {.in = &in, .batch = cJSON_IsNumber(bs) ? (size_t)bs->valueint : 100};
	struct mg_http_config cfg;
	struct mg_http *h = NULL;
	struct mg_err err = MG_ERR_INIT;
	char *base = NULL, *inp = NULL;
	double req_s;
	bool by_suite;

	if (range &&
	    (cJSON_GetArraySize(range) != 2 || cJSON_GetArrayItem(range, 0)->valuedouble >
	                                               cJSON_GetArrayItem(range, 1)->valuedouble)) {
		mg_smoke_set_status(c, MG_STATUS_ERROR, "expect.range: must be [min, max]");
		goto out;
	}
	if (!(base = mg_smoke_expand_dup(mg_json_str(c->j, "url"), v, "url", &err)) ||
	    !(inp = mg_smoke_input_path(c, v, &err)) ||
	    mg_csv_read_file(inp, NULL, http_row, &in, NULL, &err) ||
	    mg_http_config_from_env(&cfg, &err)) {
		mg_smoke_set_status(c, MG_STATUS_ERROR, "%s", err.msg);
		goto out;
	}
	if (!in.n) {
		mg_smoke_set_status(c, MG_STATUS_ERROR, "'%s' has no data rows to send", inp);
		goto out;
	}
	while (strlen(base) && base[strlen(base) - 1] == '/')
		base[strlen(base) - 1] = '\0';
	req_s = mg_smoke_case_timeout(r, c->j, 30, &by_suite);
	cfg.max_retries = 0; /* a retry would hide the latency being measured */
	cfg.timeout_s = (long)req_s + ((double)(long)req_s < req_s);
	cfg.connect_timeout_s = cfg.timeout_s < 10 ? cfg.timeout_s : 10;
	h = mg_http_new(&cfg, &r->ctx->log);
	if (!wait_healthy(r, c, h, base))
		goto out;
	ld.nbatches = (in.n + ld.batch - 1) / ld.batch;
	ld.nreq = cJSON_IsNumber(rq) ? (size_t)rq->valueint
	                             : (ld.nbatches < 20 && budget ? 20 : ld.nbatches);
	if (ld.nreq < ld.nbatches)
		ld.nreq = ld.nbatches;
	ld.lat = mg_xcalloc(ld.nreq, sizeof(*ld.lat));
	if (send_batches(r, c, h, base, range, &ld))
		judge_load(c, expect, &ld);
out:
	mg_http_free(h);
	mg_buf_release(&in.cols);
	mg_buf_release(&in.rows);
	free(in.offs);
	free(ld.lat);
	free(base);
	free(inp);
}
