/*
 * Table-driven command-line options. One table per executable is the
 * single source of both the parser and the --help text, so they cannot
 * drift apart.
 *
 *   static const char *const ci_kinds[] = { "none", "github", "azure", NULL };
 *   const struct mg_opt opts[] = {
 *           MG_OPT_STR('r', "registry", "URI", &o.registry, "registry URI"),
 *           MG_OPT_INTEGER(0, "timeout", "SECONDS", &o.timeout, 1, 3600, "..."),
 *           MG_OPT_ONE_OF(0, "ci", ci_kinds, &o.ci, "CI output to write"),
 *           MG_OPT_HELP_VERSION,
 *           MG_OPT_END_OF_TABLE,
 *   };
 *
 * Accepted forms: --name VALUE, --name=VALUE, -n VALUE, -nVALUE, a lone
 * -n for flags, and "--" to end the options. Option values are borrowed
 * pointers into argv.
 */
#ifndef MG_OPTS_H
#define MG_OPTS_H

#include "setup.h"
#include "err.h"
#include "log.h"
#include "strlist.h"

enum mg_opt_type {
	MG_OPT_END = 0, /* terminates the table */
	MG_OPT_GROUP,   /* a heading in --help; only `help` is used */
	MG_OPT_FLAG,    /* bool *: set to true */
	MG_OPT_STRING,  /* const char **: the last one given wins */
	MG_OPT_NAME,    /* const char **: a string that names something: one line (text.h) */
	MG_OPT_INT,     /* long long *: checked against [min, max] */
	MG_OPT_DOUBLE,  /* double *: a finite number */
	MG_OPT_CHOICE,  /* const char **: one of `choices` */
	MG_OPT_LIST,    /* struct mg_strlist *: repeatable, in order */
	MG_OPT_HELP,    /* --help: print help, exit 0 */
	MG_OPT_VERSION, /* --version: print version, exit 0 */
};

struct mg_opt {
	enum mg_opt_type type;
	char short_name;            /* 0 for none */
	const char *long_name;      /* without the leading dashes */
	const char *arg_name;       /* shown in help: "URI", "FILE" */
	void *value;                /* where the parsed value goes */
	const char *help;           /* one line */
	long long min, max;         /* MG_OPT_INT bounds */
	const char *const *choices; /* MG_OPT_CHOICE: NULL-terminated */
	bool version_if_bare;       /* MG_OPT_STRING: given without a value, acts as --version */
};

#define MG_OPT_GROUP_(title)                          \
	{                                             \
		.type = MG_OPT_GROUP, .help = (title) \
	}
#define MG_OPT_BOOL(s, l, v, h)                                                         \
	{                                                                               \
		.type = MG_OPT_FLAG, .short_name = (s), .long_name = (l), .value = (v), \
		.help = (h)                                                             \
	}
#define MG_OPT_STR(s, l, a, v, h)                                                            \
	{                                                                                    \
		.type = MG_OPT_STRING, .short_name = (s), .long_name = (l), .arg_name = (a), \
		.value = (v), .help = (h)                                                    \
	}
/* A model, alias or stage name: valid UTF-8, no control or bidi characters (text.h). */
#define MG_OPT_NAME_STR(s, l, a, v, h)                                                     \
	{                                                                                  \
		.type = MG_OPT_NAME, .short_name = (s), .long_name = (l), .arg_name = (a), \
		.value = (v), .help = (h)                                                  \
	}
#define MG_OPT_INTEGER(s, l, a, v, lo, hi, h)                                             \
	{                                                                                 \
		.type = MG_OPT_INT, .short_name = (s), .long_name = (l), .arg_name = (a), \
		.value = (v), .help = (h), .min = (lo), .max = (hi)                       \
	}
#define MG_OPT_NUMBER(s, l, a, v, h)                                                         \
	{                                                                                    \
		.type = MG_OPT_DOUBLE, .short_name = (s), .long_name = (l), .arg_name = (a), \
		.value = (v), .help = (h)                                                    \
	}
#define MG_OPT_ONE_OF(s, l, c, v, h)                                                        \
	{                                                                                   \
		.type = MG_OPT_CHOICE, .short_name = (s), .long_name = (l), .choices = (c), \
		.value = (v), .help = (h)                                                   \
	}
#define MG_OPT_MANY(s, l, a, v, h)                                                         \
	{                                                                                  \
		.type = MG_OPT_LIST, .short_name = (s), .long_name = (l), .arg_name = (a), \
		.value = (v), .help = (h)                                                  \
	}
/*
 * A gate's --version N (the model version) that, given alone, still shows
 * the tool's version as every executable's --version does.
 */
#define MG_OPT_STR_OR_VERSION(s, l, a, v, h)                                                 \
	{                                                                                    \
		.type = MG_OPT_STRING, .short_name = (s), .long_name = (l), .arg_name = (a), \
		.value = (v), .help = (h), .version_if_bare = true                           \
	}
#define MG_OPT_HELP_ONLY                                                     \
	{                                                                    \
		.type = MG_OPT_HELP, .short_name = 'h', .long_name = "help", \
		.help = "show this help and exit"                            \
	}
#define MG_OPT_HELP_VERSION                                     \
	{.type = MG_OPT_HELP,                                   \
	 .short_name = 'h',                                     \
	 .long_name = "help",                                   \
	 .help = "show this help and exit"},                    \
	{                                                       \
		.type = MG_OPT_VERSION, .long_name = "version", \
		.help = "show the version and exit"             \
	}
#define MG_OPT_END_OF_TABLE        \
	{                          \
		.type = MG_OPT_END \
	}

/*
 * How options combine, declared beside the table so the parser checks it
 * and --help lists it ("Rules:"). Options are named by their long name.
 *
 *   static const struct mg_opt_rule rules[] = {
 *           MG_RULE(MG_RULE_ONE, "suite", "policy"),
 *           MG_RULE(MG_RULE_TOGETHER, "model", "version"),
 *           MG_RULE_END,
 *   };
 */
enum mg_opt_rule_kind {
	MG_RULE_NONE = 0,    /* terminates the rules */
	MG_RULE_ONE,         /* exactly one of them */
	MG_RULE_AT_MOST_ONE, /* none or one of them */
	MG_RULE_TOGETHER,    /* all of them or none */
	MG_RULE_NEEDS,       /* the first only with the second */
};

#define MG_RULE_MAX_OPTS 4

struct mg_opt_rule {
	enum mg_opt_rule_kind kind;
	const char *opts[MG_RULE_MAX_OPTS + 1]; /* long names, NULL-terminated */
};

#define MG_RULE(kind, ...)                \
	{                                 \
		(kind),                   \
		{                         \
			__VA_ARGS__, NULL \
		}                         \
	}
#define MG_RULE_END          \
	{                    \
		MG_RULE_NONE \
	}

/*
 * A term and its text, for a man page's ENVIRONMENT (the variable names,
 * what they do) and EXAMPLES (what it does, the command line). A table
 * ends with {NULL}.
 */
struct mg_doc_item {
	const char *term;
	const char *text;
};

/* What a command is, for the parser, its --help, its man page and completion (optsdoc.h). */
struct mg_cmd_spec {
	const char *prog;                /* "mlgate-comply" */
	const char *usage;               /* synopsis after the program name */
	const char *summary;             /* one line: what the command does */
	const char *details;             /* optional paragraph(s) after the options */
	const struct mg_opt *opts;       /* table, ended by MG_OPT_END_OF_TABLE */
	const struct mg_opt_rule *rules; /* optional, ended by MG_RULE_END */
	bool stop_at_positional;         /* the first positional ends option parsing */
	void (*help_extra)(FILE *out);   /* optional: more --help text before the exit codes */
	/* For the man page and shell completion only (optsdoc.h): */
	const struct mg_doc_item *const *env; /* optional ENVIRONMENT tables, NULL-terminated */
	const struct mg_doc_item *examples;   /* optional EXAMPLES: {what it does, command} */
	const char *const *subcommands; /* optional: the first argument's choices; files after */
};

enum mg_opts_result {
	MG_OPTS_RUN = 0,     /* parsed: go on */
	MG_OPTS_HELP = 1,    /* --help was given */
	MG_OPTS_VERSION = 2, /* --version was given */
};

/*
 * Parse argv[1..argc-1] into the table's targets. Positional arguments
 * are appended to `args`; when `args` is NULL any positional is an error.
 * Returns an enum mg_opts_result, or -1 with `err` set (MG_EXIT_USAGE).
 */
int mg_opts_parse(const struct mg_cmd_spec *spec, int argc, char **argv, struct mg_strlist *args,
                  struct mg_err *err);

/* The full --help text: usage, summary, options, details, exit codes. */
void mg_opts_help(const struct mg_cmd_spec *spec, FILE *out);

/* mg_opts_main's answer when the command should go on (every other answer is an exit code). */
#define MG_OPTS_GO_ON (-1)

/* Whether an option takes a value (--name VALUE). */
bool mg_opt_takes_value(const struct mg_opt *o);

/*
 * The usual front of every main(): parse, and handle --help, --version
 * and usage errors (message plus a short hint through `log`). A lone
 * hidden argument --mlgate-doc=man|bash|zsh prints the command's man page
 * or completion function instead (optsdoc.h; the build makes the installed
 * pages from it); it is in no table, so never in --help. Returns
 * MG_OPTS_GO_ON when the command should go on, else the exit code to
 * return now.
 */
int mg_opts_main(const struct mg_cmd_spec *spec, int argc, char **argv, struct mg_strlist *args,
                 FILE *out, const struct mg_log *log);

#endif
