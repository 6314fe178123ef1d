#include "setup.h"
#include "relay_server.h"
#include "alloc.h"
#include "buf.h"
#include "clock.h"
#include "http.h"
#include "relay_event.h"
#include "relay_queue.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <strings.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <unistd.h>

/* forward latency buckets (seconds) of mlgate_relay_forward_seconds */
static const double buckets[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
#define NBUCKETS (sizeof(buckets) / sizeof(buckets[0]))

struct metrics {
	atomic_ullong received, ignored, queued, forwarded, retried, dead;
	atomic_ullong rejected[MG_RELAY_NREJECT];
	atomic_ullong fwd_bucket[NBUCKETS + 1];
	atomic_ullong fwd_sum_us;
};

struct req;

struct relay {
	const struct mg_relay_config *cfg;
	struct mg_ctx *ctx;
	struct MHD_Daemon *daemon;
	struct mg_relay_queue *cq; /* the committer's connection */
	struct mg_relay_queue *wq; /* the worker's */
	struct mg_relay_queue *mq; /* the server thread's (/metrics, /healthz) */
	pthread_mutex_t mu;
	pthread_cond_t commit_cv, worker_cv, idle_cv;
	struct req *pending, **pending_tail;
	bool stopping, worker_kick, forwarding, worker_done;
	atomic_long connections; /* open now */
	struct metrics m;
};

enum phase { READING = 0, COMMITTING, ANSWERED };

struct req {
	struct relay *r;
	struct MHD_Connection *conn;
	const struct mg_relay_source *src;
	struct mg_buf body;
	bool too_big;
	enum phase phase;
	enum mg_relay_reject reason;
	bool duplicate;
	struct mg_relay_event ev;
	struct mg_buf payload;
	const char **targets; /* names, borrowed from the config */
	size_t ntargets;
	uint64_t t0;
	struct req *next;
};

static double now_s(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/* --- log lines: one JSON object per delivery and per forward ---------------- */

static void log_line(struct relay *r, struct mg_buf *line)
{
	char when[MG_TIME_LEN];
	struct mg_buf out = MG_BUF_INIT(MG_BUF_SMALL);

	mg_time_format(time(NULL), MG_TIME_ZULU, when);
	mg_buf_addf(&out, "{\"ts\":\"%s\",%s}\n", when, line->buf);
	if (mg_secrets_redact(&r->ctx->secrets, &out) == 0 && out.len) {
		ssize_t w = write(STDERR_FILENO, out.buf, out.len);

		(void)w;
	}
	mg_buf_release(&out);
}

static void kv(struct mg_buf *b, const char *key, const char *value)
{
	if (!value || !*value)
		return;
	if (b->len)
		mg_buf_addch(b, ',');
	mg_relay_json_str(b, key);
	mg_buf_addch(b, ':');
	mg_relay_json_str(b, value);
}

static void log_delivery(struct req *q, int status, const char *outcome)
{
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);

	if (!q->r->cfg->log_deliveries)
		return;
	kv(&b, "msg", "delivery");
	kv(&b, "source", q->src ? q->src->name : NULL);
	kv(&b, "key", q->ev.key);
	kv(&b, "event", q->ev.event);
	kv(&b, "model", q->ev.model);
	kv(&b, "version", q->ev.version);
	kv(&b, "alias", q->ev.alias);
	kv(&b, "stage", q->ev.stage);
	kv(&b, "outcome", outcome);
	mg_buf_addf(&b, ",\"status\":%d,\"jobs\":%zu,\"ms\":%.2f", status,
	            q->reason == MG_RELAY_OK && !q->duplicate ? q->ntargets : 0,
	            mg_clock_since(q->t0) * 1e3);
	log_line(q->r, &b);
	mg_buf_release(&b);
}

/* --- answers -------------------------------------------------------------- */

static enum MHD_Result answer(struct MHD_Connection *c, unsigned status, const char *type,
                              const char *body)
{
	struct MHD_Response *resp =
	        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result reject(struct relay *r, struct req *q, struct MHD_Connection *c,
                              enum mg_relay_reject why)
{
	char body[96];

	atomic_fetch_add(&r->m.rejected[why], 1);
	snprintf(body, sizeof(body), "{\"error\":\"%s\"}\n", mg_relay_reject_name(why));
	if (q) {
		q->reason = why;
		log_delivery(q, mg_relay_reject_status(why), mg_relay_reject_name(why));
	}
	return answer(c, (unsigned)mg_relay_reject_status(why), "application/json", body);
}

static void metrics_text(struct relay *r, struct mg_buf *b)
{
	struct metrics *m = &r->m;
	long long queued = 0, dead = 0;
	struct mg_err err = MG_ERR_INIT;
	unsigned long long cum = 0;

	mg_relay_queue_counts(r->mq, &queued, &dead, &err);
	mg_buf_adds(b, "# HELP mlgate_relay_received_total Deliveries received on /hooks/.\n"
	               "# TYPE mlgate_relay_received_total counter\n");
	mg_buf_addf(b, "mlgate_relay_received_total %llu\n", atomic_load(&m->received));
	mg_buf_adds(b, "# HELP mlgate_relay_rejected_total Deliveries turned away, by reason.\n"
	               "# TYPE mlgate_relay_rejected_total counter\n");
	for (int i = 1; i < MG_RELAY_NREJECT; i++)
		mg_buf_addf(b, "mlgate_relay_rejected_total{reason=\"%s\"} %llu\n",
		            mg_relay_reject_name((enum mg_relay_reject)i),
		            atomic_load(&m->rejected[i]));
	mg_buf_adds(b, "# HELP mlgate_relay_ignored_total Verified deliveries no route matched.\n"
	               "# TYPE mlgate_relay_ignored_total counter\n");
	mg_buf_addf(b, "mlgate_relay_ignored_total %llu\n", atomic_load(&m->ignored));
	mg_buf_adds(b,
	            "# HELP mlgate_relay_queued_total Jobs queued (one per delivery and target).\n"
	            "# TYPE mlgate_relay_queued_total counter\n");
	mg_buf_addf(b, "mlgate_relay_queued_total %llu\n", atomic_load(&m->queued));
	mg_buf_adds(b, "# HELP mlgate_relay_forwarded_total Jobs a target acknowledged (2xx).\n"
	               "# TYPE mlgate_relay_forwarded_total counter\n");
	mg_buf_addf(b, "mlgate_relay_forwarded_total %llu\n", atomic_load(&m->forwarded));
	mg_buf_adds(
	        b,
	        "# HELP mlgate_relay_retried_total Forwards that failed and will be tried again.\n"
	        "# TYPE mlgate_relay_retried_total counter\n");
	mg_buf_addf(b, "mlgate_relay_retried_total %llu\n", atomic_load(&m->retried));
	mg_buf_adds(b, "# HELP mlgate_relay_dead_total Jobs parked as dead.\n"
	               "# TYPE mlgate_relay_dead_total counter\n");
	mg_buf_addf(b, "mlgate_relay_dead_total %llu\n", atomic_load(&m->dead));
	mg_buf_adds(b, "# HELP mlgate_relay_jobs Jobs in the queue now, by state.\n"
	               "# TYPE mlgate_relay_jobs gauge\n");
	mg_buf_addf(b, "mlgate_relay_jobs{state=\"queued\"} %lld\n", queued);
	mg_buf_addf(b, "mlgate_relay_jobs{state=\"dead\"} %lld\n", dead);
	mg_buf_adds(b, "# HELP mlgate_relay_forward_seconds Time of acknowledged forwards.\n"
	               "# TYPE mlgate_relay_forward_seconds histogram\n");
	for (size_t i = 0; i < NBUCKETS; i++) {
		cum += atomic_load(&m->fwd_bucket[i]);
		mg_buf_addf(b, "mlgate_relay_forward_seconds_bucket{le=\"%g\"} %llu\n", buckets[i],
		            cum);
	}
	cum += atomic_load(&m->fwd_bucket[NBUCKETS]);
	mg_buf_addf(b, "mlgate_relay_forward_seconds_bucket{le=\"+Inf\"} %llu\n", cum);
	mg_buf_addf(b, "mlgate_relay_forward_seconds_sum %.6f\n",
	            (double)atomic_load(&m->fwd_sum_us) / 1e6);
	mg_buf_addf(b, "mlgate_relay_forward_seconds_count %llu\n", cum);
}

static bool json_type(const char *ct)
{
	size_t n = strlen("application/json");

	return ct && !strncasecmp(ct, "application/json", n) &&
	       (!ct[n] || ct[n] == ';' || ct[n] == ' ');
}

static void req_free(struct req *q)
{
	if (!q)
		return;
	mg_buf_release(&q->body);
	mg_buf_release(&q->payload);
	free(q->targets);
	free(q);
}

/* A complete body: verify, parse, route; then queue it (suspended) or answer now. */
static enum MHD_Result complete(struct relay *r, struct req *q, struct MHD_Connection *c)
{
	const struct mg_relay_source *src = q->src;
	time_t now = time(NULL);
	enum mg_relay_reject why;
	size_t *idx;

	if (q->too_big)
		return reject(r, q, c, MG_RELAY_TOO_LARGE);
	if (src->type == MG_RELAY_SRC_MLFLOW)
		why = mg_relay_verify_mlflow(
		        src,
		        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-MLflow-Delivery-Id"),
		        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-MLflow-Timestamp"),
		        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-MLflow-Signature"),
		        q->body.buf, q->body.len, now, &q->ev);
	else
		why = mg_relay_verify_databricks(
		        src,
		        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Databricks-Signature"),
		        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization"),
		        q->body.buf, q->body.len, &q->ev);
	if (why == MG_RELAY_OK)
		why = mg_relay_event_parse(src, q->body.buf, q->body.len, now, &q->ev);
	if (why != MG_RELAY_OK)
		return reject(r, q, c, why);

	idx = mg_xcalloc(r->cfg->ntargets ? r->cfg->ntargets : 1, sizeof(*idx));
	q->ntargets = mg_relay_route(r->cfg, src, &q->ev, idx);
	if (!q->ntargets) {
		free(idx);
		atomic_fetch_add(&r->m.ignored, 1);
		log_delivery(q, 200, "ignored");
		return answer(c, 200, "application/json", "{\"status\":\"ignored\"}\n");
	}
	q->targets = mg_xcalloc(q->ntargets, sizeof(*q->targets));
	for (size_t i = 0; i < q->ntargets; i++)
		q->targets[i] = r->cfg->targets[idx[i]].name;
	free(idx);
	mg_relay_payload(src, &q->ev, &q->payload);

	q->phase = COMMITTING;
	q->conn = c;
	MHD_suspend_connection(c);
	pthread_mutex_lock(&r->mu);
	*r->pending_tail = q;
	r->pending_tail = &q->next;
	pthread_cond_signal(&r->commit_cv);
	pthread_mutex_unlock(&r->mu);
	return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
	struct relay *r = cls;
	struct req *q = *con_cls;

	(void)version;
	if (!q) {
		const char *len, *name;
		long long n;

		if (!strcmp(method, "GET") || !strcmp(method, "HEAD")) {
			if (!strcmp(url, "/healthz")) {
				long long queued, dead;
				struct mg_err err = MG_ERR_INIT;

				if (mg_relay_queue_counts(r->mq, &queued, &dead, &err))
					return answer(c, 503, "text/plain", "queue unreadable\n");
				return answer(c, 200, "text/plain", "ok\n");
			}
			if (!strcmp(url, "/metrics")) {
				struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);
				enum MHD_Result ret;

				metrics_text(r, &b);
				ret = answer(c, 200, "text/plain; version=0.0.4", b.buf);
				mg_buf_release(&b);
				return ret;
			}
			/* a source's endpoint exists: only its method is wrong */
			if (!strncmp(url, "/hooks/", 7) && mg_relay_config_source(r->cfg, url + 7))
				return reject(r, NULL, c, MG_RELAY_METHOD);
			return reject(r, NULL, c, MG_RELAY_NOT_FOUND);
		}
		name = !strncmp(url, "/hooks/", 7) ? url + 7 : NULL;
		q = mg_xcalloc(1, sizeof(*q));
		q->r = r;
		q->t0 = mg_clock_ns();
		q->src = name ? mg_relay_config_source(r->cfg, name) : NULL;
		mg_buf_init(&q->body, (size_t)r->cfg->max_body);
		mg_buf_init(&q->payload, MG_BUF_SMALL);
		*con_cls = q;
		if (strcmp(method, "POST"))
			return reject(r, q, c, MG_RELAY_METHOD);
		if (!q->src)
			return reject(r, q, c, MG_RELAY_NOT_FOUND);
		atomic_fetch_add(&r->m.received, 1);
		if (!json_type(MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type")))
			return reject(r, q, c, MG_RELAY_CONTENT_TYPE);
		len = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
		n = len ? strtoll(len, NULL, 10) : 0;
		if (n > r->cfg->max_body)
			return reject(r, q, c, MG_RELAY_TOO_LARGE);
		return MHD_YES;
	}
	if (*upload_size) {
		if (!q->too_big && q->phase == READING) {
			if (q->body.len + *upload_size > (size_t)r->cfg->max_body)
				q->too_big = true;
			else
				mg_buf_add(&q->body, upload, *upload_size);
		}
		*upload_size = 0;
		return MHD_YES;
	}
	switch (q->phase) {
	case READING:
		return complete(r, q, c);
	case COMMITTING:
		return MHD_YES;
	case ANSWERED:
		break;
	}
	/* counted by the committer */
	if (q->reason != MG_RELAY_OK || q->duplicate) {
		enum mg_relay_reject why = q->duplicate ? MG_RELAY_REPLAY : q->reason;
		char body[96];

		log_delivery(q, mg_relay_reject_status(why), mg_relay_reject_name(why));
		snprintf(body, sizeof(body), "{\"error\":\"%s\"}\n", mg_relay_reject_name(why));
		return answer(c, (unsigned)mg_relay_reject_status(why), "application/json", body);
	}
	{
		char body[64];
		enum MHD_Result ret;

		snprintf(body, sizeof(body), "{\"status\":\"queued\",\"jobs\":%zu}\n", q->ntargets);
		ret = answer(c, 202, "application/json", body);
		log_delivery(q, 202, "queued");
		return ret;
	}
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode why)
{
	(void)cls;
	(void)c;
	(void)why;
	req_free(*con_cls);
	*con_cls = NULL;
}

/*
 * Connections past listen.max_connections are closed as soon as they are
 * accepted (and counted as rejected "busy"), so a flood costs a descriptor
 * for an instant, never a slot; libmicrohttpd's own limit, higher, only
 * stops accepting (the kernel's backlog then holds the rest).
 */
static enum MHD_Result on_accept(void *cls, const struct sockaddr *addr, socklen_t len)
{
	struct relay *r = cls;

	(void)addr;
	(void)len;
	if (atomic_load(&r->connections) < r->cfg->max_connections)
		return MHD_YES;
	atomic_fetch_add(&r->m.rejected[MG_RELAY_BUSY], 1);
	return MHD_NO;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode what)
{
	struct relay *r = cls;

	(void)c;
	(void)socket_context;
	atomic_fetch_add(&r->connections, what == MHD_CONNECTION_NOTIFY_STARTED ? 1 : -1);
}

/* --- the committer: group commit ------------------------------------------ */

static void *committer(void *arg)
{
	struct relay *r = arg;
	struct mg_relay_item *items = NULL;
	size_t cap = 0;

	for (;;) {
		struct req *batch, *q, *next;
		struct mg_err err = MG_ERR_INIT;
		size_t n = 0;
		int rc;

		pthread_mutex_lock(&r->mu);
		while (!r->pending && !r->stopping)
			pthread_cond_wait(&r->commit_cv, &r->mu);
		batch = r->pending;
		r->pending = NULL;
		r->pending_tail = &r->pending;
		pthread_mutex_unlock(&r->mu);
		if (!batch)
			break;
		for (q = batch; q; q = q->next) {
			if (n == cap) {
				cap = cap ? 2 * cap : 64;
				items = mg_xrealloc(items, cap * sizeof(*items));
			}
			items[n++] = (struct mg_relay_item){q->ev.key, q->payload.buf, q->targets,
			                                    q->ntargets, false};
		}
		rc = mg_relay_queue_add(r->cq, items, n, now_s(), &err);
		if (rc)
			mg_error(&r->ctx->log, "%s", err.msg);
		n = 0;
		for (q = batch; q; q = next) {
			next = q->next;
			/* counted here, logged by the server thread as it answers */
			if (rc) {
				q->reason = MG_RELAY_UNAVAILABLE;
				atomic_fetch_add(&r->m.rejected[MG_RELAY_UNAVAILABLE], 1);
			} else if ((q->duplicate = items[n].duplicate)) {
				atomic_fetch_add(&r->m.rejected[MG_RELAY_REPLAY], 1);
			} else {
				atomic_fetch_add(&r->m.queued, q->ntargets);
			}
			n++;
			q->phase = ANSWERED;
			/* after this the server thread owns q again (and may free it) */
			MHD_resume_connection(q->conn);
		}
		pthread_mutex_lock(&r->mu);
		r->worker_kick = true;
		pthread_cond_signal(&r->worker_cv);
		pthread_mutex_unlock(&r->mu);
	}
	free(items);
	return NULL;
}

/* --- the worker: forwards ------------------------------------------------- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL; /* the worker thread's alone */

static double uniform(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (double)(rng_state >> 11) / 9007199254740992.0;
}

static double backoff(const struct mg_relay_config *cfg, long tries)
{
	double wait = cfg->backoff_s;

	for (long i = 1; i < tries && wait < cfg->backoff_max_s; i++)
		wait *= 2;

	if (wait > cfg->backoff_max_s)
		wait = cfg->backoff_max_s;
	/* jitter: up to half the wait again, so retries of many jobs spread out */
	return wait + wait * 0.5 * uniform();
}

static void log_forward(struct relay *r, const struct mg_relay_job *job, long status,
                        const char *outcome, double secs, const char *why)
{
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);

	kv(&b, "msg", "forward");
	mg_buf_addf(&b, ",\"job\":%lld", (long long)job->id);
	kv(&b, "target", job->target);
	kv(&b, "key", job->key);
	kv(&b, "outcome", outcome);
	mg_buf_addf(&b, ",\"status\":%ld,\"try\":%ld,\"ms\":%.1f", status, job->tries + 1,
	            secs * 1e3);
	kv(&b, "error", why);
	log_line(r, &b);
	mg_buf_release(&b);
}

static void forward(struct relay *r, struct mg_http *http, struct mg_relay_job *job)
{
	const struct mg_relay_config *cfg = r->cfg;
	const struct mg_relay_target *t = mg_relay_config_target(cfg, job->target);
	struct mg_buf body = MG_BUF_INIT(MG_BUF_LARGE);
	struct mg_buf h1 = MG_BUF_INIT(MG_BUF_SMALL), h2 = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_http_response resp;
	struct mg_err err = MG_ERR_INIT, qerr = MG_ERR_INIT;
	const char *headers[6] = {NULL};
	char why[MG_ERR_MSG_MAX] = "";
	double t0 = now_s(), secs, next;
	int rc;
	bool retry;

	mg_http_response_init(&resp);
	if (!t || mg_relay_forward_body(t, job->payload, &body)) {
		snprintf(why, sizeof(why), "%s",
		         t ? "damaged payload" : "no such target in the config");
		rc = mg_relay_queue_failed(r->wq, job->id, 0, why, -1, now_s(), &qerr);
		atomic_fetch_add(&r->m.dead, 1);
		log_forward(r, job, 0, "dead", 0, why);
		goto done;
	}
	mg_buf_addf(&h1, "X-Mlgate-Delivery: %s", job->key);
	headers[0] = h1.buf;
	if (t->type == MG_RELAY_AZURE) {
		if (t->secret) {
			char mac[41];

			mg_relay_hmac_sha1_hex(t->secret, body.buf, body.len, mac);
			mg_buf_addf(&h2, "%s: %s%s", t->header, t->sha1_prefix ? "sha1=" : "", mac);
			headers[1] = h2.buf;
		}
	} else {
		mg_buf_addf(&h2, "Authorization: Bearer %s", t->token ? t->token : "");
		headers[1] = h2.buf;
		headers[2] = "Accept: application/vnd.github+json";
		headers[3] = "X-GitHub-Api-Version: 2022-11-28";
	}
	rc = mg_http_send(
	        http, &(struct mg_http_req){"POST", t->url, body.buf, "application/json", headers},
	        &resp, &err);
	secs = now_s() - t0;
	if (!rc && resp.status >= 200 && resp.status < 300) {
		size_t b = 0;

		/* recorded before anything else: a restart must not send it again */
		if (mg_relay_queue_done(r->wq, job->id, resp.status, now_s(), &qerr))
			mg_error(&r->ctx->log, "%s", qerr.msg);
		atomic_fetch_add(&r->m.forwarded, 1);
		while (b < NBUCKETS && secs > buckets[b])
			b++;
		atomic_fetch_add(&r->m.fwd_bucket[b], 1);
		atomic_fetch_add(&r->m.fwd_sum_us, (unsigned long long)(secs * 1e6));
		log_forward(r, job, resp.status, "done", secs, NULL);
		goto done;
	}
	if (rc)
		snprintf(why, sizeof(why), "%s", err.msg);
	else
		snprintf(why, sizeof(why), "HTTP %ld", resp.status);
	/* no answer, a timeout, 408, 429 or 5xx may pass; any other answer will not */
	retry = rc || resp.status == 408 || resp.status == 429 || resp.status >= 500;
	if (!retry || job->tries + 1 >= cfg->max_tries) {
		next = -1;
		atomic_fetch_add(&r->m.dead, 1);
	} else {
		double wait = backoff(cfg, job->tries + 1);

		if (!rc && resp.retry_after > wait)
			wait = resp.retry_after < 3600 ? resp.retry_after : 3600;
		next = now_s() + wait;
		atomic_fetch_add(&r->m.retried, 1);
	}
	if (mg_relay_queue_failed(r->wq, job->id, rc ? 0 : resp.status, why, next, now_s(), &qerr))
		mg_error(&r->ctx->log, "%s", qerr.msg);
	log_forward(r, job, rc ? 0 : resp.status, next < 0 ? "dead" : "retry", secs, why);
done:
	mg_http_response_release(&resp);
	mg_buf_release(&body);
	mg_buf_release(&h1);
	mg_buf_release(&h2);
}

static void *worker(void *arg)
{
	struct relay *r = arg;
	struct mg_http_config hc = {0};
	struct mg_http *http;
	double last_prune = 0;

	hc.timeout_s = r->cfg->forward_timeout_s;
	hc.connect_timeout_s = r->cfg->forward_timeout_s;
	hc.max_retries = 0;
	hc.max_body = 1024 * 1024;
	hc.respect_retry_after = true;
	http = mg_http_new(&hc, &r->ctx->log);
	for (;;) {
		struct mg_relay_job job = {0};
		struct mg_err err = MG_ERR_INIT;
		double now = now_s(), due = -1, until;
		struct timespec ts;
		int rc;

		pthread_mutex_lock(&r->mu);
		if (r->stopping) {
			pthread_mutex_unlock(&r->mu);
			break;
		}
		r->worker_kick = false;
		pthread_mutex_unlock(&r->mu);
		if (now - last_prune > 3600) {
			/* done jobs and replay keys are kept a week (and always past every window)
			 */
			if (mg_relay_queue_prune(r->wq, now - 7 * 86400.0 - 60, &err))
				mg_error(&r->ctx->log, "%s", err.msg);
			last_prune = now;
		}
		rc = mg_relay_queue_next(r->wq, now, &job, &due, &err);
		if (rc == 1) {
			pthread_mutex_lock(&r->mu);
			r->forwarding = true;
			pthread_mutex_unlock(&r->mu);
			forward(r, http, &job);
			mg_relay_job_release(&job);
			pthread_mutex_lock(&r->mu);
			r->forwarding = false;
			pthread_cond_broadcast(&r->idle_cv);
			pthread_mutex_unlock(&r->mu);
			continue;
		}
		if (rc < 0)
			mg_error(&r->ctx->log, "%s", err.msg);
		/* wait for a commit, the next due job, or a second (a replay from `mlgate-relay
		 * replay`) */
		until = now + 1;
		if (rc == 0 && due >= 0 && due < until)
			until = due;
		ts.tv_sec = (time_t)until;
		ts.tv_nsec = (long)((until - (double)ts.tv_sec) * 1e9);
		pthread_mutex_lock(&r->mu);
		while (!r->worker_kick && !r->stopping &&
		       pthread_cond_timedwait(&r->worker_cv, &r->mu, &ts) == 0)
			;
		pthread_mutex_unlock(&r->mu);
	}
	mg_http_free(http);
	pthread_mutex_lock(&r->mu);
	r->worker_done = true;
	pthread_cond_broadcast(&r->idle_cv);
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

/* --- the whole -------------------------------------------------------------- */

/*
 * One serve per queue: two workers would both send the same due job. The
 * lock (flock on QUEUE-serve.lock) goes with the process, however it ends.
 */
static int lock_queue(const char *queue, int *fd, struct mg_err *err)
{
	struct mg_buf path = MG_BUF_INIT(MG_BUF_SMALL);
	int ret = -1;

	mg_buf_addf(&path, "%s-serve.lock", queue);
	*fd = open(path.buf, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (*fd < 0)
		mg_err_set(err, MG_EXIT_INFRA, "cannot open '%s': %s", path.buf, strerror(errno));
	else if (flock(*fd, LOCK_EX | LOCK_NB))
		mg_err_set(err, MG_EXIT_INFRA,
		           "another mlgate-relay serve uses the queue '%s' (its lock '%s' is held)",
		           queue, path.buf);
	else
		ret = 0;
	mg_buf_release(&path);
	return ret;
}

/* Whether the worker ended within 2 s of being told to stop (a forward in flight may finish). */
static bool worker_stops(struct relay *r)
{
	struct timespec ts;
	bool done;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 2;
	pthread_mutex_lock(&r->mu);
	while (!r->worker_done && pthread_cond_timedwait(&r->idle_cv, &r->mu, &ts) == 0)
		;
	done = r->worker_done;
	pthread_mutex_unlock(&r->mu);
	return done;
}

/* room for `want` descriptors when the hard limit allows (a flood is refused, not fatal) */
static void raise_fd_limit(rlim_t want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
}

int mg_relay_serve(const struct mg_relay_config *cfg, struct mg_ctx *ctx, struct mg_err *err)
{
	struct relay r = {.cfg = cfg, .ctx = ctx};
	struct sockaddr_storage ss;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME;
	pthread_t cth, wth;
	bool cthread = false, wthread = false;
	sigset_t sigs;
	int sig = 0, ret = -1, lockfd = -1;
	const union MHD_DaemonInfo *info;

	pthread_mutex_init(&r.mu, NULL);
	pthread_cond_init(&r.commit_cv, NULL);
	pthread_cond_init(&r.worker_cv, NULL);
	pthread_cond_init(&r.idle_cv, NULL);
	r.pending_tail = &r.pending;
	rng_state ^= ((uint64_t)getpid() << 32) ^ (uint64_t)time(NULL);
	/* the address was checked when the configuration was read */
	if (!mg_relay_listen_sockaddr(cfg, &ss)) {
		mg_err_set(err, MG_EXIT_USAGE, "listen.address '%s': not an IP address",
		           cfg->address);
		goto done;
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (lock_queue(cfg->queue_path, &lockfd, err) ||
	    mg_relay_queue_open(cfg->queue_path, true, &r.cq, err) ||
	    mg_relay_queue_open(cfg->queue_path, false, &r.wq, err) ||
	    mg_relay_queue_open(cfg->queue_path, false, &r.mq, err))
		goto done;

	/* the signals are waited for here; every thread started below has them blocked */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	raise_fd_limit((rlim_t)cfg->max_connections * 2 + 64);
	r.daemon = MHD_start_daemon(
	        flags, 0, on_accept, &r, on_request, &r, MHD_OPTION_SOCK_ADDR,
	        (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->timeout_s,
	        MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->max_connections + 64,
	        MHD_OPTION_NOTIFY_CONNECTION, on_connection, &r, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	        (size_t)64 * 1024, MHD_OPTION_NOTIFY_COMPLETED, on_completed, &r,
	        MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u, MHD_OPTION_END);
	if (!r.daemon) {
		mg_err_set(err, MG_EXIT_INFRA, "cannot listen on %s port %ld: %s", cfg->address,
		           cfg->port, errno ? strerror(errno) : "libmicrohttpd refused");
		goto done;
	}
	cthread = !pthread_create(&cth, NULL, committer, &r);
	wthread = cthread && !pthread_create(&wth, NULL, worker, &r);
	if (!wthread) {
		mg_err_set(err, MG_EXIT_INFRA, "cannot start the relay's threads");
		goto done;
	}
	info = MHD_get_daemon_info(r.daemon, MHD_DAEMON_INFO_BIND_PORT);
	mg_info(&ctx->log, "listening on %s port %u, queue '%s'", cfg->address,
	        info ? (unsigned)info->port : (unsigned)cfg->port, cfg->queue_path);
	while (sigwait(&sigs, &sig) == 0 && sig != SIGINT && sig != SIGTERM)
		;
	mg_info(&ctx->log, "stopping (%s)", sig == SIGINT ? "SIGINT" : "SIGTERM");
	ret = 0;
done:
	if (r.daemon)
		MHD_quiesce_daemon(r.daemon);
	pthread_mutex_lock(&r.mu);
	r.stopping = true;
	pthread_cond_broadcast(&r.commit_cv);
	pthread_cond_broadcast(&r.worker_cv);
	pthread_mutex_unlock(&r.mu);
	/* the committer answers what it holds before it ends */
	if (cthread)
		pthread_join(cth, NULL);
	if (wthread && !worker_stops(&r)) {
		/*
		 * A forward still waiting for its target is left to the process's
		 * end, as a SIGKILL would: the job stays queued and is sent again
		 * at the next start (its target dedupes by X-Mlgate-Delivery).
		 */
		mg_warn(&ctx->log, "a forward is still waiting for its target: it is sent again at "
		                   "the next start");
		if (r.daemon)
			MHD_stop_daemon(r.daemon);
		return ret;
	}
	if (wthread)
		pthread_join(wth, NULL);
	if (r.daemon)
		MHD_stop_daemon(r.daemon);
	mg_relay_queue_close(r.cq);
	mg_relay_queue_close(r.wq);
	mg_relay_queue_close(r.mq);
	pthread_cond_destroy(&r.commit_cv);
	pthread_cond_destroy(&r.worker_cv);
	pthread_cond_destroy(&r.idle_cv);
	pthread_mutex_destroy(&r.mu);
	if (lockfd >= 0)
		close(lockfd);
	return ret;
}
