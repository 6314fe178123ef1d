/*
 * The result model every gate fills and every reporter reads: a result is
 * a list of suites (one per gate run; several after a merge), a suite is a
 * list of checks plus the evidence properties of DESIGN §4.
 *
 * Ownership: a result owns its suites, a suite owns its checks and
 * properties, a check owns its strings. Every string setter copies. A
 * pointer returned by mg_result_add_suite()/mg_suite_add() stays valid
 * until the next add on the same parent (the arrays grow).
 *
 * Text cleaning (mg_result_clean) is what makes untrusted text safe for
 * XML, logs and summaries: valid UTF-8, no ANSI colour sequences, no
 * XML-illegal characters, secrets masked, size capped keeping head and
 * tail. Every reporter runs every string through it.
 */
#ifndef MG_RESULT_H
#define MG_RESULT_H

#include "setup.h"
#include "buf.h"
#include "err.h"
#include "secrets.h"

#include <time.h>

/* Ordered by severity, so the worst of two is the larger. */
enum mg_status {
	MG_STATUS_PASSED = 0,  /* evaluated and said yes */
	MG_STATUS_SKIPPED = 1, /* waived or not applicable: message says why */
	MG_STATUS_FAILED = 2,  /* evaluated and said no */
	MG_STATUS_ERROR = 3,   /* could not be evaluated */
};

/* "passed", "skipped", "failed", "error". */
const char *mg_status_name(enum mg_status status);

struct mg_check {
	char *id;              /* stable check ID (testcase name); never a value */
	char *classname;       /* NULL: the suite name */
	enum mg_status status; /* */
	char *message;         /* one line for humans; NULL for none */
	char *type;            /* failure/error type; NULL: "failure" / "error" */
	char *details;         /* longer text: failure body, or output of a passed check */
	char *output;          /* captured output (system-out); NULL for none */
	char *errout;          /* captured error output (system-err); NULL for none */
	char *file;            /* repo-relative path the check is about; NULL for none */
	long line;             /* line in `file`, >= 1; 0 for none */
	double duration;       /* seconds, finite, >= 0 */
};

struct mg_prop {
	char *name;
	char *value;
};

struct mg_suite {
	char *name;            /* gate name: "comply" */
	char *hostname;        /* NULL: the writer asks gethostname() */
	time_t timestamp;      /* when the run started (UTC) */
	bool has_timestamp;    /* false: the writer uses the time of writing */
	double duration;       /* seconds; used when has_duration */
	bool has_duration;     /* false: the sum of the checks' durations */
	char *out, *err;       /* suite-level system-out / system-err; NULL for none */
	char *file;            /* the file of checks that name none (a gate's policy); NULL */
	struct mg_prop *props; /* evidence, in insertion order, names unique */
	size_t nprops, props_alloc;
	struct mg_check *checks;
	size_t nchecks, checks_alloc;
};

struct mg_result {
	char *name; /* the <testsuites> name */
	struct mg_suite *suites;
	size_t nsuites, suites_alloc;
};

struct mg_counts {
	size_t tests, passed, failures, errors, skipped;
	double time; /* seconds */
};

void mg_result_init(struct mg_result *r, const char *name);
void mg_result_release(struct mg_result *r);

/* Append an empty suite named `name` and return it. */
struct mg_suite *mg_result_add_suite(struct mg_result *r, const char *name);

/* Totals over every suite; time is the sum of the suites' times. */
void mg_result_counts(const struct mg_result *r, struct mg_counts *c);

/* The earliest suite timestamp; false when no suite has one. */
bool mg_result_first_timestamp(const struct mg_result *r, time_t *out);

void mg_suite_init(struct mg_suite *s, const char *name);
void mg_suite_release(struct mg_suite *s);

/* Append a check; `message` may be NULL. Returns it (see ownership above). */
struct mg_check *mg_suite_add(struct mg_suite *s, const char *id, enum mg_status status,
                              const char *message);

/* Set or replace property `name` (values are copied). */
void mg_suite_set_prop(struct mg_suite *s, const char *name, const char *value);

/* The value of property `name`, or NULL. */
const char *mg_suite_prop(const struct mg_suite *s, const char *name);
/* What a suite is called in one-line output: its mlgate.gate property, else its name. */
const char *mg_suite_label(const struct mg_suite *s);

/* Counts of the suite's checks; time is its duration (see has_duration). */
void mg_suite_counts(const struct mg_suite *s, struct mg_counts *c);

/*
 * Whether the suite is passing evidence: at least one check, no failure
 * or error, and its mlgate.verdict property (when present) is "passed".
 */
bool mg_suite_passed(const struct mg_suite *s);

/*
 * Call `each` for the failed and errored checks of `r`, in order, for at
 * most `max` of them (0: no limit). Returns how many more there were.
 */
size_t mg_result_each_problem(const struct mg_result *r, size_t max,
                              void (*each)(const struct mg_suite *s, const struct mg_check *c,
                                           void *arg),
                              void *arg);

/* What a failed or errored check says: "could not be evaluated: " for errors, then its message. */
void mg_check_problem_text(const struct mg_check *c, struct mg_buf *out);

/* Replace the owned string *field by a copy of `value` (NULL clears it). */
void mg_check_set(char **field, const char *value);

/* Text cleaning ----------------------------------------------------------- */

/* Caps, in bytes, for the kinds of text the reporters write. */
#define MG_TEXT_NAME_MAX    1024              /* IDs, names, paths, property names */
#define MG_TEXT_MESSAGE_MAX 4096              /* messages, property values */
#define MG_TEXT_OUTPUT_MAX  ((size_t)1 << 20) /* details and captured output */

/*
 * Append to `out` a cleaned copy of s[0..len): registered secrets masked
 * first, bad UTF-8 bytes replaced by U+FFFD, ANSI CSI sequences (colours,
 * cursor moves) removed, characters XML 1.0 forbids (and C0/C1 controls
 * other than TAB, LF, CR, and DEL) replaced by the visible token "#xNN",
 * bidirectional controls (text.h: U+202E reorders what a reviewer reads)
 * by "#xNNNN".
 * When the cleaned text would pass `cap` bytes (cap >= 256), its head and
 * tail are kept with "\n[... N bytes cut ...]\n" between them, and the
 * result is at most `cap` bytes. Cleaning clean text changes nothing.
 * `secrets` may be NULL. Returns -1 when `out` overflowed (see buf.h).
 */
int mg_result_clean(struct mg_buf *out, const char *s, size_t len, size_t cap,
                    const struct mg_secrets *secrets);

/*
 * As mg_result_clean(), then neutralise workflow commands that runners
 * find anywhere in a line ("##[" and "##vso[", any case): a zero-width
 * space goes after the "##". For text that is echoed into a CI log.
 */
int mg_result_clean_log(struct mg_buf *out, const char *s, size_t len, size_t cap,
                        const struct mg_secrets *secrets);

/* %.3f of a duration, in the C locale whatever the environment says. */
#define MG_SECONDS_LEN 32
char *mg_result_seconds(double seconds, char out[MG_SECONDS_LEN]);

/*
 * `nbytes` random bytes (mg_random_bytes) as lower-case hex (2 * nbytes + 1
 * chars into `out`). Fails (MG_EXIT_INFRA) rather than fall back to a
 * guessable value: the tokens guard against command injection.
 */
int mg_result_random_hex(char *out, size_t nbytes, struct mg_err *err);

#endif
