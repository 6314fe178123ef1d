#include "setup.h"
#include "optsdoc.h"
#include "buf.h"
#include "err.h"
#include "version.h"

#include <ctype.h>

/* --- roff ------------------------------------------------------------------ */

/*
 * Text as roff: a backslash is \e, every '-' is \- (an option typed as
 * printed), a character outside ASCII is \[uXXXX] (groff warns on raw
 * UTF-8), and a line that would start with '.' or '\'' starts with \&.
 */
static void roff_add(struct mg_buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x80) {
			if (c == '\\')
				mg_buf_adds(b, "\\e");
			else if (c == '-')
				mg_buf_adds(b, "\\-");
			else if (c == '\n' || c == '\t')
				mg_buf_addch(b, ' ');
			else if (c >= 0x20 && c != 0x7f)
				mg_buf_addch(b, c);
			i++;
			continue;
		}
		/* UTF-8 (the tables are ours and valid): decode one code point */
		{
			size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
			unsigned long cp = c & (0x3f >> (len - 1));

			for (size_t k = 1; k < len && i + k < n; k++)
				cp = (cp << 6) | ((unsigned char)s[i + k] & 0x3f);
			mg_buf_addf(b, "\\[u%04lX]", cp);
			i += len;
		}
	}
}

/* One text line of `s[0..n)`, escaped, guarded at its start. */
static void roff_line(FILE *out, const char *s, size_t n)
{
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);

	roff_add(&b, s, n);
	fprintf(out, "%s%s\n", (b.buf[0] == '.' || b.buf[0] == '\'') ? "\\&" : "", b.buf);
	mg_buf_release(&b);
}

static void roff_str(FILE *out, const char *s)
{
	roff_line(out, s, strlen(s));
}

/*
 * Help text as written for an 80-column terminal: lines of prose are filled
 * by roff, indented lines (lists, a JSON sample) are kept as they are, an
 * empty line starts a paragraph.
 */
static void roff_text(FILE *out, const char *text)
{
	bool verbatim = false;

	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t n = nl ? (size_t)(nl - text) : strlen(text);

		if (!n) {
			fputs(verbatim ? ".fi\n.PP\n" : ".PP\n", out);
			verbatim = false;
		} else if (text[0] == ' ') {
			if (!verbatim)
				fputs(".nf\n", out);
			verbatim = true;
			roff_line(out, text, n);
		} else {
			if (verbatim)
				fputs(".fi\n", out);
			verbatim = false;
			roff_line(out, text, n);
		}
		text += n + (nl != NULL);
	}
	if (verbatim)
		fputs(".fi\n", out);
}

/* "\fB\-m\fR, \fB\-\-model\fR \fINAME\fR" */
static void roff_opt_label(const struct mg_opt *o, FILE *out)
{
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);

	if (o->short_name)
		mg_buf_addf(&b, "\\fB\\-%c\\fR, ", o->short_name);
	mg_buf_adds(&b, "\\fB\\-\\-");
	roff_add(&b, o->long_name, strlen(o->long_name));
	mg_buf_adds(&b, "\\fR");
	if (o->type == MG_OPT_CHOICE) {
		for (size_t i = 0; o->choices[i]; i++) {
			mg_buf_adds(&b, i ? "|\\fB" : " \\fB");
			roff_add(&b, o->choices[i], strlen(o->choices[i]));
			mg_buf_adds(&b, "\\fR");
		}
	} else if (mg_opt_takes_value(o)) {
		const char *a = o->arg_name ? o->arg_name : "VALUE";

		mg_buf_adds(&b, " \\fI");
		roff_add(&b, a, strlen(a));
		mg_buf_adds(&b, "\\fR");
	}
	fprintf(out, "%s\n", b.buf);
	mg_buf_release(&b);
}

static void roff_opt(const struct mg_opt *o, FILE *out)
{
	struct mg_buf help = MG_BUF_INIT(MG_BUF_SMALL);

	mg_buf_adds(&help, o->help ? o->help : "");
	if (o->type == MG_OPT_INT)
		mg_buf_addf(&help, " (%lld..%lld)", o->min, o->max);
	if (o->type == MG_OPT_LIST && !strstr(help.buf, "(repeatable)"))
		mg_buf_adds(&help, " (repeatable)");
	fputs(".TP\n", out);
	roff_opt_label(o, out);
	roff_line(out, help.buf, help.len);
	mg_buf_release(&help);
}

/* "\fB\-\-a\fR, \fB\-\-b\fR and \fB\-\-c\fR" */
static void roff_rule_names(const struct mg_opt_rule *r, const char *last, struct mg_buf *b)
{
	for (size_t i = 0; r->opts[i]; i++) {
		mg_buf_adds(b, !i ? "" : r->opts[i + 1] ? ", " : last);
		mg_buf_adds(b, "\\fB\\-\\-");
		roff_add(b, r->opts[i], strlen(r->opts[i]));
		mg_buf_adds(b, "\\fR");
	}
}

static void roff_rules(const struct mg_cmd_spec *spec, FILE *out)
{
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);

	if (!spec->rules || spec->rules[0].kind == MG_RULE_NONE)
		return;
	fputs(".SS Rules\n", out);
	for (const struct mg_opt_rule *r = spec->rules; r->kind != MG_RULE_NONE; r++) {
		mg_buf_reset(&b);
		if (r->kind == MG_RULE_ONE)
			mg_buf_adds(&b, "exactly one of ");
		else if (r->kind == MG_RULE_AT_MOST_ONE)
			mg_buf_adds(&b, "at most one of ");
		else if (r->kind == MG_RULE_TOGETHER)
			mg_buf_adds(&b, "all or none of ");
		if (r->kind == MG_RULE_NEEDS) {
			mg_buf_adds(&b, "\\fB\\-\\-");
			roff_add(&b, r->opts[0], strlen(r->opts[0]));
			mg_buf_adds(&b, "\\fR only with \\fB\\-\\-");
			roff_add(&b, r->opts[1], strlen(r->opts[1]));
			mg_buf_adds(&b, "\\fR");
		} else {
			roff_rule_names(r, r->kind == MG_RULE_TOGETHER ? " and " : " or ", &b);
		}
		fprintf(out, ".IP \\(bu 2\n%s\n", b.buf);
	}
	mg_buf_release(&b);
}

/* The text a help_extra callback prints, as roff text. */
static void roff_help_extra(const struct mg_cmd_spec *spec, FILE *out)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem;

	if (!spec->help_extra)
		return;
	mem = open_memstream(&text, &len);
	if (!mem)
		return;
	spec->help_extra(mem);
	if (!fclose(mem) && text) {
		/* its leading newline is the --help layout's blank line */
		fputs(".PP\n", out);
		roff_text(out, text + strspn(text, "\n"));
	}
	free(text);
}

/* The first sentence of the summary, for NAME (what whatis/apropos show). */
static void roff_name_line(const struct mg_cmd_spec *spec, FILE *out)
{
	const char *s = spec->summary;
	size_t n = strcspn(s, ".:");
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);

	roff_add(&b, spec->prog, strlen(spec->prog));
	mg_buf_adds(&b, " \\- ");
	for (size_t i = 0; i < n; i++) {
		char one = s[i] == '\n' ? ' ' : s[i];

		roff_add(&b, &one, 1);
	}
	fprintf(out, "%s\n", b.buf);
	mg_buf_release(&b);
}

/* The usage, its continuation lines joined: "\fBmlgate\-promote\fR \-\-model NAME ..." */
static void roff_synopsis(const struct mg_cmd_spec *spec, FILE *out)
{
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_buf usage = MG_BUF_INIT(MG_BUF_SMALL);

	for (const char *p = spec->usage; *p; p++) {
		if (isspace((unsigned char)*p)) {
			if (usage.len && usage.buf[usage.len - 1] != ' ')
				mg_buf_adds(&usage, " ");
		} else {
			mg_buf_addch(&usage, *p);
		}
	}
	mg_buf_adds(&b, "\\fB");
	roff_add(&b, spec->prog, strlen(spec->prog));
	mg_buf_adds(&b, "\\fR ");
	roff_add(&b, usage.buf, usage.len);
	fprintf(out, ".SH SYNOPSIS\n%s\n", b.buf);
	mg_buf_release(&usage);
	mg_buf_release(&b);
}

void mg_opts_man(const struct mg_cmd_spec *spec, FILE *out)
{
	const struct mg_exit_row *rows;
	size_t nrows;
	struct mg_buf title = MG_BUF_INIT(MG_BUF_SMALL);

	for (const char *p = spec->prog; *p; p++)
		mg_buf_addch(&title, toupper((unsigned char)*p));
	fprintf(out,
	        ".\\\" Made by '%s --mlgate-doc=man' from its option table: edit that, not this.\n",
	        spec->prog);
	fputs(".TH \"", out);
	{
		struct mg_buf t = MG_BUF_INIT(MG_BUF_SMALL);

		roff_add(&t, title.buf, title.len);
		fprintf(out, "%s\" 1 \"\" \"mlgate %s\" \"mlgate manual\"\n", t.buf, mg_version);
		mg_buf_release(&t);
	}
	fputs(".nh\n.ad l\n.SH NAME\n", out); /* no hyphenation: options are typed as printed */
	roff_name_line(spec, out);
	roff_synopsis(spec, out);
	fputs(".SH DESCRIPTION\n", out);
	roff_text(out, spec->summary);
	if (spec->details) {
		fputs(".PP\n", out);
		roff_text(out, spec->details);
	}
	roff_help_extra(spec, out);

	fputs(".SH OPTIONS\n", out);
	for (const struct mg_opt *o = spec->opts; o->type != MG_OPT_END; o++) {
		if (o->type == MG_OPT_GROUP) {
			fputs(".SS ", out);
			roff_str(out, o->help);
		} else {
			roff_opt(o, out);
		}
	}
	roff_rules(spec, out);

	fputs(".SH \"EXIT STATUS\"\n", out);
	rows = mg_exit_table(&nrows);
	for (size_t i = 0; i < nrows; i++) {
		fprintf(out, ".TP\n.B %d\n", rows[i].code);
		roff_str(out, rows[i].meaning);
	}

	if (spec->env && spec->env[0]) {
		fputs(".SH ENVIRONMENT\n", out);
		for (size_t t = 0; spec->env[t]; t++) {
			for (const struct mg_doc_item *e = spec->env[t]; e->term; e++) {
				struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);

				roff_add(&b, e->term, strlen(e->term));
				fprintf(out, ".TP\n\\fB%s\\fR\n", b.buf);
				roff_str(out, e->text);
				mg_buf_release(&b);
			}
		}
	}
	if (spec->examples && spec->examples[0].term) {
		fputs(".SH EXAMPLES\n", out);
		for (const struct mg_doc_item *e = spec->examples; e->term; e++) {
			fputs(".PP\n", out);
			roff_str(out, e->term);
			fputs(".PP\n.RS 4\n.nf\n", out);
			roff_text(out, e->text);
			fputs(".fi\n.RE\n", out);
		}
	}
	fputs(".SH \"SEE ALSO\"\n", out);
	if (strcmp(spec->prog, "mlgate"))
		fputs(".BR mlgate (1),\n", out);
	fputs("and the documentation in\n.IR @DOCDIR@ :\n"
	      "the README and the reference pages (\\fIdocs/NAME.md\\fR as named above),\n"
	      "the policy schema \\fIdocs/policy.schema.json\\fR.\n",
	      out);
	mg_buf_release(&title);
}

/* --- completion ------------------------------------------------------------ */

enum value_kind { VALUE_NONE, VALUE_FILE, VALUE_DIR, VALUE_CHOICE, VALUE_OTHER };

static enum value_kind value_kind(const struct mg_opt *o)
{
	if (o->type == MG_OPT_CHOICE)
		return VALUE_CHOICE;
	if (!mg_opt_takes_value(o))
		return VALUE_NONE;
	if (o->arg_name && !strcmp(o->arg_name, "FILE"))
		return VALUE_FILE;
	if (o->arg_name && !strcmp(o->arg_name, "DIR"))
		return VALUE_DIR;
	return VALUE_OTHER;
}

/* Each option of the table, group headings skipped. */
/* "__mlgate_promote" */
static void fn_name(const char *prog, struct mg_buf *b)
{
	mg_buf_adds(b, "__");
	for (const char *p = prog; *p; p++)
		mg_buf_addch(b, *p == '-' ? '_' : *p);
}

/* The spellings of the options of one kind, space-separated: "-p --policy --junit". */
static void names_of(const struct mg_cmd_spec *spec, enum value_kind kind, struct mg_buf *b)
{
	for (const struct mg_opt *o = spec->opts; o->type != MG_OPT_END; o++) {
		if (value_kind(o) != kind)
			continue;
		if (o->short_name)
			mg_buf_addf(b, "%s-%c", b->len ? " " : "", o->short_name);
		mg_buf_addf(b, "%s--%s", b->len ? " " : "", o->long_name);
	}
}

static void words_of(const char *const *list, struct mg_buf *b)
{
	for (size_t i = 0; list[i]; i++)
		mg_buf_addf(b, "%s%s", i ? " " : "", list[i]);
}

static void bash_case(FILE *out, const struct mg_buf *names, const char *action)
{
	struct mg_buf pat = MG_BUF_INIT(MG_BUF_SMALL);

	if (!names->len)
		return;
	for (const char *p = names->buf; *p; p++)
		mg_buf_addch(&pat, *p == ' ' ? '|' : *p);
	fprintf(out, "\t%s)\n\t\t%s\n\t\treturn 0\n\t\t;;\n", pat.buf, action);
	mg_buf_release(&pat);
}

/* The loop that counts the arguments before the cursor that are no option or option value. */
static void bash_positionals(const struct mg_buf *values, FILE *out)
{
	fprintf(out,
	        "\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
	        "\t\tcase \" %s \" in\n"
	        "\t\t*\" ${COMP_WORDS[i]} \"*)\n"
	        "\t\t\t[[ ${COMP_WORDS[i + 1]:-} == = ]] && ((i++))\n"
	        "\t\t\t((i++))\n\t\t\t;;\n"
	        "\t\t*)\n"
	        "\t\t\t[[ ${COMP_WORDS[i]} == -* || ${COMP_WORDS[i]} == = ]] && continue\n"
	        "\t\t\t((npos++ == 0)) && first=$i\n"
	        "\t\t\t;;\n\t\tesac\n\tdone\n",
	        values->buf);
}

/* A front end: the first argument names PROG-COMMAND, whose completion takes the rest. */
static void bash_front_end(const struct mg_cmd_spec *spec, const char *fn, FILE *out)
{
	const char *p = spec->prog;

	fprintf(out,
	        "\tif ((npos > 0)); then\n"
	        "\t\tlocal cmd=${COMP_WORDS[first]}\n"
	        "\t\tif [[ $cmd == help ]]; then\n"
	        "\t\t\t((npos == 1)) && COMPREPLY=($(compgen -c -- '%s-'\"$cur\" | "
	        "sed 's/^%s-//' | sort -u))\n"
	        "\t\t\treturn 0\n\t\tfi\n"
	        "\t\tlocal fn=%s_${cmd//-/_}\n"
	        "\t\tdeclare -F \"$fn\" >/dev/null || return 0\n"
	        "\t\tCOMP_WORDS=(\"%s-$cmd\" \"${COMP_WORDS[@]:first+1}\")\n"
	        "\t\tCOMP_CWORD=$((COMP_CWORD - first))\n"
	        "\t\t\"$fn\"\n"
	        "\t\treturn\n\tfi\n",
	        p, p, fn, p);
}

void mg_opts_bash(const struct mg_cmd_spec *spec, FILE *out)
{
	struct mg_buf fn = MG_BUF_INIT(MG_BUF_SMALL), all = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_buf names = MG_BUF_INIT(MG_BUF_SMALL), values = MG_BUF_INIT(MG_BUF_SMALL);
	const struct mg_opt *o;

	fn_name(spec->prog, &fn);
	for (o = spec->opts; o->type != MG_OPT_END; o++)
		if (o->type != MG_OPT_GROUP)
			mg_buf_addf(&all, "%s--%s", all.len ? " " : "", o->long_name);
	for (o = spec->opts; o->type != MG_OPT_END; o++)
		if (o->type != MG_OPT_GROUP && o->short_name)
			mg_buf_addf(&all, " -%c", o->short_name);
	for (int k = VALUE_FILE; k <= VALUE_OTHER; k++)
		names_of(spec, (enum value_kind)k, &values);

	fprintf(out, "# %s: made by '%s --mlgate-doc=bash' from its option table\n", spec->prog,
	        spec->prog);
	fprintf(out, "%s() {\n", fn.buf);
	fputs("\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev= i npos=0 first=\n"
	      "\t((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}\n"
	      "\t# --name=VALUE: bash splits at '='\n"
	      "\tif [[ $cur == = ]]; then\n\t\tcur=\n"
	      "\telif [[ $prev == = ]] && ((COMP_CWORD > 1)); then\n"
	      "\t\tprev=${COMP_WORDS[COMP_CWORD - 2]}\n\tfi\n",
	      out);
	bash_positionals(&values, out);
	if (spec->stop_at_positional)
		bash_front_end(spec, fn.buf, out);
	fputs("\tcase $prev in\n", out);
	mg_buf_reset(&names);
	names_of(spec, VALUE_FILE, &names);
	bash_case(out, &names,
	          "compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- \"$cur\"))");
	mg_buf_reset(&names);
	names_of(spec, VALUE_DIR, &names);
	bash_case(out, &names,
	          "compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- \"$cur\"))");
	for (o = spec->opts; o->type != MG_OPT_END; o++) {
		struct mg_buf action = MG_BUF_INIT(MG_BUF_SMALL);

		if (value_kind(o) != VALUE_CHOICE)
			continue;
		mg_buf_reset(&names);
		if (o->short_name)
			mg_buf_addf(&names, "-%c ", o->short_name);
		mg_buf_addf(&names, "--%s", o->long_name);
		mg_buf_adds(&action, "COMPREPLY=($(compgen -W '");
		words_of(o->choices, &action);
		mg_buf_adds(&action, "' -- \"$cur\"))");
		bash_case(out, &names, action.buf);
		mg_buf_release(&action);
	}
	mg_buf_reset(&names);
	names_of(spec, VALUE_OTHER, &names);
	bash_case(out, &names, "COMPREPLY=()");
	fputs("\tesac\n", out);
	fprintf(out,
	        "\tif [[ $cur == -* ]]; then\n"
	        "\t\tCOMPREPLY=($(compgen -W '%s' -- \"$cur\"))\n"
	        "\t\treturn 0\n\tfi\n",
	        all.buf);
	if (spec->stop_at_positional) {
		fprintf(out,
		        "\tCOMPREPLY=($(compgen -W \"help $(compgen -c -- '%s-' | "
		        "sed 's/^%s-//' | sort -u)\" -- \"$cur\"))\n",
		        spec->prog, spec->prog);
	} else if (spec->subcommands) {
		mg_buf_reset(&names);
		words_of(spec->subcommands, &names);
		fprintf(out,
		        "\tif ((npos == 0)); then\n"
		        "\t\tCOMPREPLY=($(compgen -W '%s' -- \"$cur\"))\n"
		        "\telse\n"
		        "\t\tcompopt -o filenames 2>/dev/null\n"
		        "\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n"
		        "\tfi\n",
		        names.buf);
	} else {
		fprintf(out, "\tCOMPREPLY=($(compgen -W '%s' -- \"$cur\"))\n", all.buf);
	}
	fprintf(out, "}\ncomplete -F %s %s\n\n", fn.buf, spec->prog);
	mg_buf_release(&values);
	mg_buf_release(&names);
	mg_buf_release(&all);
	mg_buf_release(&fn);
}

/* Text inside a single-quoted zsh _arguments spec's [description]. */
static void zsh_desc(const char *s, struct mg_buf *b)
{
	for (; *s; s++) {
		if (*s == '\'')
			mg_buf_adds(b, "'\\''");
		else if (*s == '[' || *s == ']' || *s == ':' || *s == '\\')
			mg_buf_addf(b, "\\%c", *s);
		else if (*s != '\n')
			mg_buf_addch(b, *s);
	}
}

static void zsh_opt(const struct mg_opt *o, FILE *out)
{
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);
	enum value_kind kind = value_kind(o);
	const char *suffix = kind == VALUE_NONE ? "" : "=";

	mg_buf_adds(&b, "\t\t");
	if (o->type == MG_OPT_LIST)
		mg_buf_adds(&b, "'*'");
	else if (o->short_name)
		mg_buf_addf(&b, "'(-%c --%s)'", o->short_name, o->long_name);
	if (o->short_name)
		mg_buf_addf(&b, "{-%c%s,--%s%s}'[", o->short_name, kind == VALUE_NONE ? "" : "+",
		            o->long_name, suffix);
	else
		mg_buf_addf(&b, "'--%s%s[", o->long_name, suffix);
	zsh_desc(o->help ? o->help : "", &b);
	mg_buf_adds(&b, "]");
	if (kind != VALUE_NONE) {
		mg_buf_adds(&b, ":");
		zsh_desc(o->arg_name ? o->arg_name : o->long_name, &b);
		mg_buf_adds(&b, ":");
		if (kind == VALUE_FILE) {
			mg_buf_adds(&b, "_files");
		} else if (kind == VALUE_DIR) {
			mg_buf_adds(&b, "_files -/");
		} else if (kind == VALUE_CHOICE) {
			mg_buf_adds(&b, "(");
			words_of(o->choices, &b);
			mg_buf_adds(&b, ")");
		} else {
			mg_buf_adds(&b, " ");
		}
	}
	fprintf(out, "%s' \\\n", b.buf);
	mg_buf_release(&b);
}

void mg_opts_zsh(const struct mg_cmd_spec *spec, FILE *out)
{
	struct mg_buf fn = MG_BUF_INIT(MG_BUF_SMALL), words = MG_BUF_INIT(MG_BUF_SMALL);

	fn_name(spec->prog, &fn);
	fprintf(out, "# %s: made by '%s --mlgate-doc=zsh' from its option table\n", spec->prog,
	        spec->prog);
	fprintf(out, "%s() {\n", fn.buf);
	if (spec->stop_at_positional)
		fputs("\tlocal curcontext=$curcontext state line ret=1\n", out);
	fprintf(out, "\t_arguments -s -S %s: \\\n", spec->stop_at_positional ? "-C " : "");
	for (const struct mg_opt *o = spec->opts; o->type != MG_OPT_END; o++)
		if (o->type != MG_OPT_GROUP)
			zsh_opt(o, out);
	if (spec->stop_at_positional) {
		fprintf(out,
		        "\t\t'1:command:->command' '*::argument:->argument' && return 0\n"
		        "\tcase $state in\n"
		        "\tcommand)\n"
		        "\t\tcompadd -- help ${${(k)commands[(I)%s-*]}#%s-} && ret=0\n"
		        "\t\t;;\n"
		        "\targument)\n"
		        "\t\tlocal fn=%s_${words[1]//-/_}\n"
		        "\t\t(( $+functions[$fn] )) && $fn && ret=0\n"
		        "\t\t;;\n"
		        "\tesac\n"
		        "\treturn ret\n",
		        spec->prog, spec->prog, fn.buf);
	} else if (spec->subcommands) {
		words_of(spec->subcommands, &words);
		fprintf(out, "\t\t'1:command:(%s)' '*:file:_files'\n", words.buf);
	} else {
		fputs("\t\t&& return 0\n", out);
	}
	fputs("}\n\n", out);
	mg_buf_release(&words);
	mg_buf_release(&fn);
}

int mg_opts_doc(const struct mg_cmd_spec *spec, const char *kind, FILE *out,
                const struct mg_log *log)
{
	if (!strcmp(kind, "man"))
		mg_opts_man(spec, out);
	else if (!strcmp(kind, "bash"))
		mg_opts_bash(spec, out);
	else if (!strcmp(kind, "zsh"))
		mg_opts_zsh(spec, out);
	else {
		mg_error(log, "unknown %s%.32s: expected man, bash or zsh", MG_OPTS_DOC_ARG, kind);
		return MG_EXIT_USAGE;
	}
	return MG_EXIT_PASS;
}
