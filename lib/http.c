#include "setup.h"
#include "http.h"
#include "alloc.h"
#include "clock.h"
#include "parse.h"
#include "version.h"

#include <curl/curl.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct mg_http {
	CURL *curl;                      /* the one handle: its connection cache is reused */
	struct curl_slist *headers;      /* sent with every request */
	struct curl_slist *json_headers; /* headers + Content-Type: application/json */
	struct mg_http_config cfg;
	const struct mg_log *log; /* borrowed */
	char errbuf[CURL_ERROR_SIZE];
	long connections;                 /* TCP connections opened so far */
	uint64_t rng;                     /* jitter state */
	struct mg_http_response *current; /* the response being received */
};

/* --- configuration ------------------------------------------------------- */

static int env_ll(const char *name, long long min, long long max, long long *out,
                  struct mg_err *err)
{
	const char *v = getenv(name);
	char what[128];

	if (!v || !*v)
		return 0;
	snprintf(what, sizeof(what), "environment variable %s", name);
	return mg_parse_ll(what, v, min, max, out, err);
}

static int env_double(const char *name, double min, double max, double *out, struct mg_err *err)
{
	const char *v = getenv(name);
	char what[128];
	double d;

	if (!v || !*v)
		return 0;
	snprintf(what, sizeof(what), "environment variable %s", name);
	if (mg_parse_double(what, v, &d, err))
		return -1;
	if (d < min || d > max)
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "invalid value '%.64s' for %s: must be between %g and %g", v,
		                  what, min, max);
	*out = d;
	return 0;
}

static int env_bool(const char *name, bool *out, struct mg_err *err)
{
	const char *v = getenv(name);
	char what[128];

	if (!v || !*v)
		return 0;
	snprintf(what, sizeof(what), "environment variable %s", name);
	return mg_parse_bool(what, v, out, err);
}

int mg_http_config_from_env(struct mg_http_config *cfg, struct mg_err *err)
{
	long long timeout = 120, retries = 7, max_body = 64LL * 1024 * 1024;
	const char *ca = getenv("MLFLOW_TRACKING_SERVER_CERT_PATH");
	const char *cert = getenv("MLFLOW_TRACKING_CLIENT_CERT_PATH");
	/*
	 * The CA bundle variables of Python's requests, which MLflow's and
	 * Databricks' clients use, in requests' order, after MLflow's own
	 * (which MLflow passes as `verify=` and so wins over them).
	 */
	static const char *const generic_ca[] = {"REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"};

	memset(cfg, 0, sizeof(*cfg));
	cfg->backoff_factor = 2;
	cfg->backoff_jitter = 1.0;
	cfg->respect_retry_after = true;
	if (env_ll("MLFLOW_HTTP_REQUEST_TIMEOUT", 1, 86400, &timeout, err) ||
	    env_ll("MLFLOW_HTTP_REQUEST_MAX_RETRIES", 0, 10, &retries, err) ||
	    env_double("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", 0, 120, &cfg->backoff_factor, err) ||
	    env_double("MLFLOW_HTTP_REQUEST_BACKOFF_JITTER", 0, 120, &cfg->backoff_jitter, err) ||
	    env_bool("MLFLOW_HTTP_RESPECT_RETRY_AFTER_HEADER", &cfg->respect_retry_after, err) ||
	    env_bool("MLFLOW_TRACKING_INSECURE_TLS", &cfg->insecure, err) ||
	    env_ll("MLGATE_HTTP_MAX_BODY", 1024, 1LL << 34, &max_body, err))
		return -1;
	cfg->timeout_s = (long)timeout;
	cfg->connect_timeout_s = timeout < 30 ? (long)timeout : 30;
	cfg->max_retries = (int)retries;
	cfg->max_body = (size_t)max_body;
	cfg->ca_path = ca && *ca ? ca : NULL;
	cfg->client_cert_path = cert && *cert ? cert : NULL;
	if (cfg->insecure && cfg->ca_path)
		return mg_err_set(
		        err, MG_EXIT_USAGE,
		        "MLFLOW_TRACKING_INSECURE_TLS and MLFLOW_TRACKING_SERVER_CERT_PATH "
		        "cannot both be set: skip TLS verification or verify against a CA, "
		        "not both");
	/* as in requests, verify=False (insecure) makes the generic bundle moot */
	for (size_t i = 0; !cfg->insecure && !cfg->ca_path && i < MG_ARRAY_SIZE(generic_ca); i++) {
		const char *v = getenv(generic_ca[i]);

		if (v && *v)
			cfg->ca_path = v;
	}
	if (cfg->ca_path) {
		struct stat st;

		if (stat(cfg->ca_path, &st))
			return mg_err_set(err, MG_EXIT_USAGE, "CA bundle %s: %s", cfg->ca_path,
			                  strerror(errno));
		cfg->ca_is_dir = S_ISDIR(st.st_mode);
	}
	return 0;
}

/* --- client -------------------------------------------------------------- */

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	struct mg_http *h = arg;

	if (mg_buf_add(&h->current->body, data, size * n))
		return 0; /* over the limit: curl stops with CURLE_WRITE_ERROR */
	return size * n;
}

struct mg_http *mg_http_new(const struct mg_http_config *cfg, const struct mg_log *log)
{
	struct mg_http *h = mg_xcalloc(1, sizeof(*h));
	char ua[64];

	h->cfg = *cfg;
	h->log = log;
	h->rng = mg_clock_ns() ^ ((uint64_t)getpid() << 32) ^ 0x9e3779b97f4a7c15ULL;
	h->curl = curl_easy_init();
	if (!h->curl)
		mg_die_oom(0);
	snprintf(ua, sizeof(ua), "mlgate/%s", mg_version);
	curl_easy_setopt(h->curl, CURLOPT_USERAGENT, ua);
	curl_easy_setopt(h->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h->curl, CURLOPT_ERRORBUFFER, h->errbuf);
	curl_easy_setopt(h->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h->curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h->curl, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h->curl, CURLOPT_TIMEOUT, cfg->timeout_s);
	curl_easy_setopt(h->curl, CURLOPT_CONNECTTIMEOUT, cfg->connect_timeout_s);
	curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, h);
	if (cfg->insecure) {
		curl_easy_setopt(h->curl, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h->curl, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (cfg->ca_path) /* a directory as requests takes one: hashed certificates (c_rehash) */
		curl_easy_setopt(h->curl, cfg->ca_is_dir ? CURLOPT_CAPATH : CURLOPT_CAINFO,
		                 cfg->ca_path);
	if (cfg->client_cert_path) {
		curl_easy_setopt(h->curl, CURLOPT_SSLCERT, cfg->client_cert_path);
		curl_easy_setopt(h->curl, CURLOPT_SSLKEY, cfg->client_cert_path);
	}
	/* no "Expect: 100-continue" round trip before larger bodies */
	mg_http_add_header(h, "Expect:");
	mg_http_add_header(h, "Accept: application/json");
	h->json_headers = curl_slist_append(h->json_headers, "Content-Type: application/json");
	if (!h->json_headers)
		mg_die_oom(0);
	return h;
}

void mg_http_free(struct mg_http *h)
{
	if (!h)
		return;
	curl_easy_cleanup(h->curl);
	curl_slist_free_all(h->headers);
	curl_slist_free_all(h->json_headers);
	free(h);
}

void mg_http_add_header(struct mg_http *h, const char *header)
{
	h->headers = curl_slist_append(h->headers, header);
	h->json_headers = curl_slist_append(h->json_headers, header);
	if (!h->headers || !h->json_headers)
		mg_die_oom(0);
}

void mg_http_response_init(struct mg_http_response *r)
{
	r->status = 0;
	r->attempts = 0;
	r->retry_after = 0;
	mg_buf_init(&r->body, MG_BUF_LARGE);
}

void mg_http_response_release(struct mg_http_response *r)
{
	mg_buf_release(&r->body);
}

long mg_http_connections(const struct mg_http *h)
{
	return h->connections;
}

void mg_http_basic(struct mg_buf *out, const char *user, const char *password)
{
	static const char tbl[] =
	        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	struct mg_buf cred = MG_BUF_INIT(MG_BUF_SMALL);
	const unsigned char *p;

	mg_buf_addf(&cred, "%s:%s", user, password);
	p = (const unsigned char *)cred.buf;
	mg_buf_adds(out, "Basic ");
	for (size_t i = 0; i < cred.len; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		char q[4];

		if (i + 1 < cred.len)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < cred.len)
			v |= p[i + 2];
		q[0] = tbl[(v >> 18) & 63];
		q[1] = tbl[(v >> 12) & 63];
		q[2] = i + 1 < cred.len ? tbl[(v >> 6) & 63] : '=';
		q[3] = i + 2 < cred.len ? tbl[v & 63] : '=';
		mg_buf_add(out, q, 4);
	}
	mg_buf_release(&cred);
}

void mg_http_escape(struct mg_buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~') {
			mg_buf_addch(out, (char)c);
		} else {
			char enc[3] = {'%', hex[c >> 4], hex[c & 15]};

			mg_buf_add(out, enc, 3);
		}
	}
}

/* --- requests ------------------------------------------------------------ */

static bool retryable_status(long status)
{
	return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 ||
	       status == 504;
}

static bool retryable_error(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
		return true;
	default:
		return false;
	}
}

/* urllib3's schedule: no wait before the first retry, then factor * 2^(n-1), at most 120 s. */
static double backoff(struct mg_http *h, int retry)
{
	double wait = 0, r;

	if (retry > 1) {
		wait = h->cfg.backoff_factor;
		for (int i = 1; i < retry && wait < 120; i++)
			wait *= 2;
		if (wait > 120)
			wait = 120;
	}
	/* xorshift64*: jitter needs spread, not secrecy */
	h->rng ^= h->rng >> 12;
	h->rng ^= h->rng << 25;
	h->rng ^= h->rng >> 27;
	r = (double)((h->rng * 0x2545F4914F6CDD1DULL) >> 11) / 9007199254740992.0;
	return wait + r * h->cfg.backoff_jitter;
}

/*
 * Seconds the last response's Retry-After asks for (delay-seconds or an
 * HTTP date, parsed by libcurl), 0 when it has none.
 */
static double retry_after(struct mg_http *h)
{
	curl_off_t secs = 0;

	if (curl_easy_getinfo(h->curl, CURLINFO_RETRY_AFTER, &secs) != CURLE_OK || secs < 0)
		return 0;
	return (double)secs;
}

/* Why an attempt failed, short: "connection refused", "HTTP 503", curl's message. */
static void failure_reason(struct mg_http *h, CURLcode rc, long status, char *out, size_t size)
{
	long oserr = 0;

	if (rc == CURLE_OK) {
		snprintf(out, size, "HTTP %ld", status);
		return;
	}
	if (rc == CURLE_COULDNT_CONNECT &&
	    curl_easy_getinfo(h->curl, CURLINFO_OS_ERRNO, &oserr) == CURLE_OK && oserr > 0) {
		snprintf(out, size, "%s", strerror((int)oserr));
		if (out[0] >= 'A' && out[0] <= 'Z')
			out[0] = (char)(out[0] - 'A' + 'a');
		return;
	}
	snprintf(out, size, "%s", h->errbuf[0] ? h->errbuf : curl_easy_strerror(rc));
}

static void sleep_seconds(double s)
{
	struct timespec ts;

	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static struct curl_slist *slist_add(struct curl_slist *l, const char *s)
{
	struct curl_slist *n = curl_slist_append(l, s);

	if (!n)
		mg_die_oom(0);
	return n;
}

/* Whether `header` ("Name: value") is one the request sends a value of its own for. */
static bool overridden(const char *header, const char *const *mine)
{
	size_t n = strcspn(header, ":");

	for (; mine && *mine; mine++)
		if (!strncasecmp(*mine, header, n) && (*mine)[n] == ':')
			return true;
	return false;
}

/*
 * The header list of one request: the client's prebuilt lists, or, when the
 * request brings a content type or headers of its own, a list made for it
 * (returned in *own too: the caller frees it after the last attempt).
 */
static struct curl_slist *request_headers(struct mg_http *h, const struct mg_http_req *req,
                                          struct curl_slist **own)
{
	bool get = !strcmp(req->method, "GET");
	struct curl_slist *l = NULL;

	*own = NULL;
	if (!req->headers && !req->content_type)
		return get ? h->headers : h->json_headers;
	for (const struct curl_slist *p = h->headers; p; p = p->next)
		if (!overridden(p->data, req->headers))
			l = slist_add(l, p->data);
	if (!get) {
		struct mg_buf ct = MG_BUF_INIT(MG_BUF_SMALL);

		mg_buf_addf(&ct, "Content-Type: %s",
		            req->content_type ? req->content_type : "application/json");
		l = slist_add(l, ct.buf);
		mg_buf_release(&ct);
	}
	for (const char *const *x = req->headers; x && *x; x++)
		l = slist_add(l, *x);
	*own = l;
	return l;
}

static void set_method(struct mg_http *h, const struct mg_http_req *req, struct curl_slist *headers)
{
	CURL *c = h->curl;
	const char *body = req->body ? req->body : "{}";

	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	if (!strcmp(req->method, "GET")) {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, NULL);
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
		return;
	}
	/* POST, PATCH and DELETE all carry a body (MLflow ignores DELETE's query) */
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST,
	                 strcmp(req->method, "POST") ? req->method : NULL);
}

int mg_http_request(struct mg_http *h, const char *method, const char *url, const char *json_body,
                    struct mg_http_response *resp, struct mg_err *err)
{
	const struct mg_http_req req = {method, url, json_body, NULL, NULL};

	return mg_http_send(h, &req, resp, err);
}

static int perform(struct mg_http *h, const struct mg_http_req *req, struct curl_slist *headers,
                   struct mg_http_response *resp, struct mg_err *err)
{
	const char *method = req->method, *url = req->url;

	for (int attempt = 0;; attempt++) {
		uint64_t start = mg_clock_ns();
		long connects = 0;
		CURLcode rc;
		double wait;
		char reason[CURL_ERROR_SIZE + 32];

		mg_buf_reset(&resp->body);
		resp->body.max = h->cfg.max_body;
		resp->status = 0;
		h->current = resp;
		h->errbuf[0] = '\0';
		curl_easy_setopt(h->curl, CURLOPT_URL, url);
		set_method(h, req, headers);
		rc = curl_easy_perform(h->curl);
		h->current = NULL;
		resp->attempts++;
		if (curl_easy_getinfo(h->curl, CURLINFO_NUM_CONNECTS, &connects) == CURLE_OK)
			h->connections += connects;

		if (rc == CURLE_WRITE_ERROR && mg_buf_overflowed(&resp->body))
			return mg_err_set(err, MG_EXIT_INFRA,
			                  "response to %s %s is larger than the limit of %zu bytes "
			                  "(MLGATE_HTTP_MAX_BODY)",
			                  method, url, h->cfg.max_body);
		if (rc == CURLE_OK) {
			curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &resp->status);
			resp->retry_after = retry_after(h);
			mg_debug(h->log, "%s %s -> %ld (%.1f ms)", method, url, resp->status,
			         mg_clock_since(start) * 1e3);
			if (!retryable_status(resp->status) || attempt >= h->cfg.max_retries)
				return 0;
		} else {
			mg_debug(h->log, "%s %s -> %s", method, url,
			         h->errbuf[0] ? h->errbuf : curl_easy_strerror(rc));
			if (!retryable_error(rc) || attempt >= h->cfg.max_retries)
				return mg_err_set(
				        err, MG_EXIT_INFRA, "%s %s failed after %d attempt%s: %s",
				        method, url, attempt + 1, attempt ? "s" : "",
				        h->errbuf[0] ? h->errbuf : curl_easy_strerror(rc));
		}
		wait = backoff(h, attempt + 1);
		if (h->cfg.respect_retry_after && rc == CURLE_OK) {
			double asked = retry_after(h);

			if (asked > wait)
				wait = asked > (double)h->cfg.timeout_s ? (double)h->cfg.timeout_s
				                                        : asked;
		}
		/* a wait is never silent: an unreachable server would look like a hang */
		failure_reason(h, rc, resp->status, reason, sizeof(reason));
		mg_warn(h->log, "%s %s: retrying in %.1f s (attempt %d of %d): %s", method, url,
		        wait, attempt + 1, h->cfg.max_retries, reason);
		sleep_seconds(wait);
	}
}

int mg_http_send(struct mg_http *h, const struct mg_http_req *req, struct mg_http_response *resp,
                 struct mg_err *err)
{
	struct curl_slist *own = NULL;
	struct curl_slist *headers = request_headers(h, req, &own);
	int ret = perform(h, req, headers, resp, err);

	/* the handle must not keep pointing at a list that is freed */
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(own);
	return ret;
}
