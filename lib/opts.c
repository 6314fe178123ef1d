#include "setup.h"
#include "opts.h"
#include "alloc.h"
#include "buf.h"
#include "log.h"
#include "optsdoc.h"
#include "parse.h"
#include "text.h"
#include "version.h"

#include <assert.h>

/* Width of the option column in --help. */
#define HELP_COL 28

static const struct mg_opt *find_long(const struct mg_opt *opts, const char *name, size_t len)
{
	for (const struct mg_opt *o = opts; o->type != MG_OPT_END; o++)
		if (o->long_name && strlen(o->long_name) == len &&
		    !strncmp(o->long_name, name, len))
			return o;
	return NULL;
}

static const struct mg_opt *find_short(const struct mg_opt *opts, char c)
{
	for (const struct mg_opt *o = opts; o->type != MG_OPT_END; o++)
		if (o->short_name && o->short_name == c)
			return o;
	return NULL;
}

static bool takes_value(const struct mg_opt *o)
{
	return o->type == MG_OPT_STRING || o->type == MG_OPT_NAME || o->type == MG_OPT_INT ||
	       o->type == MG_OPT_DOUBLE || o->type == MG_OPT_CHOICE || o->type == MG_OPT_LIST;
}

bool mg_opt_takes_value(const struct mg_opt *o)
{
	return takes_value(o);
}

/* "--name" or "-n", as the user typed it, for messages. */
static void opt_label(const struct mg_opt *o, bool as_long, char *out, size_t n)
{
	if (as_long || !o->short_name)
		snprintf(out, n, "--%s", o->long_name);
	else
		snprintf(out, n, "-%c", o->short_name);
}

static int choice_error(const struct mg_opt *o, const char *label, const char *v,
                        struct mg_err *err)
{
	struct mg_buf list = MG_BUF_INIT(MG_BUF_SMALL);

	for (size_t i = 0; o->choices[i]; i++)
		mg_buf_addf(&list, "%s%s", i ? ", " : "", o->choices[i]);
	mg_err_set(err, MG_EXIT_USAGE, "invalid value '%.64s' for %s: expected one of %s", v, label,
	           list.buf);
	mg_buf_release(&list);
	return -1;
}

static int store(const struct mg_opt *o, const char *label, const char *v, struct mg_err *err)
{
	switch (o->type) {
	case MG_OPT_NAME: {
		struct mg_buf shown = MG_BUF_INIT(MG_BUF_SMALL);
		char why[80];

		if (mg_text_check(v, strlen(v), true, why, sizeof(why))) {
			mg_text_add_visible(&shown, v, strlen(v));
			mg_err_set(err, MG_EXIT_USAGE, "invalid value '%.64s' for %s: %s",
			           shown.buf, label, why);
			mg_buf_release(&shown);
			return -1;
		}
		*(const char **)o->value = v;
		return 0;
	}
	case MG_OPT_STRING:
		*(const char **)o->value = v;
		return 0;
	case MG_OPT_LIST:
		mg_strlist_push(o->value, v);
		return 0;
	case MG_OPT_INT:
		return mg_parse_ll(label, v, o->min, o->max, o->value, err);
	case MG_OPT_DOUBLE:
		return mg_parse_double(label, v, o->value, err);
	case MG_OPT_CHOICE:
		for (size_t i = 0; o->choices[i]; i++) {
			if (!strcmp(v, o->choices[i])) {
				*(const char **)o->value = o->choices[i];
				return 0;
			}
		}
		return choice_error(o, label, v, err);
	default:
		return mg_err_set(err, MG_EXIT_USAGE, "option %s takes no value", label);
	}
}

/* Whether option `name` (a long name the table must have) was given. */
static bool given_opt(const struct mg_cmd_spec *spec, const char *name, const bool *given)
{
	const struct mg_opt *o = find_long(spec->opts, name, strlen(name));

	assert(o); /* a rule names options of its own table */
	return o && given[o - spec->opts];
}

/* "--a, --b and --c" */
static void rule_names(const struct mg_opt_rule *r, const char *and, struct mg_buf *out)
{
	for (size_t i = 0; r->opts[i]; i++)
		mg_buf_addf(out, "%s--%s", !i ? "" : r->opts[i + 1] ? ", " : and, r->opts[i]);
}

/* Check the rules against which options were given (`given`, indexed like the table). */
static int check_rules(const struct mg_cmd_spec *spec, const bool *given, struct mg_err *err)
{
	struct mg_buf names = MG_BUF_INIT(MG_BUF_SMALL);
	int ret = 0;

	for (const struct mg_opt_rule *r = spec->rules; r && r->kind != MG_RULE_NONE; r++) {
		size_t n = 0, k = 0;

		for (; r->opts[k]; k++)
			n += given_opt(spec, r->opts[k], given);
		mg_buf_reset(&names);
		rule_names(r, r->kind == MG_RULE_NEEDS ? "" : " and ", &names);
		if (r->kind == MG_RULE_ONE && n != 1)
			ret = mg_err_set(err, MG_EXIT_USAGE, "give exactly one of %s (got %zu)",
			                 names.buf, n);
		else if (r->kind == MG_RULE_AT_MOST_ONE && n > 1)
			ret = mg_err_set(err, MG_EXIT_USAGE, "give at most one of %s (got %zu)",
			                 names.buf, n);
		else if (r->kind == MG_RULE_TOGETHER && n && n != k)
			ret = mg_err_set(err, MG_EXIT_USAGE, "%s go together", names.buf);
		else if (r->kind == MG_RULE_NEEDS && given_opt(spec, r->opts[0], given) &&
		         !given_opt(spec, r->opts[1], given))
			ret = mg_err_set(err, MG_EXIT_USAGE, "--%s goes with --%s", r->opts[0],
			                 r->opts[1]);
		if (ret) {
			err->reason = MG_REASON_OPTIONS;
			break;
		}
	}
	mg_buf_release(&names);
	return ret;
}

int mg_opts_parse(const struct mg_cmd_spec *spec, int argc, char **argv, struct mg_strlist *args,
                  struct mg_err *err)
{
	size_t count = 0;
	bool *seen;
	int ret = -1, i;

	for (const struct mg_opt *o = spec->opts; o->type != MG_OPT_END; o++)
		count++;
	seen = mg_xcalloc(count, sizeof(*seen));

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *value = NULL;
		const struct mg_opt *o;
		bool as_long = false;
		char label[128];

		if (!strcmp(arg, "--")) {
			i++;
			break;
		}
		if (arg[0] != '-' || arg[1] == '\0') {
			if (!args) {
				mg_err_set(err, MG_EXIT_USAGE, "unexpected argument '%.128s'", arg);
				goto done;
			}
			mg_strlist_push(args, arg);
			if (spec->stop_at_positional) {
				i++;
				break;
			}
			continue;
		}
		if (arg[1] == '-') {
			const char *name = arg + 2, *eq = strchr(name, '=');

			as_long = true;
			o = find_long(spec->opts, name, eq ? (size_t)(eq - name) : strlen(name));
			if (eq)
				value = eq + 1;
		} else {
			o = find_short(spec->opts, arg[1]);
			if (arg[2])
				value = arg + 2;
		}
		if (!o || o->type == MG_OPT_GROUP) {
			mg_err_set(err, MG_EXIT_USAGE, "unknown option '%.128s'", arg);
			goto done;
		}
		opt_label(o, as_long, label, sizeof(label));
		if (o->type == MG_OPT_HELP || o->type == MG_OPT_VERSION || o->type == MG_OPT_FLAG) {
			if (value) {
				mg_err_set(err, MG_EXIT_USAGE, "option %s takes no value", label);
				goto done;
			}
			if (o->type == MG_OPT_HELP) {
				ret = MG_OPTS_HELP;
				goto done;
			}
			if (o->type == MG_OPT_VERSION) {
				ret = MG_OPTS_VERSION;
				goto done;
			}
			*(bool *)o->value = true;
			seen[o - spec->opts] = true;
			continue;
		}
		if (!value && o->version_if_bare && (i + 1 >= argc || argv[i + 1][0] == '-')) {
			ret = MG_OPTS_VERSION;
			goto done;
		}
		if (!value) {
			if (i + 1 >= argc) {
				mg_err_set(err, MG_EXIT_USAGE, "option %s needs a value (%s)",
				           label, o->arg_name ? o->arg_name : "VALUE");
				goto done;
			}
			value = argv[++i];
		}
		if (!*value) {
			mg_err_set(err, MG_EXIT_USAGE, "option %s needs a non-empty value", label);
			goto done;
		}
		/* a gate must not guess which of two values was meant */
		if (o->type != MG_OPT_LIST && seen[o - spec->opts]) {
			mg_err_set(err, MG_EXIT_USAGE, "option --%s given more than once",
			           o->long_name);
			goto done;
		}
		seen[o - spec->opts] = true;
		if (store(o, label, value, err))
			goto done;
	}
	for (; i < argc; i++) {
		if (!args) {
			mg_err_set(err, MG_EXIT_USAGE, "unexpected argument '%.128s'", argv[i]);
			goto done;
		}
		mg_strlist_push(args, argv[i]);
	}
	if (check_rules(spec, seen, err))
		goto done;
	ret = MG_OPTS_RUN;
done:
	free(seen);
	return ret;
}

static void help_option(const struct mg_opt *o, FILE *out)
{
	struct mg_buf left = MG_BUF_INIT(MG_BUF_SMALL);

	/* the generator adds these notes from the type: a table must not say them again */
	assert(!strstr(o->help, "(repeatable)"));
	if (o->short_name)
		mg_buf_addf(&left, "  -%c, --%s", o->short_name, o->long_name);
	else
		mg_buf_addf(&left, "      --%s", o->long_name);
	if (o->type == MG_OPT_CHOICE) {
		for (size_t i = 0; o->choices[i]; i++)
			mg_buf_addf(&left, "%c%s", i ? '|' : ' ', o->choices[i]);
	} else if (takes_value(o)) {
		mg_buf_addf(&left, " %s", o->arg_name ? o->arg_name : "VALUE");
	}
	if (left.len + 2 > HELP_COL)
		fprintf(out, "%s\n%*s%s", left.buf, HELP_COL, "", o->help);
	else
		fprintf(out, "%-*s%s", HELP_COL, left.buf, o->help);
	if (o->type == MG_OPT_INT)
		fprintf(out, " (%lld..%lld)", o->min, o->max);
	if (o->type == MG_OPT_LIST)
		fputs(" (repeatable)", out);
	fputc('\n', out);
	mg_buf_release(&left);
}

static void help_rules(const struct mg_cmd_spec *spec, FILE *out)
{
	static const char *const lead[] = {
	        [MG_RULE_ONE] = "exactly one of ",
	        [MG_RULE_AT_MOST_ONE] = "at most one of ",
	        [MG_RULE_TOGETHER] = "all or none of ",
	        [MG_RULE_NEEDS] = "",
	};
	struct mg_buf line = MG_BUF_INIT(MG_BUF_SMALL);

	if (!spec->rules || spec->rules[0].kind == MG_RULE_NONE)
		return;
	fputs("\nRules:\n", out);
	for (const struct mg_opt_rule *r = spec->rules; r->kind != MG_RULE_NONE; r++) {
		mg_buf_reset(&line);
		if (r->kind == MG_RULE_NEEDS)
			mg_buf_addf(&line, "--%s only with --%s", r->opts[0], r->opts[1]);
		else
			rule_names(r, r->kind == MG_RULE_TOGETHER ? " and " : " or ", &line);
		fprintf(out, "  %s%s\n", lead[r->kind], line.buf);
	}
	mg_buf_release(&line);
}

void mg_opts_help(const struct mg_cmd_spec *spec, FILE *out)
{
	const struct mg_exit_row *rows;
	size_t nrows;

	fprintf(out, "usage: %s %s\n\n%s\n", spec->prog, spec->usage, spec->summary);
	if (spec->opts[0].type != MG_OPT_GROUP)
		fputs("\nOptions:\n", out);
	for (const struct mg_opt *o = spec->opts; o->type != MG_OPT_END; o++) {
		if (o->type == MG_OPT_GROUP)
			fprintf(out, "\n%s:\n", o->help);
		else
			help_option(o, out);
	}
	help_rules(spec, out);
	if (spec->details)
		fprintf(out, "\n%s", spec->details);
	if (spec->help_extra)
		spec->help_extra(out);
	fputs("\nExit codes:\n", out);
	rows = mg_exit_table(&nrows);
	for (size_t i = 0; i < nrows; i++)
		fprintf(out, "  %d  %-7s %s\n", rows[i].code, rows[i].name, rows[i].meaning);
}

int mg_opts_main(const struct mg_cmd_spec *spec, int argc, char **argv, struct mg_strlist *args,
                 FILE *out, const struct mg_log *log)
{
	struct mg_err err = MG_ERR_INIT;

	if (argc == 2 && !strncmp(argv[1], MG_OPTS_DOC_ARG, strlen(MG_OPTS_DOC_ARG)))
		return mg_opts_doc(spec, argv[1] + strlen(MG_OPTS_DOC_ARG), out, log);
	switch (mg_opts_parse(spec, argc, argv, args, &err)) {
	case MG_OPTS_RUN:
		return MG_OPTS_GO_ON;
	case MG_OPTS_HELP:
		mg_opts_help(spec, out);
		return MG_EXIT_PASS;
	case MG_OPTS_VERSION:
		fprintf(out, "%s %s\n", spec->prog, mg_version);
		return MG_EXIT_PASS;
	default:
		mg_log_err(log, &err);
		if (err.reason == MG_REASON_OPTIONS)
			return MG_EXIT_USAGE; /* the message names the options and the rule */
		mg_error(log, "usage: %s %s", spec->prog, spec->usage);
		mg_error(log, "try '%s --help' for more information", spec->prog);
		return MG_EXIT_USAGE;
	}
}
