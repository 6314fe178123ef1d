#include "setup.h"
#include "relay_queue.h"
#include "alloc.h"
#include "clock.h"
#include "relay_event.h"

#include <sqlite3.h>
#include <unistd.h>

enum {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_SEEN,
	ST_JOB,
	ST_NEXT,
	ST_DUE,
	ST_DONE,
	ST_FAILED,
	ST_COUNT
};

static const char *const sql[ST_COUNT] = {
        [ST_BEGIN] = "BEGIN IMMEDIATE",
        [ST_COMMIT] = "COMMIT",
        [ST_ROLLBACK] = "ROLLBACK",
        [ST_SEEN] = "INSERT INTO seen(key, at) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
        [ST_JOB] =
                "INSERT INTO jobs(key, target, payload, state, tries, next_at, created, updated) "
                "VALUES (?1, ?2, ?3, 'queued', 0, ?4, ?4, ?4)",
        [ST_NEXT] = "SELECT id, target, key, payload, tries FROM jobs "
                    "WHERE state = 'queued' AND next_at <= ?1 ORDER BY next_at, id LIMIT 1",
        [ST_DUE] = "SELECT min(next_at) FROM jobs WHERE state = 'queued'",
        [ST_DONE] = "UPDATE jobs SET state = 'done', tries = tries + 1, last_status = ?2, "
                    "last_error = NULL, updated = ?3 WHERE id = ?1",
        [ST_FAILED] = "UPDATE jobs SET state = CASE WHEN ?4 < 0 THEN 'dead' ELSE 'queued' END, "
                      "tries = tries + 1, last_status = ?2, last_error = ?3, "
                      "next_at = CASE WHEN ?4 < 0 THEN next_at ELSE ?4 END, updated = ?5 "
                      "WHERE id = ?1",
};

static const char schema[] =
        "CREATE TABLE IF NOT EXISTS seen(key TEXT PRIMARY KEY, at REAL NOT NULL) WITHOUT ROWID;"
        "CREATE TABLE IF NOT EXISTS jobs(id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " key TEXT NOT NULL, target TEXT NOT NULL, payload TEXT NOT NULL,"
        " state TEXT NOT NULL CHECK (state IN ('queued', 'done', 'dead')),"
        " tries INTEGER NOT NULL, next_at REAL NOT NULL, created REAL NOT NULL,"
        " updated REAL NOT NULL, last_status INTEGER, last_error TEXT);"
        "CREATE INDEX IF NOT EXISTS jobs_due ON jobs(state, next_at);"
        "PRAGMA user_version = 1;";

struct mg_relay_queue {
	sqlite3 *db;
	char *path;
	sqlite3_stmt *st[ST_COUNT];
};

static int fail(struct mg_relay_queue *q, const char *what, struct mg_err *err)
{
	return mg_err_set(err, MG_EXIT_INFRA, "relay queue '%s': %s: %s", q->path, what,
	                  sqlite3_errmsg(q->db));
}

static int run(struct mg_relay_queue *q, int which, struct mg_err *err)
{
	sqlite3_stmt *s = q->st[which];
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return fail(q, sql[which], err);
	return 0;
}

int mg_relay_queue_open(const char *path, bool create, struct mg_relay_queue **out,
                        struct mg_err *err)
{
	struct mg_relay_queue *q = mg_xcalloc(1, sizeof(*q));
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);

	*out = NULL;
	q->path = mg_xstrdup(path);
	if (sqlite3_open_v2(path, &q->db, flags, NULL) != SQLITE_OK) {
		if (!create && access(path, F_OK))
			mg_err_set(err, MG_EXIT_USAGE,
			           "relay queue '%s' does not exist (mlgate-relay serve makes it)",
			           path);
		else
			fail(q, "cannot open", err);
		goto fail;
	}
	sqlite3_busy_timeout(q->db, 10000);
	if (sqlite3_exec(q->db,
	                 "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
	                 "PRAGMA foreign_keys = ON;",
	                 NULL, NULL, NULL) != SQLITE_OK ||
	    (create && sqlite3_exec(q->db, schema, NULL, NULL, NULL) != SQLITE_OK)) {
		fail(q, "cannot set up", err);
		goto fail;
	}
	for (int i = 0; i < ST_COUNT; i++) {
		if (sqlite3_prepare_v3(q->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &q->st[i],
		                       NULL) != SQLITE_OK) {
			fail(q, "not a relay queue", err);
			goto fail;
		}
	}
	*out = q;
	return 0;
fail:
	mg_relay_queue_close(q);
	return -1;
}

void mg_relay_queue_close(struct mg_relay_queue *q)
{
	if (!q)
		return;
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(q->st[i]);
	sqlite3_close(q->db);
	free(q->path);
	free(q);
}

int mg_relay_queue_add(struct mg_relay_queue *q, struct mg_relay_item *items, size_t n, double now,
                       struct mg_err *err)
{
	if (run(q, ST_BEGIN, err))
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct mg_relay_item *it = &items[i];
		sqlite3_stmt *s = q->st[ST_SEEN];

		sqlite3_bind_text(s, 1, it->key, -1, SQLITE_STATIC);
		sqlite3_bind_double(s, 2, now);
		if (run(q, ST_SEEN, err))
			goto rollback;
		it->duplicate = sqlite3_changes(q->db) == 0;
		if (it->duplicate)
			continue;
		for (size_t k = 0; k < it->ntargets; k++) {
			s = q->st[ST_JOB];
			sqlite3_bind_text(s, 1, it->key, -1, SQLITE_STATIC);
			sqlite3_bind_text(s, 2, it->targets[k], -1, SQLITE_STATIC);
			sqlite3_bind_text(s, 3, it->payload, -1, SQLITE_STATIC);
			sqlite3_bind_double(s, 4, now);
			if (run(q, ST_JOB, err))
				goto rollback;
		}
	}
	if (run(q, ST_COMMIT, err))
		goto rollback;
	return 0;
rollback:
	sqlite3_step(q->st[ST_ROLLBACK]);
	sqlite3_reset(q->st[ST_ROLLBACK]);
	return -1;
}

void mg_relay_job_release(struct mg_relay_job *job)
{
	MG_FREE_AND_NULL(job->payload);
}

static void copy_col(sqlite3_stmt *s, int col, char *out, size_t size)
{
	const unsigned char *t = sqlite3_column_text(s, col);

	snprintf(out, size, "%s", t ? (const char *)t : "");
}

int mg_relay_queue_next(struct mg_relay_queue *q, double now, struct mg_relay_job *job,
                        double *next_due, struct mg_err *err)
{
	sqlite3_stmt *s = q->st[ST_NEXT];
	int rc;

	*next_due = -1;
	sqlite3_bind_double(s, 1, now);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		job->id = sqlite3_column_int64(s, 0);
		copy_col(s, 1, job->target, sizeof(job->target));
		copy_col(s, 2, job->key, sizeof(job->key));
		job->payload = mg_xstrdup((const char *)sqlite3_column_text(s, 3));
		job->tries = (long)sqlite3_column_int64(s, 4);
		sqlite3_reset(s);
		return 1;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return fail(q, "cannot read the next job", err);
	s = q->st[ST_DUE];
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
		*next_due = sqlite3_column_double(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(q, "cannot read the next job", err);
	return 0;
}

int mg_relay_queue_done(struct mg_relay_queue *q, int64_t id, long status, double now,
                        struct mg_err *err)
{
	sqlite3_stmt *s = q->st[ST_DONE];

	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, status);
	sqlite3_bind_double(s, 3, now);
	return run(q, ST_DONE, err);
}

int mg_relay_queue_failed(struct mg_relay_queue *q, int64_t id, long status, const char *why,
                          double next_at, double now, struct mg_err *err)
{
	sqlite3_stmt *s = q->st[ST_FAILED];

	sqlite3_bind_int64(s, 1, id);
	if (status)
		sqlite3_bind_int64(s, 2, status);
	else
		sqlite3_bind_null(s, 2);
	sqlite3_bind_text(s, 3, why, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(s, 4, next_at);
	sqlite3_bind_double(s, 5, now);
	return run(q, ST_FAILED, err);
}

int mg_relay_queue_replay(struct mg_relay_queue *q, int64_t id, double now, struct mg_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc, ret = -1;
	char state[16] = "";

	if (sqlite3_prepare_v2(q->db, "SELECT state FROM jobs WHERE id = ?1", -1, &s, NULL) !=
	    SQLITE_OK) {
		fail(q, "cannot read the job", err);
		goto done;
	}
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		copy_col(s, 0, state, sizeof(state));
	else if (rc != SQLITE_DONE) {
		fail(q, "cannot read the job", err);
		goto done;
	}
	if (!*state) {
		mg_err_setr(err, MG_EXIT_USAGE, MG_REASON_NOT_FOUND,
		            "relay queue '%s': no job %lld", q->path, (long long)id);
		goto done;
	}
	if (!strcmp(state, "done")) {
		mg_err_set(err, MG_EXIT_USAGE,
		           "relay queue '%s': job %lld was delivered (its target answered 2xx): "
		           "nothing to replay",
		           q->path, (long long)id);
		goto done;
	}
	sqlite3_finalize(s);
	s = NULL;
	if (sqlite3_prepare_v2(q->db,
	                       "UPDATE jobs SET state = 'queued', tries = 0, next_at = ?2, "
	                       "updated = ?2 WHERE id = ?1 AND state != 'done'",
	                       -1, &s, NULL) != SQLITE_OK) {
		fail(q, "cannot replay the job", err);
		goto done;
	}
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_double(s, 2, now);
	if (sqlite3_step(s) != SQLITE_DONE) {
		fail(q, "cannot replay the job", err);
		goto done;
	}
	ret = 0;
done:
	sqlite3_finalize(s);
	return ret;
}

int mg_relay_queue_list(struct mg_relay_queue *q, bool all, bool json, struct mg_buf *out,
                        struct mg_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;
	bool first = true;

	if (sqlite3_prepare_v2(
	            q->db,
	            all ? "SELECT id, state, tries, target, key, last_status, "
	                  "coalesce(last_error, ''), updated, payload FROM jobs ORDER BY id"
	                : "SELECT id, state, tries, target, key, last_status, "
	                  "coalesce(last_error, ''), updated, payload FROM jobs "
	                  "WHERE state != 'done' ORDER BY id",
	            -1, &s, NULL) != SQLITE_OK)
		return fail(q, "cannot list the jobs", err);
	if (json)
		mg_buf_addch(out, '[');
	else
		mg_buf_addf(out, "%-6s %-6s %5s %-16s %-6s %-20s %s\n", "ID", "STATE", "TRIES",
		            "TARGET", "LAST", "UPDATED", "KEY / LAST ERROR");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		char when[MG_TIME_LEN], status[16] = "-";
		const char *state = (const char *)sqlite3_column_text(s, 1);
		const char *target = (const char *)sqlite3_column_text(s, 3);
		const char *key = (const char *)sqlite3_column_text(s, 4);
		const char *why = (const char *)sqlite3_column_text(s, 6);

		if (sqlite3_column_type(s, 5) != SQLITE_NULL)
			snprintf(status, sizeof(status), "%lld", sqlite3_column_int64(s, 5));
		mg_time_format((time_t)sqlite3_column_double(s, 7), MG_TIME_ZULU, when);
		if (json) {
			mg_buf_addf(out, "%s\n{\"id\":%lld,\"state\":", first ? "" : ",",
			            sqlite3_column_int64(s, 0));
			mg_relay_json_str(out, state);
			mg_buf_addf(out, ",\"tries\":%lld,\"target\":", sqlite3_column_int64(s, 2));
			mg_relay_json_str(out, target);
			mg_buf_adds(out, ",\"key\":");
			mg_relay_json_str(out, key);
			mg_buf_addf(out, ",\"last_status\":%s,\"last_error\":",
			            strcmp(status, "-") ? status : "null");
			mg_relay_json_str(out, why);
			mg_buf_adds(out, ",\"updated\":");
			mg_relay_json_str(out, when);
			mg_buf_addf(out, ",\"payload\":%s}", sqlite3_column_text(s, 8));
		} else {
			mg_buf_addf(out, "%-6lld %-6s %5lld %-16s %-6s %-20s %s%s%s\n",
			            sqlite3_column_int64(s, 0), state, sqlite3_column_int64(s, 2),
			            target, status, when, key, *why ? " / " : "", why);
		}
		first = false;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return fail(q, "cannot list the jobs", err);
	if (json)
		mg_buf_adds(out, "\n]\n");
	return 0;
}

int mg_relay_queue_counts(struct mg_relay_queue *q, long long *queued, long long *dead,
                          struct mg_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*queued = *dead = 0;
	if (sqlite3_prepare_v2(q->db,
	                       "SELECT coalesce(sum(state = 'queued'), 0), "
	                       "coalesce(sum(state = 'dead'), 0) FROM jobs",
	                       -1, &s, NULL) != SQLITE_OK)
		return fail(q, "cannot count the jobs", err);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*queued = sqlite3_column_int64(s, 0);
		*dead = sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : fail(q, "cannot count the jobs", err);
}

int mg_relay_queue_prune(struct mg_relay_queue *q, double before, struct mg_err *err)
{
	sqlite3_stmt *s = NULL;
	static const char *const stmts[] = {
	        "DELETE FROM jobs WHERE state = 'done' AND updated < ?1",
	        "DELETE FROM seen WHERE at < ?1",
	};

	for (size_t i = 0; i < 2; i++) {
		if (sqlite3_prepare_v2(q->db, stmts[i], -1, &s, NULL) != SQLITE_OK)
			return fail(q, "cannot prune", err);
		sqlite3_bind_double(s, 1, before);
		if (sqlite3_step(s) != SQLITE_DONE) {
			sqlite3_finalize(s);
			return fail(q, "cannot prune", err);
		}
		sqlite3_finalize(s);
	}
	return 0;
}
