/*
 * A command's man page and shell completion, made from the same option
 * table (and rules, exit codes, environment and examples) as its --help,
 * so an option cannot be documented in one and missing from another.
 *
 * Every executable prints them when given the lone hidden argument
 * --mlgate-doc=KIND (mg_opts_main); the build runs that to make the
 * installed pages (Makefile "docs"):
 *   man   a man(7) page; "@DOCDIR@" stands for the documentation directory,
 *         which the build substitutes
 *   bash  a function __PROG (dashes as underscores) and its `complete -F`
 *   zsh   a function __PROG for the one #compdef file that dispatches on
 *         $service
 * File arguments (arg_name FILE, DIR) complete paths; choices complete their
 * values; any other value completes nothing.
 */
#ifndef MG_OPTSDOC_H
#define MG_OPTSDOC_H

#include "setup.h"
#include "log.h"
#include "opts.h"

#define MG_OPTS_DOC_ARG "--mlgate-doc="

void mg_opts_man(const struct mg_cmd_spec *spec, FILE *out);
void mg_opts_bash(const struct mg_cmd_spec *spec, FILE *out);
void mg_opts_zsh(const struct mg_cmd_spec *spec, FILE *out);

/* KIND "man", "bash" or "zsh" to `out`: exit 0; anything else is exit 2 through `log`. */
int mg_opts_doc(const struct mg_cmd_spec *spec, const char *kind, FILE *out,
                const struct mg_log *log);

#endif
