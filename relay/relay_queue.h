/*
 * The relay's durable queue: one SQLite file in WAL mode with
 * synchronous=FULL, so a delivery the relay has answered 2xx is on disk
 * (fsync'd) before the answer leaves. Many deliveries arriving together
 * share one transaction (mg_relay_queue_add takes a batch: one fsync for
 * all of them).
 *
 * Tables: `seen` (every accepted delivery's replay key and when), `jobs`
 * (one per delivery and target: its payload, state queued|done|dead, tries,
 * when it is next due, the last answer). A job is marked done as soon as
 * its target answered 2xx, in its own transaction, and only done jobs are
 * ever pruned: a restart, even after SIGKILL, finds every job that was not
 * acknowledged and sends it again. The one gap: a kill between the target's
 * 2xx and that commit sends the job once more, with the same dedupe key
 * (X-Mlgate-Delivery and the payload's dedupe_key) for the target to drop.
 *
 * One struct mg_relay_queue per thread (a SQLite connection each); the file
 * may be open in several processes (`status`, `replay` beside `serve`).
 */
#ifndef MG_RELAY_QUEUE_H
#define MG_RELAY_QUEUE_H

#include "setup.h"
#include "buf.h"
#include "err.h"

struct mg_relay_queue;

/* Open (creating it and its tables when `create`) the queue at `path`. MG_EXIT_INFRA on failure. */
int mg_relay_queue_open(const char *path, bool create, struct mg_relay_queue **out,
                        struct mg_err *err);
void mg_relay_queue_close(struct mg_relay_queue *q);

/* One delivery to add: its replay key, its payload, the names of its targets. */
struct mg_relay_item {
	const char *key;
	const char *payload;
	const char *const *targets;
	size_t ntargets;
	bool duplicate; /* out: the key was seen before; nothing added */
};

/*
 * Add `n` deliveries in one transaction (one fsync): each whose key is new
 * gets a queued job per target, due at `now`. Returns 0 when the
 * transaction committed (every item's `duplicate` is set), -1 when nothing
 * was written.
 */
int mg_relay_queue_add(struct mg_relay_queue *q, struct mg_relay_item *items, size_t n, double now,
                       struct mg_err *err);

struct mg_relay_job {
	int64_t id;
	char target[80];
	char key[96];
	char *payload; /* owned; freed by mg_relay_job_release */
	long tries;    /* forwards tried so far */
};
void mg_relay_job_release(struct mg_relay_job *job);

/*
 * The queued job due first if it is due at `now`: returns 1 with `job`
 * filled, 0 when none is due (*next_due: when the next one is, or -1 when
 * none is queued), -1 on error.
 */
int mg_relay_queue_next(struct mg_relay_queue *q, double now, struct mg_relay_job *job,
                        double *next_due, struct mg_err *err);

/* The target answered 2xx: the job is done (committed before this returns). */
int mg_relay_queue_done(struct mg_relay_queue *q, int64_t id, long status, double now,
                        struct mg_err *err);

/*
 * A forward failed (`status` 0 when no answer came, `why` a short reason):
 * the job is due again at `next_at`, or dead when `next_at` < 0.
 */
int mg_relay_queue_failed(struct mg_relay_queue *q, int64_t id, long status, const char *why,
                          double next_at, double now, struct mg_err *err);

/*
 * Queue a dead (or queued) job again at `now` with its tries reset. A job
 * that is done, or does not exist, is MG_EXIT_USAGE.
 */
int mg_relay_queue_replay(struct mg_relay_queue *q, int64_t id, double now, struct mg_err *err);

/*
 * Append the jobs (queued and dead, or all with `all`) as text, one per
 * line after a header line, or as a JSON array with `json`.
 */
int mg_relay_queue_list(struct mg_relay_queue *q, bool all, bool json, struct mg_buf *out,
                        struct mg_err *err);

/* Jobs per state: queued, dead. */
int mg_relay_queue_counts(struct mg_relay_queue *q, long long *queued, long long *dead,
                          struct mg_err *err);

/* Forget done jobs and seen keys older than `before`. */
int mg_relay_queue_prune(struct mg_relay_queue *q, double before, struct mg_err *err);

#endif
