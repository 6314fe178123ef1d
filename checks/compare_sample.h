/*
 * mlgate-compare on one pinned sample (compare.sample, --sample FILE): the
 * label and both models' outputs per row, the metrics computed on it, a
 * paired seeded bootstrap interval of each difference (BCa or percentile),
 * DeLong and exact McNemar as closed-form cross-checks, and a decision
 * against the non-inferiority margin: passed, failed or inconclusive (the
 * interval straddles the bound, or the sample is too small to tell).
 * docs/compare.md has the method and its known answers.
 */
#ifndef MG_COMPARE_SAMPLE_H
#define MG_COMPARE_SAMPLE_H

#include "setup.h"
#include "buf.h"
#include "err.h"
#include "json.h"
#include "markdown.h"
#include "result.h"

/* The schemas of compare.sample and compare.significance. */
extern const struct mg_schema mg_compare_sample_schema, mg_compare_significance_schema;

struct mg_compare_sample;

/*
 * Read the policy's compare section `pol` (sample, significance, metrics),
 * the sample file (`path_override`, else compare.sample.path) and check it.
 * `where` names the policy in messages. Bad input is MG_EXIT_USAGE naming
 * the row and column.
 */
int mg_compare_sample_load(const cJSON *pol, const char *where, const char *path_override,
                           unsigned jobs, struct mg_compare_sample **out, struct mg_err *err);

/* The same over `len` bytes in memory called `name` (fuzzing, tests); one thread. */
int mg_compare_sample_load_mem(const cJSON *pol, const char *name, const char *data, size_t len,
                               struct mg_compare_sample **out, struct mg_err *err);

/* Compute every metric, interval and decision. */
int mg_compare_sample_run(struct mg_compare_sample *cs, struct mg_err *err);

/*
 * Metric i (compare.metrics[i]): both values on the sample, the decision
 * (PASSED, FAILED, or SKIPPED for inconclusive) and its reason appended to
 * `why`.
 */
enum mg_status mg_compare_sample_metric(const struct mg_compare_sample *cs, size_t i, double *prod,
                                        double *cand, struct mg_buf *why);

/* Some metric is inconclusive (the verdict is then "manual", exit 4, unless one failed). */
bool mg_compare_sample_inconclusive(const struct mg_compare_sample *cs);

/* The evidence: suite properties, JSON and Markdown. */
void mg_compare_sample_props(const struct mg_compare_sample *cs, struct mg_suite *s);
void mg_compare_sample_json(const struct mg_compare_sample *cs, cJSON *compare);
void mg_compare_sample_json_metric(const struct mg_compare_sample *cs, size_t i, cJSON *metric);
void mg_compare_sample_md(const struct mg_compare_sample *cs, struct mg_md *md);

void mg_compare_sample_free(struct mg_compare_sample *cs);

#endif
