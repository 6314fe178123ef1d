/*
 * What the relay does to one delivery, without any I/O (so the unit tests
 * and the fuzz target call it directly): verify its signature in constant
 * time, check its clock and shape, reduce it to a flat event, match it to
 * the routes, and build each target's request body and signature header.
 *
 * Signatures (docs/relay.md "Signatures"):
 *   MLflow      X-MLflow-Signature: v1,base64(HMAC-SHA256(secret, "ID.TS.BODY"))
 *               with X-MLflow-Delivery-Id (ID) and X-MLflow-Timestamp (TS, seconds)
 *   Databricks  X-Databricks-Signature: hex(HMAC-SHA256(secret, BODY))
 *   Azure (out) HEADER: hex(HMAC-SHA1(secret, BODY)), "sha1=" before it if asked
 */
#ifndef MG_RELAY_EVENT_H
#define MG_RELAY_EVENT_H

#include "setup.h"
#include "buf.h"
#include "relay_config.h"

#include <time.h>

/* Why a delivery was turned away: the label of mlgate_relay_rejected_total{reason}. */
enum mg_relay_reject {
	MG_RELAY_OK = 0,
	MG_RELAY_BAD_SIGNATURE, /* 401: missing, malformed or wrong signature (or Authorization) */
	MG_RELAY_STALE,         /* 401: timestamp outside the window */
	MG_RELAY_MISSING,       /* 400: delivery id or timestamp header missing or malformed */
	MG_RELAY_MALFORMED,     /* 400: the body is not a JSON object of the sender's shape */
	MG_RELAY_INVALID,       /* 422: a name outside the allowed characters */
	MG_RELAY_REPLAY,        /* 409: this delivery was accepted before */
	MG_RELAY_TOO_LARGE,     /* 413 */
	MG_RELAY_CONTENT_TYPE,  /* 415 */
	MG_RELAY_NOT_FOUND,     /* 404: no such source or path */
	MG_RELAY_METHOD,        /* 405 */
	MG_RELAY_UNAVAILABLE,   /* 503: the queue could not be written */
	MG_RELAY_BUSY,          /* connection closed at once: listen.max_connections are open */
	MG_RELAY_NREJECT
};

/* The metric label ("bad_signature") and HTTP status of a reason. */
const char *mg_relay_reject_name(enum mg_relay_reject r);
int mg_relay_reject_status(enum mg_relay_reject r);

/* One delivery, reduced to what routes and targets use (all NUL-terminated, "" when absent). */
struct mg_relay_event {
	char key[80];     /* "mlflow:ID" or "databricks:" hex SHA-256 of the body: the replay key */
	char event[64];   /* "model_version_alias.created", "MODEL_VERSION_TRANSITIONED_STAGE" */
	char model[129];  /* [A-Za-z0-9._/-] */
	char version[16]; /* digits */
	char alias[65];   /* [A-Za-z0-9_-] */
	char stage[33];   /* letters */
};

/*
 * Verify an MLflow delivery: `id`, `ts`, `sig` are the header values (NULL
 * when absent). Each of the source's secrets is tried; the comparison is
 * constant-time. The timestamp must be within the source's window of `now`
 * (unless the window is 0). On success fills ev->key.
 */
enum mg_relay_reject mg_relay_verify_mlflow(const struct mg_relay_source *src, const char *id,
                                            const char *ts, const char *sig, const char *body,
                                            size_t len, time_t now, struct mg_relay_event *ev);

/*
 * Verify a Databricks delivery: `sig` the X-Databricks-Signature value,
 * `authorization` the Authorization header (checked when the source
 * expects one). Fills ev->key. The clock is checked by mg_relay_event_parse
 * (event_timestamp is in the signed body).
 */
enum mg_relay_reject mg_relay_verify_databricks(const struct mg_relay_source *src, const char *sig,
                                                const char *authorization, const char *body,
                                                size_t len, struct mg_relay_event *ev);

/*
 * Reduce a verified body to `ev` (key kept): MLflow's {entity, action,
 * data{name, version, alias}}, Databricks' {event, model_name, version,
 * to_stage, event_timestamp (ms, checked against the window)}.
 */
enum mg_relay_reject mg_relay_event_parse(const struct mg_relay_source *src, const char *body,
                                          size_t len, time_t now, struct mg_relay_event *ev);

/*
 * The targets the routes send `ev` (from source `src`) to: indexes into
 * cfg->targets, each once, in order of first match, into `out` (room for
 * cfg->ntargets). Returns how many.
 */
size_t mg_relay_route(const struct mg_relay_config *cfg, const struct mg_relay_source *src,
                      const struct mg_relay_event *ev, size_t *out);

/*
 * The flat JSON the targets get (also what the queue stores): source,
 * event, model, version, alias or stage when set, dedupe_key.
 */
void mg_relay_payload(const struct mg_relay_source *src, const struct mg_relay_event *ev,
                      struct mg_buf *out);

/*
 * The body to POST to `t` for a stored payload (mg_relay_payload's JSON):
 * GitHub dispatch {"event_type", "client_payload": payload}, GitHub
 * workflow {"ref", "inputs"} (templates "{model}" etc. filled from the
 * payload), Azure the payload itself. Returns -1 when the payload is not
 * an object (a damaged queue row).
 */
int mg_relay_forward_body(const struct mg_relay_target *t, const char *payload, struct mg_buf *out);

/* hex(HMAC-SHA1(key, body)) into out[41] (Azure's checksum header). */
void mg_relay_hmac_sha1_hex(const char *key, const void *body, size_t len, char out[41]);

/* hex(HMAC-SHA256(key, body)) into out[65]. */
void mg_relay_hmac_sha256_hex(const char *key, const void *body, size_t len, char out[65]);

/* Append `s` as a JSON string (quotes included). */
void mg_relay_json_str(struct mg_buf *out, const char *s);

#endif
