/*
 * mlgate-relay serve: the HTTP server (libmicrohttpd, one polling thread),
 * the committer thread (group commit: every delivery verified while the
 * previous transaction was being fsync'd goes into the next one, and each
 * is answered 2xx only after its commit) and the forwarding worker thread
 * (libcurl via lib/http, one attempt per try; backoff with jitter and
 * Retry-After kept in the queue, so a restart keeps them).
 *
 *   POST /hooks/SOURCE   a delivery from the configured source SOURCE
 *   GET  /healthz        200 "ok" while the queue can be read, else 503
 *   GET  /metrics        Prometheus text format
 *
 * Answers: 202 queued, 200 ignored (no route), 400 malformed or a header
 * missing, 401 bad signature or stale timestamp, 404, 405, 409 a replayed
 * delivery, 413 too large, 415 not JSON, 422 a name outside the allowed
 * characters, 503 the queue could not be written (the sender retries).
 * Runs until SIGINT or SIGTERM, then stops taking connections, commits and
 * answers what it holds, lets the worker finish its forward and returns 0.
 */
#ifndef MG_RELAY_SERVER_H
#define MG_RELAY_SERVER_H

#include "setup.h"
#include "ctx.h"
#include "err.h"
#include "relay_config.h"

/* Serve `cfg` (resolved) until a signal. MG_EXIT_INFRA when it cannot listen or open its queue. */
int mg_relay_serve(const struct mg_relay_config *cfg, struct mg_ctx *ctx, struct mg_err *err);

#endif
