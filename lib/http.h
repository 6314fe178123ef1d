/*
 * HTTP for the registry backends: libcurl with one handle per process
 * (keep-alive: a whole gate run is one TCP connection), bounded response
 * bodies, timeouts, and MLflow's retry policy (retries for 408, 429, 500,
 * 502, 503, 504 and connection errors, exponential backoff with jitter,
 * Retry-After honoured, each wait said on stderr), configured from MLflow's own environment
 * variables. curl_global_init() is the caller's (main's) job.
 */
#ifndef MG_HTTP_H
#define MG_HTTP_H

#include "setup.h"
#include "buf.h"
#include "err.h"
#include "log.h"
#include "secrets.h"

struct mg_http_config {
	long timeout_s;           /* whole request: MLFLOW_HTTP_REQUEST_TIMEOUT (120) */
	long connect_timeout_s;   /* connection set-up: min(timeout, 30) */
	int max_retries;          /* MLFLOW_HTTP_REQUEST_MAX_RETRIES (7), 0..10 */
	double backoff_factor;    /* MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR (2), 0..120 s */
	double backoff_jitter;    /* MLFLOW_HTTP_REQUEST_BACKOFF_JITTER (1.0), >= 0 s */
	bool respect_retry_after; /* MLFLOW_HTTP_RESPECT_RETRY_AFTER_HEADER (true) */
	size_t max_body;          /* MLGATE_HTTP_MAX_BODY (64 MiB): a larger response is an error */
	bool insecure;            /* MLFLOW_TRACKING_INSECURE_TLS: skip TLS verification */
	/*
	 * MLFLOW_TRACKING_SERVER_CERT_PATH, else REQUESTS_CA_BUNDLE, else
	 * CURL_CA_BUNDLE (the generic two not when insecure); borrowed from
	 * environ. A file (PEM bundle) or a directory of hashed certificates.
	 */
	const char *ca_path;
	bool ca_is_dir;
	const char *client_cert_path; /* MLFLOW_TRACKING_CLIENT_CERT_PATH (borrowed) */
};

/*
 * Read the configuration from the environment, validating every value:
 * nonsense (non-numbers, out of range, insecure TLS together with a CA
 * path) is MG_EXIT_USAGE naming the variable.
 */
int mg_http_config_from_env(struct mg_http_config *cfg, struct mg_err *err);

struct mg_http;

/* A client with its one reused curl handle. `log` is borrowed (debug lines). */
struct mg_http *mg_http_new(const struct mg_http_config *cfg, const struct mg_log *log);
void mg_http_free(struct mg_http *h);

/* Send `header` ("Name: value") with every request. */
void mg_http_add_header(struct mg_http *h, const char *header);

struct mg_http_response {
	long status;        /* HTTP status of the final attempt */
	struct mg_buf body; /* bounded by the configuration's max_body */
	int attempts;       /* how many requests were sent */
	double retry_after; /* the final response's Retry-After in seconds, 0 when none */
};

void mg_http_response_init(struct mg_http_response *r);
void mg_http_response_release(struct mg_http_response *r);

/*
 * Send one request: `method` GET, POST, PATCH or DELETE; `json_body` (may
 * be NULL for GET) is sent with Content-Type: application/json. Retries as
 * configured (connection errors, timeouts, and the retryable statuses).
 * Returns 0 when a response arrived: any status, the caller judges it
 * (after retries ran out on a retryable status, that status is returned
 * with resp->attempts > 1). Returns -1 with MG_EXIT_INFRA when no response
 * arrived (connection, timeout, TLS) or its body passed max_body.
 */
int mg_http_request(struct mg_http *h, const char *method, const char *url, const char *json_body,
                    struct mg_http_response *resp, struct mg_err *err);

/*
 * One request with settings of its own: `headers` ("Name: value", NULL-ended,
 * may be NULL) are sent with this request only, after the client's headers
 * (a per-request Authorization that changes when a token is refreshed; a
 * header the client also sends, Accept say, is sent with this value alone);
 * `body` is sent with Content-Type `content_type` (NULL: application/json).
 * Otherwise as mg_http_request() (retries, errors, bounds).
 */
struct mg_http_req {
	const char *method;         /* GET, POST, PATCH or DELETE */
	const char *url;            /* absolute */
	const char *body;           /* NULL: none for GET, "{}" otherwise */
	const char *content_type;   /* of the body; NULL: application/json */
	const char *const *headers; /* extra headers for this request, NULL-ended; may be NULL */
};

int mg_http_send(struct mg_http *h, const struct mg_http_req *req, struct mg_http_response *resp,
                 struct mg_err *err);

/*
 * Append "Basic " and base64(user ":" password): the HTTP Basic credential
 * as Python's requests sends it (no percent-encoding of either part).
 */
void mg_http_basic(struct mg_buf *out, const char *user, const char *password);

/* Append `s` percent-encoded for a URL query value. */
void mg_http_escape(struct mg_buf *out, const char *s);

/* Number of TCP connections opened so far (keep-alive check). */
long mg_http_connections(const struct mg_http *h);

#endif
