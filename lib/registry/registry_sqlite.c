/*
 * The SQLite registry backend: MLflow's own SQLite store (the default
 * tracking and registry store since MLflow 3.7), read and written directly
 * with libsqlite3 on MLflow's schema.
 *
 * Every write mirrors what MLflow's SQLAlchemy stores do for the same call
 * (mlflow/store/model_registry/sqlalchemy_store.py and
 * mlflow/store/tracking/sqlalchemy_store.py of MLflow 3.17.2), in one
 * BEGIN IMMEDIATE transaction; every read fills the structs as MLflow's REST
 * API returns the same rows. The file is never created: a registry is made
 * by MLflow (its first client call or `mlflow server` creates the schema).
 *
 * Schema: alembic_version must hold a revision this file knows to have the
 * tables and columns used here (see supported_revisions), and those columns
 * are checked with pragma_table_info on open. Anything else is refused with
 * one line, never guessed at.
 *
 * Locking: a busy database is waited for (sqlite3_busy_timeout, 30 s or
 * MLGATE_SQLITE_TIMEOUT seconds), then MG_EXIT_INFRA.
 */
#include "setup.h"
#include "registry_backend.h"
#include "alloc.h"
#include "buf.h"
#include "mvfilter.h"
#include "parse.h"

#include <assert.h>
#include <fcntl.h>
#include <math.h>
#include <sqlite3.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TIMEOUT_ENV     "MLGATE_SQLITE_TIMEOUT"
#define TIMEOUT_DEFAULT 30.0
#define TIMEOUT_MAX     3600.0

#define DEFAULT_PAGE_SIZE 1000
#define HISTORY_PAGE_SIZE 1000

/* MLflow's constants (model_version_stages.py, mlflow_tags.py, prompt/constants.py). */
#define STAGE_DELETED_INTERNAL "Deleted_Internal"
#define TAG_RUN_NAME           "mlflow.runName"
#define TAG_USER               "mlflow.user"
#define TAG_IS_PROMPT          "mlflow.prompt.is_prompt"

/* MLflow's validation limits (mlflow/utils/validation.py), in characters. */
#define MAX_ENTITY_KEY_LENGTH               250
#define MAX_PARAM_VAL_LENGTH                6000
#define MAX_TAG_VAL_LENGTH                  8000
#define MAX_MODEL_REGISTRY_TAG_KEY_LENGTH   250
#define MAX_MODEL_REGISTRY_TAG_VALUE_LENGTH 100000
#define MAX_REGISTERED_MODEL_ALIAS_LENGTH   255
#define MAX_EXPERIMENT_NAME_LENGTH          500
#define MAX_METRICS_PER_BATCH               1000
#define MAX_PARAMS_TAGS_PER_BATCH           100
#define MAX_ENTITIES_PER_BATCH              1000

/*
 * Alembic revisions whose layout of the tables used here is the one this
 * file reads and writes: from 1b5f0d9ad7c1 (MLflow's "add workspace columns",
 * which put `workspace` into the registry tables and experiments) up to
 * dc11669786a5, the head of MLflow 3.17.2. No migration in between touches
 * a column used here (only indexes and other tables), so every MLflow 3.x
 * release whose head is in this list has the same layout.
 */
static const char *const supported_revisions[] = {
        "1b5f0d9ad7c1", "e1f2a3b4c5d6", "76601a5f987d", "c3d6457b6d8a", "a5b4c3d2e1f0",
        "ae8bbe7743c9", "7d34483879f0", "da6fb0208061", "89d3d66ed43f", "b7e4c1a90f23",
        "a8b9c0d1e2f3", "c1d2e3f4a5b6", "c3d9e7f1a2b4", "6f8d9c3b2a1e", "1971f2d9a75b",
        "17e22815139b", "b7e2c1a4d9f3", "75868b020152", "dc11669786a5",
};

/* Older MLflow revisions (before the workspace columns): refused, with a hint. */
static const char *const older_revisions[] = {
        "c8d9e0f1a2b3", "d3e4f5a6b7c8", "d0e1f2a3b4c5",  "2c33131f4dae", "c9d4e5f6a7b8",
        "5d2d30f0abce", "b7c8d9e0f1a2", "1bd49d398cd23", "bf29a5ff90ea", "3da73c924c2f",
        "71994744cf8e", "534353b11cbc", "1a0cddfcaa16",  "de4033877273", "a1b2c3d4e5f6",
        "770bee3ae1dd", "cbc13b556ace", "bda7b8c39065",  "6953534de441", "400f98739977",
        "0584bdc529eb", "f5a4f2784254", "4465047574b1",  "5b0e9adcef9c", "867495a8f9d4",
        "acf3f17fdcc7", "2d6e25af4d3e", "7f2a7d5fae7d",  "3500859a5d39", "97727af70f4d",
        "cc1f77228345", "0c779009ac13", "bd07f7e963c5",  "c48cb773bb87", "39d1c3be5f05",
        "a8c4a736bde6", "84291f40a231", "27a6a02d2cf1",  "728d730b5ebd", "0a8213491aaa",
        "cfd24bdc0731", "2b4d017a5e9b", "89d4b8295536",  "7ac759974ad8", "df50e92ffc5e",
        "181f10493468", "90e64c465722", "451aebb31d03",
};

/* The tables and columns this file uses. */
static const struct {
	const char *table;
	const char *columns[15];
} schema[] = {
        {"registered_models",
         {"workspace", "name", "creation_time", "last_updated_time", "description"}},
        {"model_versions",
         {"workspace", "name", "version", "creation_time", "last_updated_time", "description",
          "user_id", "current_stage", "source", "run_id", "status", "status_message", "run_link"}},
        {"model_version_tags", {"workspace", "key", "value", "name", "version"}},
        {"registered_model_tags", {"workspace", "key", "value", "name"}},
        {"registered_model_aliases", {"workspace", "name", "alias", "version"}},
        {"experiments",
         {"experiment_id", "name", "artifact_location", "lifecycle_stage", "creation_time",
          "last_update_time", "workspace"}},
        {"runs",
         {"run_uuid", "name", "source_type", "source_name", "entry_point_name", "user_id", "status",
          "start_time", "end_time", "deleted_time", "source_version", "lifecycle_stage",
          "artifact_uri", "experiment_id"}},
        {"metrics", {"key", "value", "timestamp", "run_uuid", "step", "is_nan"}},
        {"latest_metrics", {"key", "value", "timestamp", "step", "is_nan", "run_uuid"}},
        {"params", {"key", "value", "run_uuid"}},
        {"tags", {"key", "value", "run_uuid"}},
};

struct sq {
	sqlite3 *db;
	char *path;               /* the database file, for messages */
	double timeout_s;         /* how long a busy database is waited for */
	sqlite3_stmt *st_tags;    /* a version's tags, cached */
	sqlite3_stmt *st_aliases; /* a version's aliases, cached */
};

static struct sq *impl(struct mg_registry *reg)
{
	return reg->impl;
}

/* --- errors --------------------------------------------------------------- */

static bool is_busy(int rc)
{
	return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
}

/* A failed libsqlite3 call: MG_EXIT_INFRA naming the database and what failed. */
static int db_fail(struct sq *sq, int rc, const char *doing, struct mg_err *err)
{
	if ((rc & 0xff) == SQLITE_NOTADB)
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "registry database '%s' is not an SQLite database", sq->path);
	if (is_busy(rc))
		return mg_err_set(err, MG_EXIT_INFRA,
		                  "registry database '%s' is locked by another process: gave up "
		                  "%s after %g s (%s)",
		                  sq->path, doing, sq->timeout_s, TIMEOUT_ENV);
	return mg_err_set(err, MG_EXIT_INFRA, "registry database '%s': %s failed: %s", sq->path,
	                  doing, sqlite3_errmsg(sq->db));
}

static int not_found(struct mg_err *err, const char *fmt, ...) MG_PRINTF(2, 3);

static int not_found(struct mg_err *err, const char *fmt, ...)
{
	char msg[MG_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return mg_err_setr(err, MG_EXIT_USAGE, MG_REASON_NOT_FOUND, "%s", msg);
}

/* --- statements ----------------------------------------------------------- */

static int prepare(struct sq *sq, const char *sql, sqlite3_stmt **st, struct mg_err *err)
{
	int rc = sqlite3_prepare_v2(sq->db, sql, -1, st, NULL);

	if (rc != SQLITE_OK) {
		*st = NULL;
		return db_fail(sq, rc, "preparing a query", err);
	}
	return 0;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

/* Step once: 1 a row, 0 done, -1 failed (err set). */
static int step(struct sq *sq, sqlite3_stmt *st, const char *doing, struct mg_err *err)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return db_fail(sq, rc, doing, err);
}

/* Run a statement to its end (writes). */
static int run_stmt(struct sq *sq, sqlite3_stmt *st, const char *doing, struct mg_err *err)
{
	int rc;

	while ((rc = step(sq, st, doing, err)) == 1)
		;
	return rc;
}

/* Bind ?1, ?2, ... as `types` says: 't' a string, 'T' a string and its size_t length, 'i' an
 * int64_t, 'd' a double. */
static void vbind(sqlite3_stmt *st, const char *types, va_list ap)
{
	for (int i = 1; types[i - 1]; i++) {
		const char *s;

		switch (types[i - 1]) {
		case 't':
			bind_text(st, i, va_arg(ap, const char *));
			break;
		case 'T':
			s = va_arg(ap, const char *);
			sqlite3_bind_text(st, i, s, (int)va_arg(ap, size_t), SQLITE_TRANSIENT);
			break;
		case 'd':
			sqlite3_bind_double(st, i, va_arg(ap, double));
			break;
		default:
			assert(types[i - 1] == 'i');
			sqlite3_bind_int64(st, i, va_arg(ap, int64_t));
			break;
		}
	}
}

/* Prepare `sql` into *st and bind its parameters (vbind): a query ready to step. */
static int sql_query(struct sq *sq, sqlite3_stmt **st, struct mg_err *err, const char *sql,
                     const char *types, ...)
{
	va_list ap;

	if (prepare(sq, sql, st, err))
		return -1;
	va_start(ap, types);
	vbind(*st, types, ap);
	va_end(ap);
	return 0;
}

/* Prepare, bind (vbind) and run `sql` to its end: one write statement in one call. */
static int sql_exec(struct sq *sq, const char *doing, struct mg_err *err, const char *sql,
                    const char *types, ...)
{
	sqlite3_stmt *st = NULL;
	va_list ap;
	int ret;

	if (prepare(sq, sql, &st, err))
		return -1;
	va_start(ap, types);
	vbind(st, types, ap);
	va_end(ap);
	ret = run_stmt(sq, st, doing, err);
	sqlite3_finalize(st);
	return ret;
}

/* Every (key, value) row of a query bound as vbind says, into `out` (finalized after). */
static int sql_kvlist(struct sq *sq, const char *doing, struct mg_kvlist *out, struct mg_err *err,
                      const char *sql, const char *types, ...)
{
	sqlite3_stmt *st = NULL;
	va_list ap;
	int rc;

	if (prepare(sq, sql, &st, err))
		return -1;
	va_start(ap, types);
	vbind(st, types, ap);
	va_end(ap);
	while ((rc = step(sq, st, doing, err)) == 1)
		mg_kvlist_set(out, (const char *)sqlite3_column_text(st, 0),
		              (const char *)sqlite3_column_text(st, 1));
	sqlite3_finalize(st);
	return rc;
}

static int exec(struct sq *sq, const char *sql, const char *doing, struct mg_err *err)
{
	int rc = sqlite3_exec(sq->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : db_fail(sq, rc, doing, err);
}

static char *col_str(sqlite3_stmt *st, int i)
{
	return mg_registry_strdup((const char *)sqlite3_column_text(st, i));
}

static int64_t col_i64(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, i);
}

/* --- transactions --------------------------------------------------------- */

/* A consistent snapshot for a read made of several statements. */
static int begin_read(struct sq *sq, struct mg_err *err)
{
	return exec(sq, "BEGIN", "starting a read", err);
}

/* Writes take the write lock first, so they wait for it instead of failing midway. */
static int begin_write(struct sq *sq, struct mg_err *err)
{
	return exec(sq, "BEGIN IMMEDIATE", "taking the write lock", err);
}

static int commit(struct sq *sq, struct mg_err *err)
{
	return exec(sq, "COMMIT", "committing", err);
}

/* End a transaction that failed; nothing of it stays. */
static void rollback(struct sq *sq)
{
	if (!sqlite3_get_autocommit(sq->db))
		sqlite3_exec(sq->db, "ROLLBACK", NULL, NULL, NULL);
}

/* End a read: a read has nothing to keep, so a failed commit is only rolled back. */
static void end_read(struct sq *sq)
{
	if (!sqlite3_get_autocommit(sq->db) &&
	    sqlite3_exec(sq->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		rollback(sq);
}

/* --- time and randomness -------------------------------------------------- */

/* MLflow's get_current_time_millis(): int(time.time() * 1000). */
static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int random_bytes(unsigned char *out, size_t n, struct mg_err *err)
{
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	size_t got = 0;

	if (fd < 0)
		return mg_err_set(err, MG_EXIT_INFRA, "cannot open '/dev/urandom': %s",
		                  strerror(errno));
	while (got < n) {
		ssize_t r = read(fd, out + got, n - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			int e = r < 0 ? errno : EIO;

			close(fd);
			return mg_err_set(err, MG_EXIT_INFRA, "cannot read '/dev/urandom': %s",
			                  strerror(e));
		}
		got += (size_t)r;
	}
	close(fd);
	return 0;
}

/* uuid.uuid4().hex: 32 lower-case hex digits, version 4, RFC 4122 variant. */
static int uuid4_hex(char out[33], struct mg_err *err)
{
	unsigned char b[16];

	if (random_bytes(b, sizeof(b), err))
		return -1;
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	for (size_t i = 0; i < sizeof(b); i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
	return 0;
}

/*
 * MLflow's _generate_random_name(): "predicate-noun-N", N in 0..1000, at most
 * 20 characters (a subset of MLflow's word lists).
 */
static int random_run_name(char out[24], struct mg_err *err)
{
	static const char *const predicates[] = {
	        "able",    "agreeable", "amazing", "bold",     "brave",   "bright",     "calm",
	        "capable", "charming",  "clean",   "clever",   "dapper",  "gentle",     "glamorous",
	        "honest",  "kindly",    "lyrical", "merciful", "nimble",  "polite",     "resilient",
	        "rogue",   "sassy",     "serious", "smiling",  "stylish", "thoughtful", "unique",
	};
	static const char *const nouns[] = {
	        "ant",   "ape",   "asp",  "auk",  "bass",  "bat",   "bear",  "bee",   "bird",
	        "boar",  "bug",   "calf", "carp", "cat",   "cod",   "colt",  "crab",  "crow",
	        "deer",  "doe",   "dog",  "dove", "duck",  "eel",   "elk",   "fawn",  "finch",
	        "fly",   "foal",  "fox",  "frog", "gnat",  "goat",  "hare",  "hawk",  "hen",
	        "hog",   "jay",   "koi",  "lamb", "lark",  "lynx",  "mink",  "mole",  "moth",
	        "mouse", "mule",  "newt", "owl",  "ox",    "panda", "perch", "pig",   "pug",
	        "ram",   "rat",   "ray",  "seal", "shark", "shrew", "skink", "sloth", "slug",
	        "snail", "squid", "stag", "swan", "toad",  "trout", "vole",  "wasp",  "whale",
	        "wolf",  "worm",  "wren", "yak",  "zebra",
	};
	unsigned char b[4];
	unsigned n;

	if (random_bytes(b, sizeof(b), err))
		return -1;
	n = ((unsigned)b[2] << 8 | b[3]) % 1001;
	snprintf(out, 24, "%s-%s-%u", predicates[b[0] % MG_ARRAY_SIZE(predicates)],
	         nouns[b[1] % MG_ARRAY_SIZE(nouns)], n);
	out[20] = '\0';
	return 0;
}

/* --- MLflow's validation (mlflow/utils/validation.py) ---------------------- */

/* Python's len() of a UTF-8 string: its code points. */
static size_t utf8_len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* The byte length of the first `chars` code points of `s`. */
static size_t utf8_prefix(const char *s, size_t chars)
{
	const char *p = s;

	for (; *p; p++) {
		if (((unsigned char)*p & 0xc0) != 0x80) {
			if (!chars)
				break;
			chars--;
		}
	}
	return (size_t)(p - s);
}

/*
 * Python's \w on one byte. Non-ASCII bytes are taken as word characters: a
 * UTF-8 letter or digit is one for Python; a non-ASCII symbol MLflow would
 * refuse is accepted here (an approximation, on the permissive side).
 */
static bool is_word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c >= 0x80;
}

/* path_not_unique(): normpath(name) != name, or ".", or a leading ".." or "/". */
static bool path_not_unique(const char *name)
{
	const char *p = name;

	if (!*name || name[0] == '/' || !strncmp(name, "..", 2))
		return true;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);

		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return true;
		if (!slash)
			return false;
		p = slash + 1;
	}
}

/* _validate_tag_name() / _validate_param_name() / _validate_metric_name(). */
static int check_key_name(const char *what, const char *name, struct mg_err *err)
{
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if (!is_word_byte(*p) && !strchr("/.- :", *p))
			return mg_err_set(
			        err, MG_EXIT_USAGE,
			        "invalid %s '%.200s': names may only contain "
			        "alphanumerics, underscores (_), dashes (-), periods (.), "
			        "spaces ( ), colons (:) and slashes (/)",
			        what, name);
	}
	if (path_not_unique(name))
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "invalid %s '%.200s': names must not resolve to other names "
		                  "when taken as file paths (no empty, '.' or '..' parts, no "
		                  "leading '/' or '..')",
		                  what, name);
	return 0;
}

static int check_length(const char *what, const char *s, size_t max, struct mg_err *err)
{
	if (utf8_len(s) <= max)
		return 0;
	return mg_err_setr(err, MG_EXIT_USAGE, MG_REASON_TOO_LARGE,
	                   "%s '%.60s...' exceeds the maximum length of %zu characters", what, s,
	                   max);
}

/* _validate_model_name(). */
static int check_model_name(const char *name, struct mg_err *err)
{
	bool blank = true;

	for (const char *p = name; *p; p++)
		if (!strchr(" \t\n\r\f\v", *p))
			blank = false;
	if (blank)
		return mg_err_set(err, MG_EXIT_USAGE, "missing model name");
	if (strpbrk(name, "/:"))
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "invalid model name '%.200s': names cannot contain '/' or ':'",
		                  name);
	if (path_not_unique(name))
		return mg_err_set(
		        err, MG_EXIT_USAGE,
		        "invalid model name '%.200s': names must not be '.' or start with "
		        "'..'",
		        name);
	return 0;
}

/* _validate_model_alias_name() and, when setting, _validate_model_alias_name_reserved(). */
static int check_alias(const char *alias, bool setting, struct mg_err *err)
{
	for (const unsigned char *p = (const unsigned char *)alias; *p; p++)
		if (!is_word_byte(*p) && *p != '-')
			return mg_err_set(err, MG_EXIT_USAGE,
			                  "invalid alias '%.200s': aliases may only contain "
			                  "alphanumerics, underscores (_) and dashes (-)",
			                  alias);
	if (check_length("alias", alias, MAX_REGISTERED_MODEL_ALIAS_LENGTH, err))
		return -1;
	if (!setting)
		return 0;
	if (!strcasecmp(alias, "latest"))
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "invalid alias '%s': 'latest' (any case) is reserved", alias);
	if ((alias[0] == 'v' || alias[0] == 'V') && alias[1] &&
	    strspn(alias + 1, "0123456789") == strlen(alias + 1))
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "invalid alias '%.200s': version aliases (v1, V2, ...) are "
		                  "reserved",
		                  alias);
	return 0;
}

static int64_t version_number(const char *version)
{
	/* registry.c has checked it: 1..INT32_MAX, digits only */
	return strtoll(version, NULL, 10);
}

/* --- opening ---------------------------------------------------------------- */

static int parse_timeout(double *out, struct mg_err *err)
{
	const char *v = getenv(TIMEOUT_ENV);

	*out = TIMEOUT_DEFAULT;
	if (!v)
		return 0;
	if (mg_parse_double("environment variable " TIMEOUT_ENV, v, out, err))
		return -1;
	if (*out < 0 || *out > TIMEOUT_MAX)
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "environment variable %s: '%.32s' is out of range (0 to %g "
		                  "seconds)",
		                  TIMEOUT_ENV, v, TIMEOUT_MAX);
	return 0;
}

/*
 * The database file of a SQLAlchemy-style URI: sqlite:///rel.db is rel.db
 * (relative to the working directory), sqlite:////abs.db is /abs.db.
 */
static int uri_path(const char *uri, char **out, struct mg_err *err)
{
	const char *rest = uri + strlen("sqlite://");

	if (*rest != '/' || !rest[1])
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "registry '%.200s': expected sqlite:///relative/path.db or "
		                  "sqlite:////absolute/path.db",
		                  uri);
	rest++;
	if (strchr(rest, '?'))
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "registry '%.200s': query parameters in sqlite URIs are not "
		                  "supported",
		                  uri);
	if (!strcmp(rest, ":memory:"))
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "registry '%.200s': an in-memory database holds no registry",
		                  uri);
	*out = mg_xstrdup(rest);
	return 0;
}

static bool in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s, list[i]))
			return true;
	return false;
}

static int check_revision(struct sq *sq, struct mg_err *err)
{
	sqlite3_stmt *st = NULL;
	char *rev = NULL;
	int rc, ret = -1, rows = 0;

	rc = sqlite3_prepare_v2(sq->db, "SELECT version_num FROM alembic_version", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		if ((rc & 0xff) == SQLITE_NOTADB || is_busy(rc))
			db_fail(sq, rc, "reading the schema", err);
		else if (strstr(sqlite3_errmsg(sq->db), "no such table"))
			mg_err_set(err, MG_EXIT_USAGE,
			           "registry database '%s' is not an MLflow database (it has no "
			           "alembic_version table)",
			           sq->path);
		else
			db_fail(sq, rc, "reading the schema revision", err);
		goto done;
	}
	while ((rc = step(sq, st, "reading the schema revision", err)) == 1) {
		rows++;
		free(rev);
		rev = col_str(st, 0);
	}
	if (rc < 0)
		goto done;
	if (rows != 1) {
		mg_err_set(err, MG_EXIT_USAGE,
		           "registry database '%s' has %d alembic_version rows, expected one: not "
		           "a database MLflow migrated",
		           sq->path, rows);
		goto done;
	}
	if (in_list(rev, supported_revisions, MG_ARRAY_SIZE(supported_revisions))) {
		ret = 0;
	} else if (in_list(rev, older_revisions, MG_ARRAY_SIZE(older_revisions))) {
		mg_err_set(err, MG_EXIT_USAGE,
		           "registry database '%s' has MLflow schema revision %s, older than "
		           "this mlgate supports (1b5f0d9ad7c1 to %s): upgrade it with `mlflow db "
		           "upgrade sqlite:///%s`",
		           sq->path, rev,
		           supported_revisions[MG_ARRAY_SIZE(supported_revisions) - 1], sq->path);
	} else {
		mg_err_set(
		        err, MG_EXIT_USAGE,
		        "registry database '%s' has unknown schema revision '%.40s' (this mlgate "
		        "knows MLflow revisions 1b5f0d9ad7c1 to %s, MLflow 3.17.2): refusing "
		        "to guess its layout",
		        sq->path, rev, supported_revisions[MG_ARRAY_SIZE(supported_revisions) - 1]);
	}
done:
	sqlite3_finalize(st);
	free(rev);
	return ret;
}

static int check_columns(struct sq *sq, struct mg_err *err)
{
	sqlite3_stmt *st = NULL, *table = NULL;
	int ret = -1;

	if (prepare(sq, "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2", &st, err) ||
	    prepare(sq, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1", &table,
	            err))
		goto done;
	for (size_t t = 0; t < MG_ARRAY_SIZE(schema); t++) {
		int rc;

		sqlite3_reset(table);
		bind_text(table, 1, schema[t].table);
		rc = step(sq, table, "reading the schema", err);
		if (rc < 0)
			goto done;
		if (rc == 0) {
			mg_err_set(
			        err, MG_EXIT_USAGE,
			        "registry database '%s' has no table '%s' (not the MLflow layout "
			        "this mlgate knows): refusing to use it",
			        sq->path, schema[t].table);
			goto done;
		}
		for (size_t c = 0; c < MG_ARRAY_SIZE(schema[t].columns) && schema[t].columns[c];
		     c++) {
			sqlite3_reset(st);
			bind_text(st, 1, schema[t].table);
			bind_text(st, 2, schema[t].columns[c]);
			rc = step(sq, st, "reading the schema", err);
			if (rc < 0)
				goto done;
			if (rc == 0) {
				mg_err_set(err, MG_EXIT_USAGE,
				           "registry database '%s': table '%s' has no column '%s' "
				           "(not the MLflow layout this mlgate knows): refusing to "
				           "use it",
				           sq->path, schema[t].table, schema[t].columns[c]);
				goto done;
			}
		}
	}
	ret = 0;
done:
	sqlite3_finalize(st);
	sqlite3_finalize(table);
	return ret;
}

static void sqlite_close(struct mg_registry *reg)
{
	struct sq *sq = impl(reg);

	if (!sq)
		return;
	sqlite3_finalize(sq->st_tags);
	sqlite3_finalize(sq->st_aliases);
	sqlite3_close_v2(sq->db);
	free(sq->path);
	free(sq);
	reg->impl = NULL;
}

/* --- reading versions ------------------------------------------------------- */

#define MV_COLUMNS                                                                           \
	"mv.name, mv.version, mv.creation_time, mv.last_updated_time, mv.description, "      \
	"mv.user_id, mv.current_stage, mv.source, mv.run_id, mv.status, mv.status_message, " \
	"mv.run_link"

/* A model_versions row (MV_COLUMNS) as MLflow's REST API returns it; no tags yet. */
static void row_to_version(sqlite3_stmt *st, struct mg_model_version *mv)
{
	char num[24];

	mg_model_version_release(mv);
	snprintf(num, sizeof(num), "%lld", (long long)sqlite3_column_int64(st, 1));
	mv->name = col_str(st, 0);
	mv->version = mg_xstrdup(num);
	mv->creation_timestamp = col_i64(st, 2);
	mv->last_updated_timestamp = col_i64(st, 3);
	mv->description = col_str(st, 4);
	mv->user_id = col_str(st, 5);
	mv->current_stage = col_str(st, 6);
	mv->source = col_str(st, 7);
	mv->run_id = col_str(st, 8);
	mv->status = col_str(st, 9);
	mv->status_message = col_str(st, 10);
	mv->run_link = col_str(st, 11);
	/* the SQL store does not keep a LoggedModel id (SqlModelVersion has none) */
	mv->model_id = mg_xstrdup("");
}

/*
 * A version's tags (key order) and, with `aliases`, its aliases (alias
 * order). MLflow's search does not fill aliases ("may not have aliases
 * populated for performance reasons"), its other reads do.
 */
static int load_extras(struct mg_registry *reg, struct mg_model_version *mv, bool aliases,
                       struct mg_err *err)
{
	struct sq *sq = impl(reg);
	int64_t v = version_number(mv->version);
	int rc, ret = -1;

	/*
	 * "ORDER BY key || ''": without it SQLite walks the (workspace, key, ...)
	 * primary key for its order, through every tag of the workspace, instead
	 * of sorting the few rows the (workspace, name, version) index finds. The
	 * run queries below do the same for their (key, run_uuid) keys.
	 */
	if (!sq->st_tags &&
	    prepare(sq,
	            "SELECT key, value FROM model_version_tags WHERE workspace = ?1 AND name = ?2 "
	            "AND version = ?3 ORDER BY key || ''",
	            &sq->st_tags, err))
		return -1;
	if (!sq->st_aliases &&
	    prepare(sq,
	            "SELECT alias, version FROM registered_model_aliases WHERE workspace = ?1 AND "
	            "name = ?2 AND version = ?3 ORDER BY alias",
	            &sq->st_aliases, err))
		return -1;
	mg_kvlist_release(&mv->tags);
	mg_kvlist_release(&mv->aliases);
	bind_text(sq->st_tags, 1, reg->workspace);
	bind_text(sq->st_tags, 2, mv->name);
	sqlite3_bind_int64(sq->st_tags, 3, v);
	while ((rc = step(sq, sq->st_tags, "reading version tags", err)) == 1)
		mg_kvlist_set(&mv->tags, (const char *)sqlite3_column_text(sq->st_tags, 0),
		              (const char *)sqlite3_column_text(sq->st_tags, 1));
	if (rc < 0)
		goto done;
	if (!aliases) {
		ret = 0;
		goto done;
	}
	bind_text(sq->st_aliases, 1, reg->workspace);
	bind_text(sq->st_aliases, 2, mv->name);
	sqlite3_bind_int64(sq->st_aliases, 3, v);
	while ((rc = step(sq, sq->st_aliases, "reading aliases", err)) == 1)
		mg_kvlist_set(&mv->aliases, (const char *)sqlite3_column_text(sq->st_aliases, 0),
		              mv->version);
	if (rc < 0)
		goto done;
	ret = 0;
done:
	sqlite3_reset(sq->st_tags);
	sqlite3_reset(sq->st_aliases);
	return ret;
}

/* Does registered model `name` exist? 1 yes, 0 no, -1 failed. */
static int model_exists(struct mg_registry *reg, const char *name, struct mg_err *err)
{
	struct sq *sq = impl(reg);
	sqlite3_stmt *st = NULL;
	int rc;

	if (sql_query(sq, &st, err,
	              "SELECT 1 FROM registered_models WHERE workspace = ?1 AND name = ?2", "tt",
	              reg->workspace, name))
		return -1;
	rc = step(sq, st, "reading a registered model", err);
	sqlite3_finalize(st);
	return rc;
}

static int need_model(struct mg_registry *reg, const char *name, struct mg_err *err)
{
	int rc = model_exists(reg, name, err);

	if (rc < 0)
		return -1;
	if (rc == 0)
		return not_found(err, "registered model '%.200s' not found", name);
	return 0;
}

/*
 * Version `v` of `name`, unless deleted (MLflow's _get_sql_model_version):
 * 1 found (into *mv when mv is not NULL), 0 not found, -1 failed.
 */
static int find_version(struct mg_registry *reg, const char *name, int64_t v,
                        struct mg_model_version *mv, struct mg_err *err)
{
	struct sq *sq = impl(reg);
	sqlite3_stmt *st = NULL;
	int rc;

	if (sql_query(sq, &st, err,
	              "SELECT " MV_COLUMNS " FROM model_versions AS mv WHERE mv.workspace = ?1 AND "
	              "mv.name = ?2 AND mv.version = ?3 AND mv.current_stage != "
	              "'" STAGE_DELETED_INTERNAL "'",
	              "tti", reg->workspace, name, v))
		return -1;
	rc = step(sq, st, "reading a model version", err);
	if (rc == 1 && mv)
		row_to_version(st, mv);
	sqlite3_finalize(st);
	return rc;
}

static int need_version(struct mg_registry *reg, const char *name, int64_t v,
                        struct mg_model_version *mv, struct mg_err *err)
{
	int rc = find_version(reg, name, v, mv, err);

	if (rc < 0)
		return -1;
	if (rc == 0)
		return not_found(err, "version '%lld' of model '%.200s' not found", (long long)v,
		                 name);
	return 0;
}

static int sqlite_get_model(struct mg_registry *reg, const char *name,
                            struct mg_registered_model *out, struct mg_err *err)
{
	struct sq *sq = impl(reg);
	sqlite3_stmt *st = NULL;
	int rc, ret = -1;

	mg_registered_model_release(out);
	if (check_model_name(name, err) || begin_read(sq, err))
		return -1;
	if (sql_query(sq, &st, err,
	              "SELECT name, creation_time, last_updated_time, description FROM "
	              "registered_models WHERE workspace = ?1 AND name = ?2",
	              "tt", reg->workspace, name))
		goto done;
	rc = step(sq, st, "reading a registered model", err);
	if (rc <= 0) {
		if (rc == 0)
			not_found(err, "registered model '%.200s' not found", name);
		goto done;
	}
	out->name = col_str(st, 0);
	out->creation_timestamp = col_i64(st, 1);
	out->last_updated_timestamp = col_i64(st, 2);
	out->description = col_str(st, 3);
	sqlite3_finalize(st);
	st = NULL;

	if (sql_kvlist(sq, "reading model tags", &out->tags, err,
	               "SELECT key, value FROM registered_model_tags WHERE workspace = ?1 AND "
	               "name = ?2 ORDER BY key || ''",
	               "tt", reg->workspace, name) < 0 ||
	    sql_kvlist(sq, "reading aliases", &out->aliases, err,
	               "SELECT alias, version FROM registered_model_aliases WHERE workspace = ?1 "
	               "AND name = ?2 ORDER BY alias",
	               "tt", reg->workspace, name) < 0)
		goto done;
	ret = 0;
done:
	sqlite3_finalize(st);
	end_read(sq);
	if (ret)
		mg_registered_model_release(out);
	return ret;
}

static int sqlite_get_version(struct mg_registry *reg, const char *name, const char *version,
                              struct mg_model_version *out, struct mg_err *err)
{
	struct sq *sq = impl(reg);
	int ret = -1;

	mg_model_version_release(out);
	if (check_model_name(name, err) || begin_read(sq, err))
		return -1;
	if (need_version(reg, name, version_number(version), out, err) ||
	    load_extras(reg, out, true, err))
		goto done;
	ret = 0;
done:
	end_read(sq);
	if (ret)
		mg_model_version_release(out);
	return ret;
}

/*
 * MLflow's get_model_version_by_alias: the model must exist; "latest" (any
 * case) is the highest version that is not deleted; an alias that is not
 * set is not found.
 */
static int sqlite_get_version_by_alias(struct mg_registry *reg, const char *name, const char *alias,
                                       struct mg_model_version *out, struct mg_err *err)
{
	struct sq *sq = impl(reg);
	sqlite3_stmt *st = NULL;
	int64_t v = 0;
	int rc, ret = -1;

	mg_model_version_release(out);
	if (check_model_name(name, err) || check_alias(alias, false, err) || begin_read(sq, err))
		return -1;
	if (need_model(reg, name, err))
		goto done;
	if (!strcasecmp(alias, "latest")) {
		if (prepare(sq,
		            "SELECT max(version) FROM model_versions WHERE workspace = ?1 AND "
		            "name = ?2 AND current_stage != '" STAGE_DELETED_INTERNAL "'",
		            &st, err))
			goto done;
	} else if (prepare(sq,
	                   "SELECT version FROM registered_model_aliases WHERE workspace = ?1 AND "
	                   "name = ?2 AND alias = ?3",
	                   &st, err)) {
		goto done;
	}
	bind_text(st, 1, reg->workspace);
	bind_text(st, 2, name);
	if (sqlite3_bind_parameter_count(st) == 3)
		bind_text(st, 3, alias);
	rc = step(sq, st, "reading an alias", err);
	if (rc < 0)
		goto done;
	if (rc == 0 || sqlite3_column_type(st, 0) == SQLITE_NULL) {
		if (!strcasecmp(alias, "latest"))
			not_found(err, "model '%.200s' has no versions, so no latest version",
			          name);
		else
			not_found(err, "alias '%s' of model '%.200s' is not set", alias, name);
		goto done;
	}
	v = sqlite3_column_int64(st, 0);
	if (need_version(reg, name, v, out, err) || load_extras(reg, out, true, err))
		goto done;
	ret = 0;
done:
	sqlite3_finalize(st);
	end_read(sq);
	if (ret)
		mg_model_version_release(out);
	return ret;
}

/* --- streaming versions ------------------------------------------------------ */

/* Values bound to a query built at run time, in placeholder order. */
struct bind {
	bool is_int;
	const char *s; /* borrowed: lives as long as the query */
	int64_t i;
};

struct query {
	struct mg_buf sql;
	struct bind *binds;
	size_t n, alloc;
};

static void q_init(struct query *q)
{
	mg_buf_init(&q->sql, MG_BUF_SMALL * 4);
	q->binds = NULL;
	q->n = q->alloc = 0;
}

static void q_release(struct query *q)
{
	mg_buf_release(&q->sql);
	free(q->binds);
	q->binds = NULL;
	q->n = q->alloc = 0;
}

static struct bind *q_add(struct query *q)
{
	if (q->n == q->alloc) {
		q->alloc = q->alloc ? 2 * q->alloc : 16;
		q->binds = mg_xrealloc(q->binds, mg_st_mult(q->alloc, sizeof(*q->binds)));
	}
	memset(&q->binds[q->n], 0, sizeof(q->binds[0]));
	return &q->binds[q->n++];
}

/* Append SQL text `sql` holding one "?" placeholder for text `s`. */
static void q_text(struct query *q, const char *sql, const char *s)
{
	mg_buf_adds(&q->sql, sql);
	q_add(q)->s = s;
}

static void q_int(struct query *q, const char *sql, int64_t v)
{
	struct bind *b;

	mg_buf_adds(&q->sql, sql);
	b = q_add(q);
	b->is_int = true;
	b->i = v;
}

static int q_prepare(struct sq *sq, const struct query *q, sqlite3_stmt **st, struct mg_err *err)
{
	if (mg_buf_overflowed(&q->sql))
		return mg_err_setr(err, MG_EXIT_USAGE, MG_REASON_TOO_LARGE,
		                   "search query too large");
	if (prepare(sq, q->sql.buf, st, err))
		return -1;
	for (size_t i = 0; i < q->n; i++) {
		if (q->binds[i].is_int)
			sqlite3_bind_int64(*st, (int)i + 1, q->binds[i].i);
		else
			bind_text(*st, (int)i + 1, q->binds[i].s);
	}
	return 0;
}

/* Where a page ended: the ordering keys of its last row. */
struct cursor {
	bool started;
	char *name;
	int64_t version;
	int64_t creation; /* NULL read as INT64_MIN, as the ORDER BY does */
	int64_t updated;
};

static const char *order_expr(enum mg_mvo_key key)
{
	switch (key) {
	case MG_MVO_NAME:
		return "mv.name";
	case MG_MVO_VERSION:
		return "mv.version";
	case MG_MVO_CREATION:
		return "coalesce(mv.creation_time, -9223372036854775807 - 1)";
	case MG_MVO_LAST_UPDATED:
	default:
		return "coalesce(mv.last_updated_time, -9223372036854775807 - 1)";
	}
}

static void q_cursor_value(struct query *q, const struct cursor *c, enum mg_mvo_key key,
                           const char *sql)
{
	switch (key) {
	case MG_MVO_NAME:
		q_text(q, sql, c->name);
		break;
	case MG_MVO_VERSION:
		q_int(q, sql, c->version);
		break;
	case MG_MVO_CREATION:
		q_int(q, sql, c->creation);
		break;
	case MG_MVO_LAST_UPDATED:
	default:
		q_int(q, sql, c->updated);
		break;
	}
}

/*
 * Keyset pagination: rows strictly after the cursor in the ordering. The
 * ordering always ends with name and version, unique per workspace, so it
 * is total and no row is skipped or repeated between pages.
 */
static void q_after(struct query *q, const struct mg_mvorder *o, const struct cursor *c)
{
	mg_buf_adds(&q->sql, " AND (");
	for (size_t i = 0; i < o->n; i++) {
		mg_buf_adds(&q->sql, i ? " OR (" : "(");
		for (size_t j = 0; j < i; j++) {
			mg_buf_addf(&q->sql, "%s = ", order_expr(o->keys[j].key));
			q_cursor_value(q, c, o->keys[j].key, "? AND ");
		}
		mg_buf_addf(&q->sql, "%s %c ", order_expr(o->keys[i].key),
		            o->keys[i].asc ? '>' : '<');
		q_cursor_value(q, c, o->keys[i].key, "?)");
	}
	mg_buf_adds(&q->sql, ")");
}

/* The part of a search query that selects versions: everything but paging. */
struct selection {
	const struct mg_mvfilter *filter; /* may be NULL */
	const char *name;                 /* versions_in_stage: the model */
	const char *stage;                /* versions_in_stage: the stage */
	bool exclude_prompts;             /* MLflow's search hides prompt versions */
	bool aliases;                     /* fill aliases (not in MLflow's search) */
};

static const char *sql_op(enum mg_mvf_op op)
{
	switch (op) {
	case MG_MVF_EQ:
		return "=";
	case MG_MVF_NE:
		return "!=";
	case MG_MVF_LT:
		return "<";
	case MG_MVF_LE:
		return "<=";
	case MG_MVF_GT:
		return ">";
	case MG_MVF_GE:
		return ">=";
	case MG_MVF_LIKE:
	default:
		return "LIKE";
	}
}

/* `column OP ?` for a string comparison, as SQLAlchemy writes it for SQLite. */
static void q_string_cmp(struct query *q, const char *column, const struct mg_mvf_clause *c)
{
	switch (c->op) {
	case MG_MVF_ILIKE:
		mg_buf_addf(&q->sql, " AND lower(%s) LIKE lower(", column);
		q_text(q, "?)", c->values[0]);
		break;
	case MG_MVF_IN:
	case MG_MVF_NOT_IN:
		mg_buf_addf(&q->sql, " AND %s %s (", column, c->op == MG_MVF_IN ? "IN" : "NOT IN");
		for (size_t i = 0; i < c->n_values; i++)
			q_text(q, i ? ", ?" : "?", c->values[i]);
		mg_buf_adds(&q->sql, ")");
		break;
	default:
		mg_buf_addf(&q->sql, " AND %s %s ", column, sql_op(c->op));
		q_text(q, "?", c->values[0]);
		break;
	}
}

/* MLflow's _is_querying_prompt(): the first clause on the prompt tag decides. */
static bool querying_prompts(const struct mg_mvfilter *f)
{
	for (size_t i = 0; f && i < f->n; i++) {
		const struct mg_mvf_clause *c = &f->clauses[i];

		if (c->field != MG_MVF_TAG || strcmp(c->tag_key, TAG_IS_PROMPT))
			continue;
		return (c->op == MG_MVF_EQ && !strcasecmp(c->values[0], "true")) ||
		       (c->op == MG_MVF_NE && !strcasecmp(c->values[0], "false"));
	}
	return false;
}

static void q_selection(struct query *q, const char *workspace, const struct selection *sel)
{
	const struct mg_mvfilter *f = sel->filter;

	q_text(q, "SELECT " MV_COLUMNS " FROM model_versions AS mv WHERE mv.workspace = ?",
	       workspace);
	mg_buf_adds(&q->sql, " AND mv.current_stage != '" STAGE_DELETED_INTERNAL "'");
	if (sel->name)
		q_text(q, " AND mv.name = ?", sel->name);
	if (sel->stage)
		q_text(q, " AND mv.current_stage = ?", sel->stage);
	for (size_t i = 0; f && i < f->n; i++) {
		const struct mg_mvf_clause *c = &f->clauses[i];

		switch (c->field) {
		case MG_MVF_NAME:
			q_string_cmp(q, "mv.name", c);
			break;
		case MG_MVF_RUN_ID:
			q_string_cmp(q, "mv.run_id", c);
			break;
		case MG_MVF_SOURCE_PATH:
			q_string_cmp(q, "mv.source", c);
			break;
		case MG_MVF_VERSION:
			mg_buf_addf(&q->sql, " AND mv.version %s ", sql_op(c->op));
			q_int(q, "?", c->number);
			break;
		case MG_MVF_TAG:
			/* MLflow drops conditions on the prompt tag when hiding prompts */
			if (sel->exclude_prompts && !strcmp(c->tag_key, TAG_IS_PROMPT))
				break;
			mg_buf_adds(&q->sql,
			            " AND EXISTS (SELECT 1 FROM model_version_tags AS t "
			            "WHERE t.workspace = mv.workspace AND t.name = mv.name "
			            "AND t.version = mv.version");
			q_text(q, " AND t.key = ?", c->tag_key);
			q_string_cmp(q, "t.value", c);
			mg_buf_adds(&q->sql, ")");
			break;
		}
	}
	if (sel->exclude_prompts)
		mg_buf_adds(&q->sql, " AND NOT EXISTS (SELECT 1 FROM model_version_tags AS p WHERE "
		                     "p.workspace = mv.workspace AND p.name = mv.name AND p.key = "
		                     "'" TAG_IS_PROMPT "' AND p.value = 'true')");
}

static void cursor_set(struct cursor *c, sqlite3_stmt *st)
{
	free(c->name);
	c->started = true;
	c->name = mg_xstrdup((const char *)sqlite3_column_text(st, 0));
	c->version = sqlite3_column_int64(st, 1);
	c->creation =
	        sqlite3_column_type(st, 2) == SQLITE_NULL ? INT64_MIN : sqlite3_column_int64(st, 2);
	c->updated =
	        sqlite3_column_type(st, 3) == SQLITE_NULL ? INT64_MIN : sqlite3_column_int64(st, 3);
}

/*
 * Stream the selected versions in order `o`, `page_size` rows per query.
 * A page is read in one statement and released before the callbacks run,
 * so callbacks may write to the registry; each version's tags and aliases
 * are read just before its callback. Memory: one page of version rows.
 */
static int stream_versions(struct mg_registry *reg, const struct selection *sel,
                           const struct mg_mvorder *o, int page_size, mg_version_cb *cb, void *arg,
                           struct mg_err *err)
{
	struct sq *sq = impl(reg);
	struct mg_model_version *page = mg_xcalloc((size_t)page_size, sizeof(*page));
	struct cursor cur = {0};
	sqlite3_stmt *st = NULL;
	struct query q;
	size_t n = 0; /* versions of the current page in `page` */
	int ret = -1;

	q_init(&q);
	for (;;) {
		int rc = 0;

		n = 0;
		q.n = 0;
		mg_buf_reset(&q.sql);
		q_selection(&q, reg->workspace, sel);
		if (cur.started)
			q_after(&q, o, &cur);
		mg_buf_adds(&q.sql, " ORDER BY ");
		for (size_t i = 0; i < o->n; i++)
			mg_buf_addf(&q.sql, "%s%s %s", i ? ", " : "", order_expr(o->keys[i].key),
			            o->keys[i].asc ? "ASC" : "DESC");
		q_int(&q, " LIMIT ?", page_size);
		if (q_prepare(sq, &q, &st, err))
			goto done;
		while (n < (size_t)page_size &&
		       (rc = step(sq, st, "searching model versions", err)) == 1) {
			row_to_version(st, &page[n]);
			cursor_set(&cur, st);
			n++;
		}
		if (n < (size_t)page_size && rc < 0)
			goto done;
		/* the page is read: no statement or transaction stays open for the callbacks */
		sqlite3_finalize(st);
		st = NULL;
		for (size_t i = 0; i < n; i++) {
			int r = load_extras(reg, &page[i], sel->aliases, err);

			if (!r)
				r = cb(arg, &page[i], err);
			mg_model_version_release(&page[i]);
			if (r < 0) {
				mg_err_set(err, MG_EXIT_INFRA, "search callback failed");
				goto done;
			}
			if (r > 0) {
				ret = 0;
				goto done;
			}
		}
		if (n < (size_t)page_size)
			break;
	}
	ret = 0;
done:
	for (size_t i = 0; i < n; i++)
		mg_model_version_release(&page[i]);
	sqlite3_finalize(st);
	q_release(&q);
	free(cur.name);
	free(page);
	return ret;
}

static int sqlite_versions_in_stage(struct mg_registry *reg, const char *name, const char *stage,
                                    mg_version_cb *cb, void *arg, struct mg_err *err)
{
	struct selection sel = {.name = name, .stage = stage, .aliases = true};
	struct mg_mvorder o = {.n = 2};

	if (check_model_name(name, err) || need_model(reg, name, err))
		return -1;
	/* highest version first: the first one is what get-latest-versions returns */
	o.keys[0].key = MG_MVO_VERSION;
	o.keys[0].asc = false;
	o.keys[1].key = MG_MVO_NAME;
	o.keys[1].asc = true;
	return stream_versions(reg, &sel, &o, DEFAULT_PAGE_SIZE, cb, arg, err);
}

static int sqlite_search_versions(struct mg_registry *reg, const struct mg_version_query *q,
                                  mg_version_cb *cb, void *arg, struct mg_err *err)
{
	struct mg_mvfilter f = MG_MVFILTER_INIT;
	struct selection sel = {.filter = &f};
	struct mg_mvorder o;
	int ret = -1;

	if (mg_mvfilter_parse(q->filter, &f, err) || mg_mvorder_parse(q->order_by, &o, err))
		goto done;
	sel.exclude_prompts = !querying_prompts(&f);
	ret = stream_versions(reg, &sel, &o, q->page_size ? q->page_size : DEFAULT_PAGE_SIZE, cb,
	                      arg, err);
done:
	mg_mvfilter_release(&f);
	return ret;
}

/* --- registry writes ------------------------------------------------------- */

/* MLflow's set_model_version_tag: validate, the version must exist, upsert. */
static int sqlite_set_version_tag(struct mg_registry *reg, const char *name, const char *version,
                                  const char *key, const char *value, struct mg_err *err)
{
	struct sq *sq = impl(reg);
	int64_t v = version_number(version);

	if (check_model_name(name, err) || check_key_name("tag key", key, err) ||
	    check_length("tag key", key, MAX_MODEL_REGISTRY_TAG_KEY_LENGTH, err) ||
	    check_length("tag value", value, MAX_MODEL_REGISTRY_TAG_VALUE_LENGTH, err) ||
	    begin_write(sq, err))
		return -1;
	if (need_version(reg, name, v, NULL, err) ||
	    sql_exec(sq, "setting a version tag", err,
	             "INSERT INTO model_version_tags (key, value, name, version, workspace) "
	             "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (workspace, key, name, version) "
	             "DO UPDATE SET value = excluded.value",
	             "tttit", key, value, name, v, reg->workspace) ||
	    commit(sq, err)) {
		rollback(sq);
		return -1;
	}
	return 0;
}

/* MLflow's delete_model_version_tag: the version must exist; a missing tag is a no-op. */
static int sqlite_delete_version_tag(struct mg_registry *reg, const char *name, const char *version,
                                     const char *key, struct mg_err *err)
{
	struct sq *sq = impl(reg);
	int64_t v = version_number(version);

	if (check_model_name(name, err) || check_key_name("tag key", key, err) ||
	    begin_write(sq, err))
		return -1;
	if (need_version(reg, name, v, NULL, err) ||
	    sql_exec(sq, "deleting a version tag", err,
	             "DELETE FROM model_version_tags WHERE workspace = ?1 AND name = ?2 AND "
	             "version = ?3 AND key = ?4",
	             "ttit", reg->workspace, name, v, key) ||
	    commit(sq, err)) {
		rollback(sq);
		return -1;
	}
	return 0;
}

/* MLflow's update_model_version: the description and the version's last_updated_time. */
static int sqlite_update_version_description(struct mg_registry *reg, const char *name,
                                             const char *version, const char *description,
                                             struct mg_err *err)
{
	struct sq *sq = impl(reg);
	int64_t v = version_number(version);

	if (check_model_name(name, err) || begin_write(sq, err))
		return -1;
	if (need_version(reg, name, v, NULL, err) ||
	    sql_exec(sq, "updating a description", err,
	             "UPDATE model_versions SET description = ?1, last_updated_time = ?2 WHERE "
	             "workspace = ?3 AND name = ?4 AND version = ?5",
	             "titti", description, now_ms(), reg->workspace, name, v) ||
	    commit(sq, err)) {
		rollback(sq);
		return -1;
	}
	return 0;
}

/*
 * MLflow's transition_model_version_stage: with archive_existing, every
 * other version of the model in the target stage becomes Archived; those
 * versions, the version itself and the registered model all get the same
 * last_updated_time. One transaction.
 */
static int sqlite_transition_stage(struct mg_registry *reg, const char *name, const char *version,
                                   const char *stage, bool archive_existing, struct mg_err *err)
{
	struct sq *sq = impl(reg);
	int64_t v = version_number(version), now = now_ms();

	if (check_model_name(name, err) || begin_write(sq, err))
		return -1;
	if (need_version(reg, name, v, NULL, err) ||
	    (archive_existing &&
	     sql_exec(sq, "archiving versions", err,
	              "UPDATE model_versions SET current_stage = 'Archived', last_updated_time = "
	              "?1 WHERE workspace = ?2 AND name = ?3 AND version != ?4 AND "
	              "current_stage = ?5",
	              "ittit", now, reg->workspace, name, v, stage)) ||
	    sql_exec(sq, "moving a version", err,
	             "UPDATE model_versions SET current_stage = ?1, last_updated_time = ?2 WHERE "
	             "workspace = ?3 AND name = ?4 AND version = ?5",
	             "titti", stage, now, reg->workspace, name, v) ||
	    sql_exec(sq, "updating a registered model", err,
	             "UPDATE registered_models SET last_updated_time = ?1 WHERE workspace = ?2 "
	             "AND name = ?3",
	             "itt", now, reg->workspace, name) ||
	    commit(sq, err)) {
		rollback(sq);
		return -1;
	}
	return 0;
}

/* MLflow's set_registered_model_alias: the version must exist; the alias moves to it. */
static int sqlite_set_alias(struct mg_registry *reg, const char *name, const char *alias,
                            const char *version, struct mg_err *err)
{
	struct sq *sq = impl(reg);
	int64_t v = version_number(version);

	if (check_model_name(name, err) || check_alias(alias, true, err) || begin_write(sq, err))
		return -1;
	if (need_version(reg, name, v, NULL, err) ||
	    sql_exec(sq, "setting an alias", err,
	             "INSERT INTO registered_model_aliases (alias, version, name, workspace) "
	             "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (workspace, name, alias) DO UPDATE SET "
	             "version = excluded.version",
	             "titt", alias, v, name, reg->workspace) ||
	    commit(sq, err)) {
		rollback(sq);
		return -1;
	}
	return 0;
}

/* MLflow's delete_registered_model_alias: the model must exist; a missing alias is a no-op. */
static int sqlite_delete_alias(struct mg_registry *reg, const char *name, const char *alias,
                               struct mg_err *err)
{
	struct sq *sq = impl(reg);

	if (check_model_name(name, err) || check_alias(alias, false, err) || begin_write(sq, err))
		return -1;
	if (need_model(reg, name, err) ||
	    sql_exec(sq, "deleting an alias", err,
	             "DELETE FROM registered_model_aliases WHERE workspace = ?1 AND name = ?2 AND "
	             "alias = ?3",
	             "ttt", reg->workspace, name, alias) ||
	    commit(sq, err)) {
		rollback(sq);
		return -1;
	}
	return 0;
}

/* --- compare-and-set moves ------------------------------------------------------ */

/*
 * The versions now holding the move's target other than `v` (a stage's
 * other versions, or the alias's version), appended to `held` as "3" or
 * "3, 4"; *n receives how many.
 */
static int move_holders(struct mg_registry *reg, const struct mg_registry_move *m, int64_t v,
                        struct mg_buf *held, size_t *n, struct mg_err *err)
{
	struct sq *sq = impl(reg);
	sqlite3_stmt *st = NULL;
	int rc;

	*n = 0;
	if (prepare(sq,
	            m->stage ? "SELECT version FROM model_versions WHERE workspace = ?1 AND name = "
	                       "?2 AND current_stage = ?3 AND version != ?4 ORDER BY version"
	                     : "SELECT version FROM registered_model_aliases WHERE workspace = ?1 "
	                       "AND name = ?2 AND alias = ?3",
	            &st, err))
		return -1;
	bind_text(st, 1, reg->workspace);
	bind_text(st, 2, m->name);
	bind_text(st, 3, m->stage ? m->stage : m->alias);
	if (m->stage)
		sqlite3_bind_int64(st, 4, v);
	while ((rc = step(sq, st, "reading the promotion target", err)) == 1)
		mg_buf_addf(held, "%s%lld", (*n)++ ? ", " : "",
		            (long long)sqlite3_column_int64(st, 0));
	sqlite3_finalize(st);
	return rc;
}

/*
 * Run `sql` with ?1 now, ?2 workspace, ?3 name, ?4 version, ?5 `text`; a
 * parameter the statement does not use is not bound (SQLITE_RANGE, ignored).
 */
static int move_stmt(struct mg_registry *reg, const char *sql, const char *name, int64_t v,
                     int64_t now, const char *text, const char *doing, struct mg_err *err)
{
	return sql_exec(impl(reg), doing, err, sql, "ittit", now, reg->workspace, name, v, text);
}

/*
 * mg_registry_transition_stage_if / mg_registry_set_alias_if: the check and
 * every write in one BEGIN IMMEDIATE transaction, so two promotions started
 * at once are serialised and the second sees the first's result. The writes
 * are those of sqlite_transition_stage, sqlite_set_alias and
 * sqlite_delete_alias.
 */
static int sqlite_move_if(struct mg_registry *reg, const struct mg_registry_move *m,
                          struct mg_err *err)
{
	struct sq *sq = impl(reg);
	struct mg_buf held = MG_BUF_INIT(MG_BUF_SMALL);
	int64_t v = version_number(m->version), now = now_ms();
	size_t n = 0;
	int ret = -1;

	if (check_model_name(m->name, err) || (m->alias && check_alias(m->alias, true, err)) ||
	    (m->drop_alias && check_alias(m->drop_alias, false, err)))
		goto out;
	if (begin_write(sq, err))
		goto out;
	if (need_version(reg, m->name, v, NULL, err) || move_holders(reg, m, v, &held, &n, err))
		goto done;
	if (m->expected ? n != 1 || strcmp(held.buf, m->expected) : n != 0) {
		mg_err_setr(err, MG_EXIT_USAGE, MG_REASON_CONFLICT,
		            "%s '%s' of model '%.200s' is held by %s%s, expected %s%s",
		            m->stage ? "stage" : "alias", m->stage ? m->stage : m->alias, m->name,
		            n ? "version " : "", n ? held.buf : "no version",
		            m->expected ? "version " : "", m->expected ? m->expected : "none");
		goto done;
	}
	if (m->stage) {
		if (m->archive_existing &&
		    move_stmt(reg,
		              "UPDATE model_versions SET current_stage = 'Archived', "
		              "last_updated_time = ?1 WHERE workspace = ?2 AND name = ?3 AND "
		              "version != ?4 AND current_stage = ?5",
		              m->name, v, now, m->stage, "archiving versions", err))
			goto done;
		if (move_stmt(
		            reg,
		            "UPDATE model_versions SET current_stage = ?5, last_updated_time = ?1 "
		            "WHERE workspace = ?2 AND name = ?3 AND version = ?4",
		            m->name, v, now, m->stage, "moving a version", err) ||
		    move_stmt(reg,
		              "UPDATE registered_models SET last_updated_time = ?1 WHERE workspace "
		              "= ?2 AND name = ?3",
		              m->name, v, now, "", "updating a registered model", err))
			goto done;
	} else if (move_stmt(reg,
	                     "INSERT INTO registered_model_aliases (alias, version, name, "
	                     "workspace) VALUES (?5, ?4, ?3, ?2) ON CONFLICT (workspace, name, "
	                     "alias) DO UPDATE SET version = excluded.version",
	                     m->name, v, now, m->alias, "setting an alias", err)) {
		goto done;
	}
	if (m->drop_alias &&
	    move_stmt(reg,
	              "DELETE FROM registered_model_aliases WHERE workspace = ?2 AND name = ?3 AND "
	              "version = ?4 AND alias = ?5",
	              m->name, v, now, m->drop_alias, "deleting an alias", err))
		goto done;
	if (commit(sq, err))
		goto done;
	ret = 0;
done:
	if (ret)
		rollback(sq);
out:
	mg_buf_release(&held);
	return ret;
}

/* --- runs ----------------------------------------------------------------------- */

static int sqlite_get_run(struct mg_registry *reg, const char *run_id, struct mg_run *out,
                          struct mg_err *err)
{
	struct sq *sq = impl(reg);
	sqlite3_stmt *st = NULL;
	int rc, ret = -1;

	mg_run_release(out);
	if (begin_read(sq, err))
		return -1;
	if (sql_query(
	            sq, &st, err,
	            "SELECT run_uuid, name, experiment_id, user_id, status, start_time, end_time, "
	            "lifecycle_stage, artifact_uri FROM runs WHERE run_uuid = ?1",
	            "t", run_id))
		goto done;
	rc = step(sq, st, "reading a run", err);
	if (rc <= 0) {
		if (rc == 0)
			not_found(err, "run '%.64s' not found", run_id);
		goto done;
	}
	out->run_id = col_str(st, 0);
	out->run_name = col_str(st, 1);
	out->experiment_id = col_str(st, 2);
	out->user_id = col_str(st, 3);
	out->status = col_str(st, 4);
	out->start_time = col_i64(st, 5);
	out->end_time = col_i64(st, 6);
	out->lifecycle_stage = col_str(st, 7);
	out->artifact_uri = col_str(st, 8);
	sqlite3_finalize(st);
	st = NULL;

	/* run metrics are the latest values (latest_metrics), NaN kept as is_nan */
	if (sql_query(
	            sq, &st, err,
	            "SELECT key, value, timestamp, step, is_nan FROM latest_metrics WHERE run_uuid "
	            "= ?1 ORDER BY key || ''",
	            "t", run_id))
		goto done;
	while ((rc = step(sq, st, "reading run metrics", err)) == 1)
		mg_metriclist_add(&out->metrics, (const char *)sqlite3_column_text(st, 0),
		                  sqlite3_column_int(st, 4) ? NAN : sqlite3_column_double(st, 1),
		                  col_i64(st, 2), col_i64(st, 3));
	if (rc < 0)
		goto done;
	sqlite3_finalize(st);
	st = NULL;

	if (sql_kvlist(sq, "reading run params", &out->params, err,
	               "SELECT key, value FROM params WHERE run_uuid = ?1 ORDER BY key || ''", "t",
	               run_id) < 0 ||
	    sql_kvlist(sq, "reading run tags", &out->tags, err,
	               "SELECT key, value FROM tags WHERE run_uuid = ?1 ORDER BY key || ''", "t",
	               run_id) < 0)
		goto done;
	/* SqlRun.to_mlflow_entity: no name column, the mlflow.runName tag names the run */
	if (!*out->run_name && mg_kvlist_get(&out->tags, TAG_RUN_NAME)) {
		free(out->run_name);
		out->run_name = mg_xstrdup(mg_kvlist_get(&out->tags, TAG_RUN_NAME));
	}
	ret = 0;
done:
	sqlite3_finalize(st);
	end_read(sq);
	if (ret)
		mg_run_release(out);
	return ret;
}

/*
 * MLflow's get_logged_model (not deleted) and its logged_model_metrics rows,
 * in the order of the table's key. A NULL metric_value is NaN.
 */
static int sqlite_get_logged_model(struct mg_registry *reg, const char *model_id,
                                   struct mg_logged_model *out, struct mg_err *err)
{
	struct sq *sq = impl(reg);
	sqlite3_stmt *st = NULL;
	int rc, ret = -1;

	mg_logged_model_release(out);
	if (begin_read(sq, err))
		return -1;
	if (sql_query(sq, &st, err,
	              "SELECT model_id, name, experiment_id, source_run_id FROM logged_models "
	              "WHERE model_id = ?1 AND (lifecycle_stage IS NULL OR lifecycle_stage != "
	              "'deleted')",
	              "t", model_id))
		goto done;
	rc = step(sq, st, "reading a logged model", err);
	if (rc <= 0) {
		if (rc == 0)
			not_found(err, "logged model '%.64s' not found", model_id);
		goto done;
	}
	out->model_id = col_str(st, 0);
	out->name = col_str(st, 1);
	out->experiment_id = col_str(st, 2);
	out->source_run_id = col_str(st, 3);
	sqlite3_finalize(st);
	st = NULL;
	if (sql_query(sq, &st, err,
	              "SELECT metric_name, metric_value, metric_timestamp_ms, metric_step, run_id, "
	              "dataset_name FROM logged_model_metrics WHERE model_id = ?1 ORDER BY "
	              "metric_name, metric_timestamp_ms, metric_step, run_id",
	              "t", model_id))
		goto done;
	while ((rc = step(sq, st, "reading logged model metrics", err)) == 1)
		mg_logged_model_add_metric(
		        out, (const char *)sqlite3_column_text(st, 0),
		        sqlite3_column_type(st, 1) == SQLITE_NULL ? NAN
		                                                  : sqlite3_column_double(st, 1),
		        col_i64(st, 2), col_i64(st, 3), (const char *)sqlite3_column_text(st, 4),
		        (const char *)sqlite3_column_text(st, 5));
	if (rc < 0)
		goto done;
	ret = 0;
done:
	sqlite3_finalize(st);
	end_read(sq);
	if (ret)
		mg_logged_model_release(out);
	return ret;
}

/*
 * MLflow's get_metric_history: every value of the metric ordered by
 * timestamp, step, value (the run is not checked: a missing run has no
 * history). Pages of HISTORY_PAGE_SIZE, keyset on (timestamp, step, value,
 * rowid); each page is released before its callbacks run.
 */
static int sqlite_metric_history(struct mg_registry *reg, const char *run_id, const char *key,
                                 mg_metric_cb *cb, void *arg, struct mg_err *err)
{
	struct sq *sq = impl(reg);
	struct mg_metric *page = mg_xcalloc(HISTORY_PAGE_SIZE, sizeof(*page));
	sqlite3_stmt *st = NULL;
	bool started = false;
	int64_t last_ts = 0, last_step = 0, last_rowid = 0;
	double last_value = 0;
	size_t n = 0;
	int ret = -1;

	for (;;) {
		int rc = 0;

		/* "+key": not the (key, timestamp, ...) primary key, which spans every run */
		if (prepare(sq,
		            started ? "SELECT key, value, timestamp, step, is_nan, rowid "
		                      "FROM metrics WHERE run_uuid = ?1 AND +key = ?2 AND "
		                      "(timestamp > ?3 OR (timestamp = ?3 AND (step > ?4 OR "
		                      "(step = ?4 AND (value > ?5 OR (value = ?5 AND "
		                      "rowid > ?6)))))) "
		                      "ORDER BY timestamp, step, value, rowid LIMIT ?7"
		                    : "SELECT key, value, timestamp, step, is_nan, rowid "
		                      "FROM metrics WHERE run_uuid = ?1 AND +key = ?2 "
		                      "ORDER BY timestamp, step, value, rowid LIMIT ?7",
		            &st, err))
			goto done;
		bind_text(st, 1, run_id);
		bind_text(st, 2, key);
		if (started) {
			sqlite3_bind_int64(st, 3, last_ts);
			sqlite3_bind_int64(st, 4, last_step);
			sqlite3_bind_double(st, 5, last_value);
			sqlite3_bind_int64(st, 6, last_rowid);
		}
		sqlite3_bind_int(st, 7, HISTORY_PAGE_SIZE);
		n = 0;
		while (n < HISTORY_PAGE_SIZE &&
		       (rc = step(sq, st, "reading a metric history", err)) == 1) {
			struct mg_metric *m = &page[n++];

			m->key = mg_xstrdup((const char *)sqlite3_column_text(st, 0));
			last_value = sqlite3_column_double(st, 1);
			m->value = sqlite3_column_int(st, 4) ? NAN : last_value;
			m->timestamp = last_ts = col_i64(st, 2);
			m->step = last_step = col_i64(st, 3);
			last_rowid = sqlite3_column_int64(st, 5);
			started = true;
		}
		if (n < HISTORY_PAGE_SIZE && rc < 0)
			goto done;
		sqlite3_finalize(st);
		st = NULL;
		for (size_t i = 0; i < n; i++) {
			int r = cb(arg, &page[i], err);

			if (r < 0) {
				mg_err_set(err, MG_EXIT_INFRA, "metric history callback failed");
				goto done;
			}
			if (r > 0) {
				ret = 0;
				goto done;
			}
		}
		for (size_t i = 0; i < n; i++)
			MG_FREE_AND_NULL(page[i].key);
		if (n < HISTORY_PAGE_SIZE)
			break;
	}
	n = 0;
	ret = 0;
done:
	sqlite3_finalize(st);
	for (size_t i = 0; i < n; i++)
		free(page[i].key);
	free(page);
	return ret;
}

/* --- tracking writes ------------------------------------------------------------ */

/* The artifact root MLflow's Python client uses for a SQLite store: ./mlruns, made absolute. */
static char *artifact_root(void)
{
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);
	char *cwd = getcwd(NULL, 0);

	if (cwd && strcmp(cwd, "/"))
		mg_buf_adds(&b, cwd);
	mg_buf_adds(&b, "/mlruns");
	free(cwd);
	return mg_buf_take(&b, NULL);
}

/* The length of a URI scheme at the start of `s` (Python's urlsplit), or 0. */
static size_t uri_scheme_len(const char *s)
{
	const char *colon = strchr(s, ':');

	if (!colon || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return 0;
	for (const char *p = s; p < colon; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '+' || *p == '-' || *p == '.'))
			return 0;
	return (size_t)(colon - s);
}

/* posixpath.join(prefix, suffix) for a relative suffix. */
static void posix_join(struct mg_buf *b, const char *prefix, size_t n, const char *suffix)
{
	mg_buf_add(b, prefix, n);
	if (n && prefix[n - 1] != '/')
		mg_buf_addch(b, '/');
	mg_buf_adds(b, suffix);
}

/* MLflow's append_to_uri_path(uri, suffix) for a relative suffix without "..". */
static char *append_to_uri_path(const char *uri, const char *suffix)
{
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);
	size_t scheme = uri_scheme_len(uri);

	if (!*uri) {
		mg_buf_adds(&b, suffix);
	} else if (!scheme) {
		posix_join(&b, uri, strlen(uri), suffix);
	} else {
		const char *path = uri + scheme + 1, *end;
		bool netloc = !strncmp(path, "//", 2);

		if (netloc) {
			path += 2;
			path += strcspn(path, "/?#");
		}
		end = path + strcspn(path, "?#");
		mg_buf_add(&b, uri, (size_t)(path - uri));
		if (path == end && netloc) {
			mg_buf_addch(&b, '/');
			mg_buf_adds(&b, suffix);
		} else {
			posix_join(&b, path, (size_t)(end - path), suffix);
		}
		mg_buf_adds(&b, end);
	}
	return mg_buf_take(&b, NULL);
}

/*
 * MLflow's get_experiment_by_name (+ create_experiment when asked): an
 * experiment is created active, with the artifact location MLflow's SQL store
 * derives from its id: <artifact root>/<id>.
 */
static int sqlite_experiment_id(struct mg_registry *reg, const char *name, bool create,
                                char **id_out, struct mg_err *err)
{
	struct sq *sq = impl(reg);
	sqlite3_stmt *st = NULL;
	char *root = NULL, *location = NULL, num[24];
	int64_t id, now;
	int rc, ret = -1;

	*id_out = NULL;
	if (check_length("experiment name", name, MAX_EXPERIMENT_NAME_LENGTH, err))
		return -1;
	if (create ? begin_write(sq, err) : begin_read(sq, err))
		return -1;
	if (sql_query(sq, &st, err,
	              "SELECT experiment_id, lifecycle_stage FROM experiments WHERE workspace = ?1 "
	              "AND name = ?2",
	              "tt", reg->workspace, name))
		goto done;
	rc = step(sq, st, "reading an experiment", err);
	if (rc < 0)
		goto done;
	if (rc == 1) {
		const char *stage = (const char *)sqlite3_column_text(st, 1);

		if (stage && strcmp(stage, "active")) {
			mg_err_set(err, MG_EXIT_USAGE,
			           "experiment '%.200s' is deleted: restore it in MLflow or use "
			           "another name",
			           name);
			goto done;
		}
		snprintf(num, sizeof(num), "%lld", (long long)sqlite3_column_int64(st, 0));
		*id_out = mg_xstrdup(num);
		ret = 0;
		goto done;
	}
	if (!create) {
		not_found(err, "experiment '%.200s' not found", name);
		goto done;
	}
	sqlite3_finalize(st);
	st = NULL;
	now = now_ms();
	if (sql_query(sq, &st, err,
	              "INSERT INTO experiments (name, artifact_location, lifecycle_stage, "
	              "creation_time, last_update_time, workspace) VALUES (?1, NULL, 'active', ?2, "
	              "?2, ?3)",
	              "tit", name, now, reg->workspace))
		goto done;
	if (run_stmt(sq, st, "creating an experiment", err))
		goto done;
	id = sqlite3_last_insert_rowid(sq->db);
	sqlite3_finalize(st);
	st = NULL;
	snprintf(num, sizeof(num), "%lld", (long long)id);
	root = artifact_root();
	location = append_to_uri_path(root, num);
	if (sql_exec(sq, "creating an experiment", err,
	             "UPDATE experiments SET artifact_location = ?1 WHERE experiment_id = ?2", "ti",
	             location, (int64_t)id) ||
	    commit(sq, err))
		goto done;
	*id_out = mg_xstrdup(num);
	ret = 0;
done:
	sqlite3_finalize(st);
	free(root);
	free(location);
	rollback(sq); /* a lookup, or a failed creation: nothing to keep */
	return ret;
}

static int check_run_tags(const struct mg_kvlist *tags, struct mg_err *err)
{
	for (size_t i = 0; tags && i < tags->n; i++)
		if (check_key_name("run tag key", tags->items[i].key, err) ||
		    check_length("run tag key", tags->items[i].key, MAX_ENTITY_KEY_LENGTH, err))
			return -1;
	return 0;
}

/*
 * The value MLflow stores for a param or run tag: over `max` characters it
 * is cut to `max` (MLFLOW_TRUNCATE_LONG_VALUES, on by default) or refused.
 */
static int stored_value(struct mg_registry *reg, const char *what, const char *key,
                        const char *value, size_t max, size_t *len, struct mg_err *err)
{
	const char *env = getenv("MLFLOW_TRUNCATE_LONG_VALUES");
	bool truncate = true;

	*len = strlen(value);
	if (utf8_len(value) <= max)
		return 0;
	if (env && *env &&
	    mg_parse_bool("environment variable MLFLOW_TRUNCATE_LONG_VALUES", env, &truncate, err))
		return -1;
	if (!truncate)
		return mg_err_setr(err, MG_EXIT_USAGE, MG_REASON_TOO_LARGE,
		                   "%s '%.200s': value exceeds the maximum length of %zu "
		                   "characters",
		                   what, key, max);
	*len = utf8_prefix(value, max);
	mg_warn(&reg->ctx->log, "%s '%.200s': value truncated to %zu characters", what, key, max);
	return 0;
}

/* A run, when it exists and is active (MLflow's _get_run + _check_run_is_active). */
static int need_active_run(struct mg_registry *reg, const char *run_id, struct mg_err *err)
{
	struct sq *sq = impl(reg);
	sqlite3_stmt *st = NULL;
	int rc, ret = -1;

	if (sql_query(sq, &st, err, "SELECT lifecycle_stage FROM runs WHERE run_uuid = ?1", "t",
	              run_id))
		return -1;
	rc = step(sq, st, "reading a run", err);
	if (rc < 0)
		goto done;
	if (rc == 0) {
		not_found(err, "run '%.64s' not found", run_id);
		goto done;
	}
	if (strcmp((const char *)sqlite3_column_text(st, 0)
	                   ? (const char *)sqlite3_column_text(st, 0)
	                   : "",
	           "active")) {
		mg_err_set(err, MG_EXIT_USAGE,
		           "run '%.64s' must be active to be changed, but it is deleted", run_id);
		goto done;
	}
	ret = 0;
done:
	sqlite3_finalize(st);
	return ret;
}

static int upsert_run_tag(struct sq *sq, const char *run_id, const char *key, const char *value,
                          size_t len, struct mg_err *err)
{
	return sql_exec(sq, "setting a run tag", err,
	                "INSERT INTO tags (key, value, run_uuid) VALUES (?1, ?2, ?3) ON CONFLICT "
	                "(key, run_uuid) DO UPDATE SET value = excluded.value",
	                "tTt", key, value, len, run_id);
}

/*
 * MLflow's create_run (as MlflowClient.create_run calls it): a RUNNING run
 * with a uuid4 hex id, user_id from the mlflow.user tag or "unknown", the
 * name given, else the mlflow.runName tag, else a random one (and the tag
 * set to it), artifact_uri <experiment artifact location>/<run id>/artifacts.
 */
static int sqlite_create_run(struct mg_registry *reg, const char *experiment_id,
                             const char *run_name, const struct mg_kvlist *tags, char **run_id_out,
                             struct mg_err *err)
{
	struct sq *sq = impl(reg);
	sqlite3_stmt *st = NULL;
	const char *tag_name = tags ? mg_kvlist_get(tags, TAG_RUN_NAME) : NULL;
	const char *user = tags ? mg_kvlist_get(tags, TAG_USER) : NULL;
	char run_id[33], generated[24], *location = NULL, *artifact_uri = NULL, *suffix = NULL;
	long long exp_id;
	int rc, ret = -1;

	*run_id_out = NULL;
	if (mg_parse_ll("experiment id", experiment_id, 0, INT32_MAX, &exp_id, err) ||
	    check_run_tags(tags, err))
		return -1;
	if (run_name && *run_name && tag_name && *tag_name && strcmp(run_name, tag_name))
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "run name '%.100s' and tag mlflow.runName '%.100s' differ",
		                  run_name, tag_name);
	if (!run_name || !*run_name)
		run_name = tag_name && *tag_name ? tag_name : NULL;
	if (!run_name) {
		if (random_run_name(generated, err))
			return -1;
		run_name = generated;
	}
	if (uuid4_hex(run_id, err) || begin_write(sq, err))
		return -1;
	if (sql_query(sq, &st, err,
	              "SELECT artifact_location, lifecycle_stage FROM experiments WHERE "
	              "experiment_id = ?1 AND workspace = ?2",
	              "it", (int64_t)exp_id, reg->workspace))
		goto done;
	rc = step(sq, st, "reading an experiment", err);
	if (rc < 0)
		goto done;
	if (rc == 0) {
		not_found(err, "experiment '%lld' not found", exp_id);
		goto done;
	}
	if (strcmp((const char *)sqlite3_column_text(st, 1)
	                   ? (const char *)sqlite3_column_text(st, 1)
	                   : "",
	           "active")) {
		mg_err_set(err, MG_EXIT_USAGE,
		           "experiment '%lld' is deleted: cannot create runs in it", exp_id);
		goto done;
	}
	location = col_str(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	suffix = mg_xmalloc(sizeof(run_id) + sizeof("/artifacts"));
	snprintf(suffix, sizeof(run_id) + sizeof("/artifacts"), "%s/artifacts", run_id);
	artifact_uri = append_to_uri_path(location, suffix);

	if (sql_query(
	            sq, &st, err,
	            "INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, "
	            "user_id, status, start_time, end_time, deleted_time, source_version, "
	            "lifecycle_stage, artifact_uri, experiment_id) VALUES (?1, ?2, 'UNKNOWN', '', "
	            "'', ?3, 'RUNNING', ?4, NULL, NULL, '', 'active', ?5, ?6)",
	            "tttiti", run_id, run_name, user ? user : "unknown", (int64_t)now_ms(),
	            artifact_uri, (int64_t)exp_id))
		goto done;
	if (run_stmt(sq, st, "creating a run", err))
		goto done;
	for (size_t i = 0; tags && i < tags->n; i++)
		if (upsert_run_tag(sq, run_id, tags->items[i].key, tags->items[i].value,
		                   strlen(tags->items[i].value), err))
			goto done;
	if (!(tag_name && *tag_name) &&
	    upsert_run_tag(sq, run_id, TAG_RUN_NAME, run_name, strlen(run_name), err))
		goto done;
	if (commit(sq, err))
		goto done;
	*run_id_out = mg_xstrdup(run_id);
	ret = 0;
done:
	sqlite3_finalize(st);
	free(location);
	free(artifact_uri);
	free(suffix);
	if (ret)
		rollback(sq);
	return ret;
}

/* _validate_run_id(): ^[a-zA-Z0-9][\w\-]{0,255}$ */
static int check_run_id(const char *run_id, struct mg_err *err)
{
	size_t n = strlen(run_id);
	bool ok = n >= 1 && n <= 256 && is_word_byte((unsigned char)run_id[0]) && run_id[0] != '_';

	for (size_t i = 0; ok && i < n; i++)
		ok = (is_word_byte((unsigned char)run_id[i]) && (unsigned char)run_id[i] < 0x80) ||
		     run_id[i] == '-';
	if (ok)
		return 0;
	return mg_err_set(err, MG_EXIT_USAGE, "invalid run id '%.64s'", run_id);
}

/* SqlAlchemyStore.sanitize_metric_value: NaN is 0 + is_nan, +-Inf the largest double. */
static void sanitize_metric(double v, double *stored, bool *is_nan)
{
	*is_nan = isnan(v);
	if (*is_nan)
		*stored = 0;
	else if (isinf(v))
		*stored = v > 0 ? 1.7976931348623157e308 : -1.7976931348623157e308;
	else
		*stored = v;
}

/*
 * One logged metric, then the latest_metrics row of its key when it is
 * newer by (step, timestamp, value) (MLflow's _log_metrics +
 * _update_latest_metrics_if_necessary). A metric already logged with the
 * same key, timestamp, step and value is skipped, as MLflow does.
 */
static int log_metric(struct sq *sq, const char *run_id, const struct mg_metric *m,
                      struct mg_err *err)
{
	sqlite3_stmt *st = NULL;
	double value;
	bool is_nan, have = false, newer = true;
	int rc;

	sanitize_metric(m->value, &value, &is_nan);
	if (sql_exec(
	            sq, "logging a metric", err,
	            "INSERT OR IGNORE INTO metrics (key, value, timestamp, run_uuid, step, is_nan) "
	            "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	            "tditii", m->key, value, m->timestamp, run_id, m->step, (int64_t)is_nan))
		return -1;
	if (!sqlite3_changes(sq->db))
		return 0; /* the same point again */
	if (sql_query(sq, &st, err,
	              "SELECT step, coalesce(timestamp, -9223372036854775807 - 1), value FROM "
	              "latest_metrics WHERE run_uuid = ?1 AND key = ?2",
	              "tt", run_id, m->key))
		return -1;
	rc = step(sq, st, "reading a latest metric", err);
	if (rc == 1) {
		int64_t s = sqlite3_column_int64(st, 0), t = sqlite3_column_int64(st, 1);
		double v = sqlite3_column_double(st, 2);

		have = true;
		newer = m->step != s        ? m->step > s
		        : m->timestamp != t ? m->timestamp > t
		                            : value > v;
	}
	sqlite3_finalize(st);
	if (rc < 0 || !newer)
		return rc < 0 ? -1 : 0;
	return sql_exec(sq, "updating a latest metric", err,
	                have ? "UPDATE latest_metrics SET value = ?1, timestamp = ?2, step = ?3, "
	                       "is_nan = ?4 WHERE run_uuid = ?5 AND key = ?6"
	                     : "INSERT INTO latest_metrics (value, timestamp, step, is_nan, "
	                       "run_uuid, key) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	                "diiitt", value, m->timestamp, m->step, (int64_t)is_nan, run_id, m->key);
}

/* MLflow's _log_params: params are immutable; the same value again is fine. */
static int log_param(struct mg_registry *reg, const char *run_id, const char *key,
                     const char *value, struct mg_err *err)
{
	struct sq *sq = impl(reg);
	sqlite3_stmt *st = NULL;
	size_t len;
	int rc, ret = -1;

	if (stored_value(reg, "param", key, value, MAX_PARAM_VAL_LENGTH, &len, err) ||
	    sql_query(sq, &st, err, "SELECT value FROM params WHERE run_uuid = ?1 AND key = ?2",
	              "tt", run_id, key))
		return -1;
	rc = step(sq, st, "reading a param", err);
	if (rc < 0)
		goto done;
	if (rc == 1) {
		const char *old = (const char *)sqlite3_column_text(st, 0);

		if (!old || strlen(old) != len || memcmp(old, value, len))
			mg_err_set(err, MG_EXIT_USAGE,
			           "changing param values is not allowed: param '%.100s' of run "
			           "'%.64s' was logged as '%.100s', not '%.100s'",
			           key, run_id, old ? old : "", value);
		else
			ret = 0;
		goto done;
	}
	if (sql_exec(sq, "logging a param", err,
	             "INSERT INTO params (key, value, run_uuid) VALUES (?1, ?2, ?3)", "tTt", key,
	             value, len, run_id))
		goto done;
	ret = 0;
done:
	sqlite3_finalize(st);
	return ret;
}

/* MLflow's _set_tags: upsert; mlflow.runName also renames the run (update_run_info). */
static int log_run_tag(struct mg_registry *reg, const char *run_id, const char *key,
                       const char *value, struct mg_err *err)
{
	struct sq *sq = impl(reg);
	size_t len;

	if (stored_value(reg, "run tag", key, value, MAX_TAG_VAL_LENGTH, &len, err))
		return -1;
	if (strcmp(key, TAG_RUN_NAME))
		return upsert_run_tag(sq, run_id, key, value, len, err);
	if (!len)
		return 0; /* update_run_info ignores an empty run name */
	if (sql_exec(sq, "renaming a run", err, "UPDATE runs SET name = ?1 WHERE run_uuid = ?2",
	             "Tt", value, len, run_id))
		return -1;
	return upsert_run_tag(sq, run_id, key, value, len, err);
}

static int check_batch(const struct mg_kvlist *params, const struct mg_metriclist *metrics,
                       const struct mg_kvlist *tags, struct mg_err *err)
{
	size_t np = params ? params->n : 0, nm = metrics ? metrics->n : 0, nt = tags ? tags->n : 0;

	if (nm > MAX_METRICS_PER_BATCH || np > MAX_PARAMS_TAGS_PER_BATCH ||
	    nt > MAX_PARAMS_TAGS_PER_BATCH || nm + np + nt > MAX_ENTITIES_PER_BATCH)
		return mg_err_setr(err, MG_EXIT_USAGE, MG_REASON_TOO_LARGE,
		                   "a batch holds at most %d metrics, %d params and %d tags, %d "
		                   "in all: got %zu, %zu and %zu",
		                   MAX_METRICS_PER_BATCH, MAX_PARAMS_TAGS_PER_BATCH,
		                   MAX_PARAMS_TAGS_PER_BATCH, MAX_ENTITIES_PER_BATCH, nm, np, nt);
	for (size_t i = 0; i < nm; i++) {
		const struct mg_metric *m = &metrics->items[i];

		if (check_key_name("metric name", m->key, err) ||
		    check_length("metric name", m->key, MAX_ENTITY_KEY_LENGTH, err))
			return -1;
		if (m->timestamp < 0)
			return mg_err_set(err, MG_EXIT_USAGE,
			                  "metric '%.200s': timestamp %lld is negative", m->key,
			                  (long long)m->timestamp);
	}
	for (size_t i = 0; i < np; i++)
		if (check_key_name("param name", params->items[i].key, err) ||
		    check_length("param name", params->items[i].key, MAX_ENTITY_KEY_LENGTH, err))
			return -1;
	return check_run_tags(tags, err);
}

/*
 * MLflow's log_batch: params, then metrics, then tags, here in one
 * transaction (MLflow uses one per kind).
 */
static int sqlite_log_batch(struct mg_registry *reg, const char *run_id,
                            const struct mg_kvlist *params, const struct mg_metriclist *metrics,
                            const struct mg_kvlist *tags, struct mg_err *err)
{
	struct sq *sq = impl(reg);
	int ret = -1;

	if (check_run_id(run_id, err) || check_batch(params, metrics, tags, err) ||
	    begin_write(sq, err))
		return -1;
	if (need_active_run(reg, run_id, err))
		goto done;
	for (size_t i = 0; params && i < params->n; i++)
		if (log_param(reg, run_id, params->items[i].key, params->items[i].value, err))
			goto done;
	for (size_t i = 0; metrics && i < metrics->n; i++)
		if (log_metric(sq, run_id, &metrics->items[i], err))
			goto done;
	for (size_t i = 0; tags && i < tags->n; i++)
		if (log_run_tag(reg, run_id, tags->items[i].key, tags->items[i].value, err))
			goto done;
	if (commit(sq, err))
		goto done;
	ret = 0;
done:
	if (ret)
		rollback(sq);
	return ret;
}

/* MlflowClient.set_terminated -> update_run_info(status, end_time=now). */
static int sqlite_end_run(struct mg_registry *reg, const char *run_id, const char *status,
                          struct mg_err *err)
{
	struct sq *sq = impl(reg);

	if (begin_write(sq, err))
		return -1;
	if (need_active_run(reg, run_id, err) ||
	    sql_exec(sq, "ending a run", err,
	             "UPDATE runs SET status = ?1, end_time = ?2 WHERE run_uuid = ?3", "tit",
	             status, now_ms(), run_id) ||
	    commit(sq, err)) {
		rollback(sq);
		return -1;
	}
	return 0;
}

/* --- the backend ---------------------------------------------------------------- */

static const struct mg_registry_ops sqlite_ops = {
        .name = "sqlite",
        .close = sqlite_close,
        .get_model = sqlite_get_model,
        .get_version = sqlite_get_version,
        .get_version_by_alias = sqlite_get_version_by_alias,
        .versions_in_stage = sqlite_versions_in_stage,
        .search_versions = sqlite_search_versions,
        .get_run = sqlite_get_run,
        .get_logged_model = sqlite_get_logged_model,
        .metric_history = sqlite_metric_history,
        .set_version_tag = sqlite_set_version_tag,
        .delete_version_tag = sqlite_delete_version_tag,
        .update_version_description = sqlite_update_version_description,
        .transition_stage = sqlite_transition_stage,
        .set_alias = sqlite_set_alias,
        .delete_alias = sqlite_delete_alias,
        .move_if = sqlite_move_if,
        .experiment_id = sqlite_experiment_id,
        .create_run = sqlite_create_run,
        .log_batch = sqlite_log_batch,
        .end_run = sqlite_end_run,
};

int mg_registry_sqlite_open(struct mg_registry *reg, const char *uri, struct mg_err *err)
{
	struct sq *sq = mg_xcalloc(1, sizeof(*sq));
	struct stat stbuf;
	int rc;

	reg->ops = &sqlite_ops;
	reg->impl = sq;
	if (parse_timeout(&sq->timeout_s, err) || uri_path(uri, &sq->path, err))
		return -1;
	if (stat(sq->path, &stbuf)) {
		if (errno == ENOENT)
			/* not MG_REASON_NOT_FOUND: that would read as "no such model" */
			return mg_err_set(err, MG_EXIT_USAGE,
			                  "registry database '%s' does not exist (mlgate never "
			                  "creates one: let MLflow create it, e.g. with `mlflow "
			                  "server --backend-store-uri sqlite:///%s`)",
			                  sq->path, sq->path);
		return mg_err_set(err, MG_EXIT_INFRA, "cannot open registry database '%s': %s",
		                  sq->path, strerror(errno));
	}
	if (S_ISDIR(stbuf.st_mode))
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "registry database '%s' is a directory, not an SQLite file",
		                  sq->path);
	/* never SQLITE_OPEN_CREATE: a missing file is an error, not a new empty registry */
	rc = sqlite3_open_v2(sq->path, &sq->db, SQLITE_OPEN_READWRITE, NULL);
	if (rc != SQLITE_OK) {
		if (!sq->db)
			mg_die_oom(0);
		return mg_err_set(err, MG_EXIT_INFRA, "cannot open registry database '%s': %s",
		                  sq->path, sqlite3_errmsg(sq->db));
	}
	sqlite3_extended_result_codes(sq->db, 1);
	sqlite3_busy_timeout(sq->db, (int)(sq->timeout_s * 1000 + 0.5));
	/*
	 * The session settings MLflow's SQLAlchemy engine uses for SQLite (LIKE
	 * is case-sensitive in MLflow's filters), and a 512 KiB page cache:
	 * searches scan the table once per page, so a larger cache buys little
	 * and memory stays bounded.
	 */
	if (exec(sq, "PRAGMA foreign_keys = ON", "configuring the connection", err) ||
	    exec(sq, "PRAGMA case_sensitive_like = ON", "configuring the connection", err) ||
	    exec(sq, "PRAGMA cache_size = -512", "configuring the connection", err))
		return -1;
	if (begin_read(sq, err))
		return -1;
	rc = check_revision(sq, err) || check_columns(sq, err);
	end_read(sq);
	return rc ? -1 : 0;
}
