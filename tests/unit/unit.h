/*
 * CUnit test registry: each tests/unit/test_<module>.c defines one
 * `const struct unit_suite unit_suite_<module>`, listed in main.c.
 * Test names follow test_<module>__<case>.
 */
#ifndef MG_UNIT_H
#define MG_UNIT_H

#include "setup.h"

#include <CUnit/CUnit.h>

struct unit_test {
	const char *name;
	void (*fn)(void);
};

struct unit_suite {
	const char *name;
	int (*init)(void);             /* may be NULL */
	int (*cleanup)(void);          /* may be NULL */
	const struct unit_test *tests; /* ended by { NULL, NULL } */
};

#define UNIT_TEST(fn)   \
	{               \
#fn, fn \
	}
#define UNIT_END           \
	{                  \
		NULL, NULL \
	}

/* CU_ASSERT_STRING_EQUAL without the casts at every call */
#define ASSERT_STR(actual, expected) CU_ASSERT_STRING_EQUAL((actual), (expected))

/* The suites, one per tests/unit/test_<module>.c, listed by the Makefile. */
#define UNIT_SUITE(name) extern const struct unit_suite unit_suite_##name;
#include "unit_suites.h"
#undef UNIT_SUITE

/* A fresh temporary directory for a test (owned by the caller: unit_rmtree it). */
char *unit_tmpdir(void);
/* Remove `dir` and everything in it. */
void unit_rmtree(const char *dir);

struct sqlite3;

/*
 * An empty MLflow registry (MLflow's own DDL, fixtures/registry/) in a fresh
 * temporary directory: *dir, *path (the database) and *uri
 * ("sqlite:///PATH") are the caller's to free (unit_rmtree the directory),
 * *db is open on it (sqlite3_close). Tests run from the repository root.
 */
int unit_mlflow_db(char **dir, char **path, char **uri, struct sqlite3 **db);
/* sqlite3_exec, printing SQLite's message when it fails. */
int unit_sql(struct sqlite3 *db, const char *sql);

/* One canned answer of the loopback HTTP stub (httpstub.c). */
struct unit_http_answer {
	int status;
	const char *content_type;
	const char *body;
};

struct unit_http_stub {
	int pid;   /* the serving child */
	char *url; /* "http://127.0.0.1:PORT" */
	char *dir; /* temporary directory holding the log */
	char *log; /* every request as received, each followed by "\n----\n" */
};

/*
 * Serve `answers` on loopback from a forked child, connection i getting
 * answers[i] (borrowed: they must outlive the call only, the child has its
 * copy). Stop it with unit_http_stub_stop(), which also frees `s`'s fields.
 */
int unit_http_stub_start(struct unit_http_stub *s, const struct unit_http_answer *answers,
                         size_t n);
/* The requests received so far (caller frees). */
char *unit_http_stub_requests(const struct unit_http_stub *s);
void unit_http_stub_stop(struct unit_http_stub *s);

#endif
