#include "setup.h"
#include "comply.h"
#include "text.h"
#include "alloc.h"
#include "clock.h"
#include "git.h"
#include "json.h"
#include "markdown.h"
#include "policy.h"
#include "report.h"

#include <ctype.h>
#include <math.h>
#include <regex.h>
#include <strings.h>

/* --- the policy's "compliance" section ------------------------------------ */

static const struct mg_schema_field tag_rule_fields[] = {
        {"pattern", &mg_schema_regex, false},
        {"allowed", &mg_schema_string_list, false},
        {"required", &mg_schema_bool, false},
        {NULL, NULL, false},
};
static const struct mg_schema tag_rule = {.type = MG_SCHEMA_OBJECT, .fields = tag_rule_fields};
static const struct mg_schema tag_rules = {.type = MG_SCHEMA_MAP, .items = &tag_rule};

static const struct mg_schema length = {
        .type = MG_SCHEMA_INTEGER, .ranged = true, .min = 0, .max = 100000};
static const struct mg_schema_field description_fields[] = {
        {"min_length", &length, false},
        {NULL, NULL, false},
};
static const struct mg_schema description_rule = {.type = MG_SCHEMA_OBJECT,
                                                  .fields = description_fields};

static const struct mg_schema nonempty_list = {
        .type = MG_SCHEMA_ARRAY, .items = &mg_schema_nonempty_string, .nonempty = true};
static const struct mg_schema_field card_fields[] = {
        {"path", &mg_schema_nonempty_string, true},
        {"required_sections", &nonempty_list, false},
        {NULL, NULL, false},
};
static const struct mg_schema card_rule = {.type = MG_SCHEMA_OBJECT, .fields = card_fields};

static const char *const run_statuses[] = {"FINISHED", "RUNNING", "SCHEDULED",
                                           "FAILED",   "KILLED",  NULL};
static const struct mg_schema run_status = {.type = MG_SCHEMA_STRING, .choices = run_statuses};
static const struct mg_schema_field lineage_fields[] = {
        {"require_git_commit", &mg_schema_bool, false},
        {"reachable_from", &mg_schema_nonempty_string, false},
        {"run_status", &run_status, false},
        {NULL, NULL, false},
};
static const struct mg_schema lineage_rule = {.type = MG_SCHEMA_OBJECT, .fields = lineage_fields};

static const struct mg_schema_field run_fields[] = {
        {"required_params", &mg_schema_string_list, false},
        {"required_metrics", &mg_schema_string_list, false},
        {NULL, NULL, false},
};
static const struct mg_schema run_rules = {.type = MG_SCHEMA_OBJECT, .fields = run_fields};

static const char *const severities[] = {"fail", "warn", NULL};
static const struct mg_schema severity_value = {.type = MG_SCHEMA_STRING, .choices = severities};
static const struct mg_schema severity = {.type = MG_SCHEMA_MAP, .items = &severity_value};

static const struct mg_schema_field waiver_fields[] = {
        {"check", &mg_schema_nonempty_string, true},
        {"reason", &mg_schema_nonempty_string, true},
        {"owner", &mg_schema_nonempty_string, true},
        {"expires", &mg_schema_date, true},
        {NULL, NULL, false},
};
static const struct mg_schema waiver = {.type = MG_SCHEMA_OBJECT, .fields = waiver_fields};
static const struct mg_schema waivers = {.type = MG_SCHEMA_ARRAY, .items = &waiver};

static const struct mg_schema_field compliance_fields[] = {
        {"version_tags", &tag_rules, false},
        {"model_tags", &tag_rules, false},
        {"forbidden_tags", &mg_schema_string_list, false},
        {"description", &description_rule, false},
        {"model_card", &card_rule, false},
        {"lineage", &lineage_rule, false},
        {"run", &run_rules, false},
        {"severity", &severity, false},
        {"waivers", &waivers, false},
        {NULL, NULL, false},
};
static const struct mg_schema compliance = {.type = MG_SCHEMA_OBJECT, .fields = compliance_fields};

const struct mg_schema *mg_comply_policy_schema(void)
{
	return &compliance;
}

/* --- state of one run ----------------------------------------------------- */

struct comply {
	struct mg_ctx *ctx;
	const struct mg_comply_opts *o;
	const cJSON *pol; /* the "compliance" section */
	struct mg_registry *reg;
	struct mg_model_version mv;
	struct mg_registered_model rm;
	struct mg_run run;
	bool have_run;
	struct mg_git *git;
	char commit[MG_GIT_OID_HEX]; /* full id once known, else "" */
	char no_commit[400];         /* why commit is "", for the checks that need it */
	struct mg_suite *suite;
	uint64_t t0; /* start of the current check */
	size_t warnings;
	size_t waived; /* failures a waiver turned into skipped (the rest of skipped: optional) */
};

/* Add a check timed from the previous one (gate/gate.h). */
#define ADD_CHECK(c, ...) mg_gate_addf((c)->suite, &(c)->t0, __VA_ARGS__)

static const cJSON *pol_get(const cJSON *o, const char *key)
{
	return o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

/* --- helpers ---------------------------------------------------------------- */

/* Code points of the user's text seen so far, and the white space around it. */
struct text_count {
	size_t all, lead, trail;
	bool seen; /* a character other than white space */
};

static void count_text(struct text_count *t, const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)p[i];

		if ((ch & 0xC0) == 0x80)
			continue; /* a continuation byte: its code point is counted */
		t->all++;
		if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' ||
		    ch == '\f') {
			if (t->seen)
				t->trail++;
			else
				t->lead++;
		} else {
			t->seen = true;
			t->trail = 0;
		}
	}
}

/*
 * Characters (UTF-8 code points) of the user's description `s`: without what
 * mg_gate_writeback appended on earlier runs (each "[mlgate] " line and the
 * newline joining it to the text before it), and without surrounding white
 * space. So the same description gives the same length on every run.
 */
static size_t description_length(const char *s)
{
	struct text_count t = {0};
	bool first = true;

	for (const char *p = s; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (strncmp(p, "[mlgate] ", 9)) {
			if (!first)
				count_text(&t, "\n", 1);
			count_text(&t, p, len);
			first = false;
		}
		p += len + (nl ? 1 : 0);
	}
	return t.seen ? t.all - t.lead - t.trail : 0;
}

/* A heading line: level (1..6) and its trimmed text, or 0. Setext handled by the caller. */
static int atx_heading(const char *line, size_t len, const char **text, size_t *tlen)
{
	size_t i = 0, lvl;

	while (i < len && i < 3 && line[i] == ' ')
		i++;
	lvl = i;
	while (i < len && line[i] == '#')
		i++;
	lvl = i - lvl;
	if (lvl < 1 || lvl > 6 || (i < len && line[i] != ' ' && line[i] != '\t'))
		return 0;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	*text = line + i;
	*tlen = len - i;
	/* closing #s and trailing blanks */
	while (*tlen && ((*text)[*tlen - 1] == ' ' || (*text)[*tlen - 1] == '\t' ||
	                 (*text)[*tlen - 1] == '\r'))
		(*tlen)--;
	while (*tlen && (*text)[*tlen - 1] == '#')
		(*tlen)--;
	while (*tlen && ((*text)[*tlen - 1] == ' ' || (*text)[*tlen - 1] == '\t'))
		(*tlen)--;
	return (int)lvl;
}

static bool blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!isspace((unsigned char)s[i]))
			return false;
	return true;
}

static bool is_fence(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && i < 3 && s[i] == ' ')
		i++;
	return len - i >= 3 && (!strncmp(s + i, "```", 3) || !strncmp(s + i, "~~~", 3));
}

/* Setext underline ("===" or "---"): 1 or 2, else 0. */
static int setext(const char *s, size_t len)
{
	size_t i = 0;
	char ch;

	while (i < len && i < 3 && s[i] == ' ')
		i++;
	if (i >= len || (s[i] != '=' && s[i] != '-'))
		return 0;
	ch = s[i];
	while (i < len && s[i] == ch)
		i++;
	return blank(s + i, len - i) ? (ch == '=' ? 1 : 2) : 0;
}

bool mg_markdown_has_section(const char *md, const char *section)
{
	size_t want = strlen(section);
	int in_level = 0; /* > 0 while inside the wanted section */
	bool fenced = false;
	const char *prev = NULL;
	size_t prev_len = 0;

	for (const char *p = md; *p;) {
		const char *nl = strchr(p, '\n'), *text = NULL;
		size_t len = nl ? (size_t)(nl - p) : strlen(p), tlen = 0;
		int lvl = 0;

		if (is_fence(p, len)) {
			fenced = !fenced;
		} else if (!fenced) {
			lvl = atx_heading(p, len, &text, &tlen);
			if (!lvl && prev && !blank(prev, prev_len) && setext(p, len)) {
				lvl = setext(p, len);
				text = prev;
				tlen = prev_len;
				while (tlen && isspace((unsigned char)text[tlen - 1]))
					tlen--;
				while (tlen && isspace((unsigned char)*text)) {
					text++;
					tlen--;
				}
			}
		}
		if (lvl) {
			if (in_level && lvl <= in_level)
				in_level = 0; /* the section ended empty */
			if (tlen == want && !strncasecmp(text, section, want))
				in_level = lvl;
		} else if (in_level && !blank(p, len) &&
		           !(nl && setext(nl + 1, strcspn(nl + 1, "\n")))) {
			return true; /* text under the heading (not the next setext heading's title)
			              */
		}
		prev = p;
		prev_len = len;
		p += len + (nl ? 1 : 0);
	}
	return false;
}

/* --- the checks -------------------------------------------------------------- */

static void join_list(const cJSON *arr, struct mg_buf *out)
{
	const cJSON *v;

	cJSON_ArrayForEach(v, arr)
	{
		mg_buf_addf(out, "%s%s", out->len ? ", " : "", v->valuestring);
	}
}

static void check_tags(struct comply *c, const char *kind, const cJSON *rules,
                       const struct mg_kvlist *tags, const char *owner)
{
	const cJSON *rule;
	struct mg_buf id = MG_BUF_INIT(MG_BUF_SMALL), list = MG_BUF_INIT(MG_BUF_SMALL);

	cJSON_ArrayForEach(rule, rules)
	{
		const char *key = rule->string, *value = mg_kvlist_get(tags, key);
		const cJSON *pattern = pol_get(rule, "pattern"),
		            *allowed = pol_get(rule, "allowed");
		const cJSON *required = pol_get(rule, "required");
		bool found = false;

		mg_buf_reset(&id);
		mg_buf_addf(&id, "compliance.%s.", kind);
		mg_check_slug(&id, key);
		if (!value) {
			if (cJSON_IsFalse(required))
				ADD_CHECK(c, id.buf, MG_STATUS_SKIPPED,
				          "%s tag '%s' is not set (optional)", owner, key);
			else
				ADD_CHECK(c, id.buf, MG_STATUS_FAILED, "%s tag '%s' is missing",
				          owner, key);
			continue;
		}
		if (!*value) {
			ADD_CHECK(c, id.buf, MG_STATUS_FAILED, "%s tag '%s' is empty", owner, key);
			continue;
		}
		if (cJSON_IsString(pattern)) {
			regex_t re;

			/* the policy check compiled it already */
			if (regcomp(&re, pattern->valuestring, REG_EXTENDED | REG_NOSUB))
				mg_die_oom(0);
			found = !regexec(&re, value, 0, NULL, 0);
			regfree(&re);
			if (!found) {
				ADD_CHECK(c, id.buf, MG_STATUS_FAILED,
				          "%s tag %s='%s' does not match %s", owner, key, value,
				          pattern->valuestring);
				continue;
			}
		}
		if (cJSON_IsArray(allowed)) {
			const cJSON *a;

			found = false;
			cJSON_ArrayForEach(a, allowed)
			{
				found = found || !strcmp(a->valuestring, value);
			}
			if (!found) {
				mg_buf_reset(&list);
				join_list(allowed, &list);
				ADD_CHECK(c, id.buf, MG_STATUS_FAILED,
				          "%s tag %s='%s' is not one of %s", owner, key, value,
				          list.buf);
				continue;
			}
		}
		ADD_CHECK(c, id.buf, MG_STATUS_PASSED, "%s=%s", key, value);
	}
	mg_buf_release(&id);
	mg_buf_release(&list);
}

static void check_forbidden(struct comply *c, const cJSON *keys)
{
	const cJSON *k;
	struct mg_buf id = MG_BUF_INIT(MG_BUF_SMALL);

	cJSON_ArrayForEach(k, keys)
	{
		const char *v = mg_kvlist_get(&c->mv.tags, k->valuestring);

		mg_buf_reset(&id);
		mg_buf_adds(&id, "compliance.forbidden_tag.");
		mg_check_slug(&id, k->valuestring);
		if (v)
			ADD_CHECK(c, id.buf, MG_STATUS_FAILED, "forbidden tag '%s' is set ('%s')",
			          k->valuestring, v);
		else
			ADD_CHECK(c, id.buf, MG_STATUS_PASSED, "tag '%s' is not set",
			          k->valuestring);
	}
	mg_buf_release(&id);
}

static void check_description(struct comply *c, const cJSON *rule)
{
	const cJSON *min = pol_get(rule, "min_length");
	size_t n = description_length(c->mv.description), want = 1;

	if (cJSON_IsNumber(min) && min->valuedouble > 1)
		want = (size_t)min->valuedouble;
	if (!n)
		ADD_CHECK(c, "compliance.description", MG_STATUS_FAILED,
		          "the model version has no description");
	else if (n < want)
		ADD_CHECK(c, "compliance.description", MG_STATUS_FAILED,
		          "the description has %zu %s, the policy asks for at least %zu", n,
		          mg_plural(n, "character", "characters"), want);
	else
		ADD_CHECK(c, "compliance.description", MG_STATUS_PASSED, "%zu %s", n,
		          mg_plural(n, "character", "characters"));
}

/* Read the run behind the version; false (with a check added) when there is none. */
static int load_run(struct comply *c, struct mg_err *err)
{
	if (c->have_run || !*c->mv.run_id)
		return 0;
	if (mg_registry_get_run(c->reg, c->mv.run_id, &c->run, err)) {
		if (err->reason != MG_REASON_NOT_FOUND)
			return -1;
		mg_err_clear(err);
		return 0;
	}
	c->have_run = true;
	return 0;
}

/* The training commit as every gate records it (the run's tag, else --commit), or "". */
static const char *training_commit(const struct comply *c)
{
	return mg_gate_training_commit(c->have_run ? &c->run : NULL, c->o->commit);
}

/* The run's commit tag and --commit disagree (the tag wins; --commit may be a prefix). */
static bool commit_conflict(const struct comply *c)
{
	const char *tag = mg_gate_training_commit(c->have_run ? &c->run : NULL, NULL);

	return *tag && c->o->commit && strncasecmp(tag, c->o->commit, strlen(c->o->commit));
}

/*
 * The commit the model came from, as a full id in the repository: the run's
 * tag, or --commit. When it cannot be known, c->commit stays "" and
 * c->no_commit says why (for the checks that need it).
 */
static int find_commit(struct comply *c, struct mg_err *err)
{
	const char *want = training_commit(c);

	if (commit_conflict(c)) {
		snprintf(c->no_commit, sizeof(c->no_commit),
		         "the run was trained at commit %.64s but --commit says %.64s", want,
		         c->o->commit);
		return 0;
	}
	if (!*want) {
		snprintf(c->no_commit, sizeof(c->no_commit),
		         "no git commit: the run has no mlflow.source.git.commit tag and --commit "
		         "was not given");
		return 0;
	}
	if (mg_git_commit_id(c->git, want, c->commit, err)) {
		if (err->reason != MG_REASON_NOT_FOUND)
			return -1;
		snprintf(c->no_commit, sizeof(c->no_commit),
		         "commit %.64s is not in the repository at '%.200s'", want,
		         mg_git_workdir(c->git));
		mg_err_clear(err);
		c->commit[0] = '\0';
	}
	return 0;
}

static int check_lineage(struct comply *c, const cJSON *rule, struct mg_err *err)
{
	const cJSON *status = pol_get(rule, "run_status");
	const cJSON *need_commit = pol_get(rule, "require_git_commit");
	const cJSON *branch = pol_get(rule, "reachable_from");

	if (!*c->mv.run_id)
		ADD_CHECK(c, "compliance.lineage.run", MG_STATUS_FAILED,
		          "the model version names no run it came from");
	else if (!c->have_run)
		ADD_CHECK(c, "compliance.lineage.run", MG_STATUS_FAILED, "run %s does not exist",
		          c->mv.run_id);
	else if (cJSON_IsString(status) && strcmp(c->run.status, status->valuestring))
		ADD_CHECK(c, "compliance.lineage.run", MG_STATUS_FAILED,
		          "run %s has status %s, the policy asks for %s", c->run.run_id,
		          c->run.status, status->valuestring);
	else
		ADD_CHECK(c, "compliance.lineage.run", MG_STATUS_PASSED, "run %s, status %s",
		          c->run.run_id, c->run.status);

	/* the check exists only when the policy asks for it ("require_git_commit": true) */
	if (cJSON_IsTrue(need_commit)) {
		if (c->commit[0])
			ADD_CHECK(c, "compliance.lineage.git_commit", MG_STATUS_PASSED, "commit %s",
			          c->commit);
		else
			ADD_CHECK(c, "compliance.lineage.git_commit", MG_STATUS_FAILED, "%s",
			          c->no_commit);
	}
	if (cJSON_IsString(branch)) {
		char tip[MG_GIT_OID_HEX];
		bool reach = false;

		if (!c->commit[0]) {
			ADD_CHECK(c, "compliance.lineage.reachable", MG_STATUS_FAILED,
			          "not checked against branch '%s': %s", branch->valuestring,
			          c->no_commit);
			return 0;
		}
		if (mg_git_branch_tip(c->git, branch->valuestring, tip, err)) {
			if (err->reason != MG_REASON_NOT_FOUND)
				return -1;
			ADD_CHECK(c, "compliance.lineage.reachable", MG_STATUS_FAILED, "%s",
			          err->msg);
			mg_err_clear(err);
			return 0;
		}
		if (mg_git_is_reachable(c->git, c->commit, tip, &reach, err))
			return -1;
		if (reach)
			ADD_CHECK(c, "compliance.lineage.reachable", MG_STATUS_PASSED,
			          "commit %.12s is on %s", c->commit, branch->valuestring);
		else
			ADD_CHECK(c, "compliance.lineage.reachable", MG_STATUS_FAILED,
			          "commit %.12s is not reachable from %s (%.12s)", c->commit,
			          branch->valuestring, tip);
	}
	return 0;
}

static void check_run(struct comply *c, const cJSON *rule)
{
	const cJSON *params = pol_get(rule, "required_params"), *v;
	const cJSON *metrics = pol_get(rule, "required_metrics");
	struct mg_buf id = MG_BUF_INIT(MG_BUF_SMALL);
	char num[MG_DOUBLE_LEN];

	cJSON_ArrayForEach(v, params)
	{
		const char *p = c->have_run ? mg_kvlist_get(&c->run.params, v->valuestring) : NULL;

		mg_buf_reset(&id);
		mg_buf_adds(&id, "compliance.run.param.");
		mg_check_slug(&id, v->valuestring);
		if (!c->have_run)
			ADD_CHECK(c, id.buf, MG_STATUS_FAILED, "no run to read parameter '%s' from",
			          v->valuestring);
		else if (!p)
			ADD_CHECK(c, id.buf, MG_STATUS_FAILED, "run %s has no parameter '%s'",
			          c->run.run_id, v->valuestring);
		else
			ADD_CHECK(c, id.buf, MG_STATUS_PASSED, "%s=%s", v->valuestring, p);
	}
	cJSON_ArrayForEach(v, metrics)
	{
		const struct mg_metric *m =
		        c->have_run ? mg_metriclist_get(&c->run.metrics, v->valuestring) : NULL;

		mg_buf_reset(&id);
		mg_buf_adds(&id, "compliance.run.metric.");
		mg_check_slug(&id, v->valuestring);
		if (!c->have_run)
			ADD_CHECK(c, id.buf, MG_STATUS_FAILED, "no run to read metric '%s' from",
			          v->valuestring);
		else if (!m)
			ADD_CHECK(c, id.buf, MG_STATUS_FAILED, "run %s has no metric '%s'",
			          c->run.run_id, v->valuestring);
		else if (!isfinite(m->value))
			ADD_CHECK(c, id.buf, MG_STATUS_FAILED,
			          "metric '%s' is %s, not a finite number", v->valuestring,
			          isnan(m->value) ? "NaN" : "infinite");
		else
			ADD_CHECK(c, id.buf, MG_STATUS_PASSED, "%s=%s", v->valuestring,
			          mg_double_str(m->value, num));
	}
	mg_buf_release(&id);
}

/* "models/{model}/MODEL_CARD.md" with the placeholders filled in. */
static void card_path(struct comply *c, const char *tmpl, struct mg_buf *out)
{
	for (const char *p = tmpl; *p; p++) {
		if (!strncmp(p, "{model}", 7)) {
			mg_buf_adds(out, c->mv.name);
			p += 6;
		} else if (!strncmp(p, "{version}", 9)) {
			mg_buf_adds(out, c->mv.version);
			p += 8;
		} else {
			mg_buf_addch(out, *p);
		}
	}
}

static int check_card(struct comply *c, const cJSON *rule, struct mg_err *err)
{
	const cJSON *sections = pol_get(rule, "required_sections"), *s;
	struct mg_buf path = MG_BUF_INIT(MG_BUF_SMALL), text = MG_BUF_INIT(MG_BUF_LARGE / 16);
	struct mg_buf id = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_check *k;
	bool have = false;
	int ret = -1;

	card_path(c, pol_get(rule, "path")->valuestring, &path);
	if (!c->commit[0]) {
		k = ADD_CHECK(c, "compliance.model_card", MG_STATUS_FAILED,
		              "model card '%s' not read: %s", path.buf, c->no_commit);
	} else if (mg_git_read_file(c->git, c->commit, path.buf, &text, err)) {
		if (err->reason != MG_REASON_NOT_FOUND && err->reason != MG_REASON_TOO_LARGE)
			goto done;
		k = ADD_CHECK(c, "compliance.model_card", MG_STATUS_FAILED, "%s", err->msg);
		mg_err_clear(err);
	} else {
		k = ADD_CHECK(c, "compliance.model_card", MG_STATUS_PASSED, "%s at commit %.12s",
		              path.buf, c->commit);
		have = true;
	}
	mg_check_set(&k->file, path.buf);
	cJSON_ArrayForEach(s, sections)
	{
		mg_buf_reset(&id);
		mg_buf_adds(&id, "compliance.model_card.section.");
		mg_check_slug(&id, s->valuestring);
		if (!have)
			k = ADD_CHECK(c, id.buf, MG_STATUS_FAILED,
			              "no model card to look for '%s' in", s->valuestring);
		else if (mg_markdown_has_section(text.buf, s->valuestring))
			k = ADD_CHECK(c, id.buf, MG_STATUS_PASSED, "section '%s' present",
			              s->valuestring);
		else
			k = ADD_CHECK(c, id.buf, MG_STATUS_FAILED,
			              "the model card has no section '%s' with text under it",
			              s->valuestring);
		mg_check_set(&k->file, path.buf);
	}
	ret = 0;
done:
	mg_buf_release(&path);
	mg_buf_release(&text);
	mg_buf_release(&id);
	return ret;
}

/* --- severity and waivers -------------------------------------------------- */

static struct mg_check *find_check(struct comply *c, const char *id)
{
	for (size_t i = 0; i < c->suite->nchecks; i++)
		if (!strcmp(c->suite->checks[i].id, id))
			return &c->suite->checks[i];
	return NULL;
}

/* A policy entry naming a check that does not exist is a typo: refuse it. */
static int unknown_check(const struct mg_policy *p, const char *key_path, const char *id,
                         struct mg_err *err)
{
	return mg_err_set(err, MG_EXIT_USAGE,
	                  "policy '%s': %s: no check '%s' in this run (see the check IDs in the "
	                  "JUnit or JSON output)",
	                  p->path, key_path, id);
}

/* Put `prefix` in front of the check's message. */
static void prefix_message(struct mg_check *k, const char *prefix)
{
	struct mg_buf msg = MG_BUF_INIT(MG_BUF_SMALL);

	mg_buf_adds(&msg, prefix);
	mg_buf_adds(&msg, k->message ? k->message : "");
	mg_check_set(&k->message, msg.buf);
	mg_buf_release(&msg);
}

static int apply_policy(struct comply *c, const struct mg_policy *p, time_t now, struct mg_err *err)
{
	const cJSON *sev = pol_get(c->pol, "severity"), *w, *e;
	struct mg_buf path = MG_BUF_INIT(MG_BUF_SMALL);
	int i = 0, ret = -1;

	cJSON_ArrayForEach(e, sev)
	{
		struct mg_check *k = find_check(c, e->string);

		mg_buf_reset(&path);
		mg_buf_addf(&path, "compliance.severity.%s", e->string);
		if (!k) {
			unknown_check(p, path.buf, e->string, err);
			goto done;
		}
		if (strcmp(e->valuestring, "warn") || k->status != MG_STATUS_FAILED)
			continue;
		c->warnings++;
		if (c->o->fail_on_warn) {
			prefix_message(k, "warning (failing: --fail-on-warn): ");
		} else {
			k->status = MG_STATUS_PASSED;
			prefix_message(k, "warning: ");
		}
	}
	cJSON_ArrayForEach(w, pol_get(c->pol, "waivers"))
	{
		const char *id = mg_json_str(w, "check"), *expires = mg_json_str(w, "expires");
		struct mg_check *k = find_check(c, id);
		struct mg_buf note = MG_BUF_INIT(MG_BUF_SMALL), prefix = MG_BUF_INIT(MG_BUF_SMALL);
		time_t until;

		mg_buf_reset(&path);
		mg_buf_addf(&path, "compliance.waivers[%d].check", i++);
		if (!k) {
			unknown_check(p, path.buf, id, err);
			mg_buf_release(&note);
			mg_buf_release(&prefix);
			goto done;
		}
		mg_time_parse(path.buf, expires, &until, err); /* checked by the schema */
		if (strlen(expires) == 10)
			until += 86400; /* a date waives through the end of that day (UTC) */
		mg_buf_addf(&note, "owner %s, reason: %s", mg_json_str(w, "owner"),
		            mg_json_str(w, "reason"));
		if (k->status == MG_STATUS_FAILED && now < until) {
			k->status = MG_STATUS_SKIPPED;
			c->waived++;
			mg_buf_addf(&note, "); would have failed: ");
			mg_buf_addf(&prefix, "waived until %s (", expires);
		} else if (k->status == MG_STATUS_FAILED) {
			mg_buf_addf(&note, "); ");
			mg_buf_addf(&prefix, "waiver expired on %s (", expires);
		}
		if (prefix.len) {
			mg_buf_add(&prefix, note.buf, note.len);
			prefix_message(k, prefix.buf);
		}
		mg_buf_release(&note);
		mg_buf_release(&prefix);
	}
	ret = 0;
done:
	mg_buf_release(&path);
	return ret;
}

/* --- the gate ---------------------------------------------------------------- */

static int evaluate(struct comply *c, struct mg_err *err)
{
	const cJSON *lin = pol_get(c->pol, "lineage"), *mc = pol_get(c->pol, "model_card");
	const cJSON *runr = pol_get(c->pol, "run");

	if (pol_get(c->pol, "model_tags") && mg_registry_get_model(c->reg, c->mv.name, &c->rm, err))
		return -1;
	check_tags(c, "version_tag", pol_get(c->pol, "version_tags"), &c->mv.tags, "version");
	check_tags(c, "model_tag", pol_get(c->pol, "model_tags"), &c->rm.tags, "model");
	check_forbidden(c, pol_get(c->pol, "forbidden_tags"));
	if (pol_get(c->pol, "description"))
		check_description(c, pol_get(c->pol, "description"));
	/* the run, always: its commit is part of the evidence whatever the policy checks */
	if (load_run(c, err))
		return -1;
	/* git only when a check reads it: the commit's existence, a branch, the model card */
	if (mc || cJSON_IsTrue(pol_get(lin, "require_git_commit")) ||
	    pol_get(lin, "reachable_from")) {
		if (mg_git_open(c->o->repo ? c->o->repo : ".", &c->git, err) || find_commit(c, err))
			return -1;
	}
	if (lin && check_lineage(c, lin, err))
		return -1;
	if (!c->git && commit_conflict(c))
		mg_warn(&c->ctx->log,
		        "--commit %s is not the run's commit %s (its mlflow.source.git.commit "
		        "tag): "
		        "the run's is recorded",
		        c->o->commit, training_commit(c));
	if (runr)
		check_run(c, runr);
	if (mc && check_card(c, mc, err))
		return -1;
	return 0;
}

/* The description line: the counts, skipped (an optional tag not set) apart from waived. */
static void comply_summary(void *arg, const struct mg_gate_run *run, struct mg_buf *out)
{
	const struct comply *c = arg;
	struct mg_counts counts;

	(void)run;
	mg_suite_counts(c->suite, &counts);
	mg_buf_addf(out, "%zu %s, %zu failed, %zu skipped, %zu waived, %zu %s", counts.tests,
	            mg_plural(counts.tests, "check", "checks"), counts.failures,
	            counts.skipped - c->waived, c->waived, c->warnings,
	            mg_plural(c->warnings, "warning", "warnings"));
}

static void comply_props(void *arg, struct mg_suite *s)
{
	const struct comply *c = arg;
	char n[32];

	if (!c->warnings)
		return;
	snprintf(n, sizeof(n), "%zu", c->warnings);
	mg_suite_set_prop(s, "mlgate.warnings", n);
}

static const struct mg_gate_hooks comply_hooks = {
        .summary = comply_summary,
        .props = comply_props,
};

int mg_comply_run(struct mg_ctx *ctx, const struct mg_comply_opts *o, struct mg_err *err)
{
	struct comply c = {0};
	struct mg_policy policy = {0};
	struct mg_result result;
	struct mg_buf uri = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_writes writes = MG_WRITES_INIT(o->gate.dry_run);
	struct mg_gate_run run = {0};
	struct mg_gate_end end = {ctx,           &o->gate, o->quiet,     &result, NULL, &run,
	                          NULL,          NULL,     "compliance", false,   0,    &writes,
	                          &comply_hooks, &c};
	int ret = -1;

	c.ctx = ctx;
	c.o = o;
	mg_result_init(&result, "mlgate");
	c.suite = end.suite = mg_result_add_suite(&result, "comply");
	mg_gate_run_init(&run, "comply", &o->gate);

	/* configuration first: nothing is read before it is known to be sane */
	if (mg_gate_check_opts(ctx, &o->gate, err) ||
	    mg_gate_load_policy(&o->gate, "compliance", &compliance, &policy, &c.pol, &run, err))
		goto done;

	mg_registry_resolve_uri(o->gate.registry, &uri);
	if (mg_registry_open(ctx, uri.buf, &c.reg, err))
		goto done;
	end.reg = c.reg;
	run.registry = mg_registry_uri(c.reg);
	if (mg_gate_resolve(c.reg, &o->gate, &c.mv, err))
		goto done;
	end.mv = &c.mv;
	run.version = c.mv.version;
	run.model = c.mv.name;
	c.t0 = run.started_ns; /* the first check's time counts the reads it needed */
	if (evaluate(&c, err))
		goto done;
	/* the full id when git resolved it, else the commit as the run (or --commit) names it */
	run.commit = c.commit[0] ? c.commit : training_commit(&c);
	if (apply_policy(&c, &policy, run.started, err))
		goto done;
	ret = 0;
done:
	ret = mg_gate_finish(&end, ret != 0, err);
	mg_model_version_release(&c.mv);
	mg_registered_model_release(&c.rm);
	mg_run_release(&c.run);
	mg_git_close(c.git);
	mg_registry_close(c.reg);
	mg_policy_release(&policy);
	mg_result_release(&result);
	mg_buf_release(&uri);
	mg_writes_release(&writes);
	return ret;
}
