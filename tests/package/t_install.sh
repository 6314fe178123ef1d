#!/usr/bin/env bash
# `make install` as a user runs it, into a DESTDIR:
#   - every executable has a man page that man and groff render without a
#     warning, with NAME, SYNOPSIS, OPTIONS, EXIT STATUS, ENVIRONMENT,
#     EXAMPLES and SEE ALSO;
#   - every option --help lists is in the man page's option list, in the
#     bash completion (as completed after "--") and in the zsh completion, so
#     an option that reaches --help without reaching those fails here;
#   - bash completion loads as bash-completion loads it (a file per command
#     name) and completes as documented: --policy/--evidence files, --ci its
#     choices, --registry nothing, `mlgate COMMAND` delegated; zsh's parses;
#   - the schema and docs are in share/, and --version is scripts/version.sh's.
#
#   tests/package/t_install.sh        (run by make check-package)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mlgate-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
failures=0
fail() {
	echo "t_install: FAIL: $*" >&2
	failures=$((failures + 1))
}

make --no-print-directory install DESTDIR="$root" PREFIX=/usr >"$tmp/install.log" 2>&1 ||
	{ cat "$tmp/install.log" >&2; echo "t_install: make install failed" >&2; exit 1; }

bin=$root/usr/bin
bashfile=$root/usr/share/bash-completion/completions/mlgate
zshfile=$root/usr/share/zsh/site-functions/_mlgate
[ -f "$bashfile" ] || fail "no bash completion at ${bashfile#"$root"}"
[ -f "$zshfile" ] || fail "no zsh completion at ${zshfile#"$root"}"
for f in share/mlgate/policy.schema.json share/mlgate/junit.xsd share/doc/mlgate/README.md \
	share/doc/mlgate/CHANGELOG.md share/doc/mlgate/docs/policy.md share/doc/mlgate/docs/promote.md; do
	[ -s "$root/usr/$f" ] || fail "not installed: /usr/$f"
done
cmp -s docs/policy.schema.json "$root/usr/share/mlgate/policy.schema.json" ||
	fail "installed policy.schema.json differs from docs/"
zsh -n "$zshfile" 2>"$tmp/zsh.err" || fail "zsh cannot parse _mlgate: $(cat "$tmp/zsh.err")"

want_version="$(scripts/version.sh)"
n=0
for exe in "$bin"/*; do
	name=${exe##*/}
	n=$((n + 1))
	page=$root/usr/share/man/man1/$name.1
	if [ ! -f "$page" ]; then
		fail "$name: no man page"
		continue
	fi
	warn=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null) || fail "$name: man -l failed"
	[ -z "$warn" ] || fail "$name: man --warnings: $warn"
	warn=$(groff -man -Tutf8 -ww -z "$page" 2>&1) || fail "$name: groff failed"
	[ -z "$warn" ] || fail "$name: groff -ww: $warn"
	text=$(MANWIDTH=80 man -l "$page" 2>/dev/null)
	for section in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" ENVIRONMENT EXAMPLES "SEE ALSO"; do
		grep -q "^$section\$" <<<"$text" || fail "$name: man page has no $section section"
	done
	grep -q "^ *4 *inconclusive" <<<"$text" || fail "$name: man page lacks exit code 4"
	if grep -q '@DOCDIR@' "$page"; then fail "$name: @DOCDIR@ left in the man page"; fi
	grep -q '/usr/share/doc/mlgate' <<<"$text" || fail "$name: man page does not name the docs"

	v=$("$exe" --version)
	[ "$v" = "$name $want_version" ] || fail "$name --version: '$v', expected '$name $want_version'"

	# The options --help lists: "  -m, --model NAME  ..." or "      --json FILE ..."
	mapfile -t opts < <("$exe" --help | grep -oE '^  (-[A-Za-z0-9], |    )--[a-z0-9-]+' |
		grep -oE -- '--[a-z0-9-]+$')
	((${#opts[@]} >= 2)) || fail "$name: fewer than 2 options found in --help"
	# bash: what "NAME --<TAB>" offers
	mapfile -t offered < <(bash -c 'source "$1"; COMP_WORDS=("$2" --); COMP_CWORD=1
		"__${2//-/_}"; printf "%s\n" "${COMPREPLY[@]}"' _ "$bashfile" "$name")
	# zsh: the _arguments specs of this command's function
	zfn=$(awk -v f="__${name//-/_}() {" '$0 == f {on = 1} on {print} on && /^}/ {exit}' "$zshfile")
	for o in "${opts[@]}"; do
		roff="\\fB${o//-/\\-}\\fR"
		grep -qF -- "$roff" "$page" || fail "$name: $o is in --help but not in its man page"
		# (a here-string: grep -q closing a pipe early would fail the pipeline)
		grep -qxF -- "$o" <<<"$(printf '%s\n' "${offered[@]}")" ||
			fail "$name: $o is in --help but bash completion does not offer it"
		grep -qE -- "(^|[{',])$o(=|\\[|\\}|,)" <<<"$zfn" ||
			fail "$name: $o is in --help but not in the zsh completion"
	done
	# loaded by name, as bash-completion does: the file for this command defines its completion
	out=$(bash -c 'source "$1" && complete -p "$2"' _ "$(dirname "$bashfile")/$name" "$name" 2>&1) ||
		fail "$name: bash completion does not load: $out"
	[ "$out" = "complete -F __${name//-/_} $name" ] || fail "$name: complete -p says '$out'"
done
((n >= 8)) || fail "only $n executables installed"

# What the completion completes, as a user would see it.
complete_words() { # DIR WORD... (the last is the word being completed)
	local dir=$1
	shift
	(cd "$dir" && PATH="$bin:$PATH" bash -c 'source "$1"; shift; COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); "__${1//-/_}"
		((${#COMPREPLY[@]} == 0)) || printf "%s\n" "${COMPREPLY[@]}"' _ "$bashfile" "$@")
}
mkdir -p "$tmp/work/sub"
touch "$tmp/work/policy.json" "$tmp/work/comply.xml"
expect() { # WHAT EXPECTED-LINES WORD...
	local what=$1 want=$2 got
	shift 2
	got=$(complete_words "$tmp/work" "$@" | sort | tr '\n' ' ')
	[ "$got" = "$want" ] || fail "completion of '$*' ($what): got '$got', expected '$want'"
}
expect "--policy completes files" "policy.json " mlgate-comply --policy po
expect "--policy=VALUE too" "policy.json " mlgate-comply --policy = po
expect "--evidence completes files" "comply.xml " mlgate-promote --evidence co
expect "--registry completes nothing" "" mlgate-compare --registry ""
expect "--ci completes its choices" "azure github none " mlgate-promote --ci ""
expect "--repo completes directories" "sub " mlgate-comply --repo s
expect "the front end completes commands" "promote " mlgate pro
expect "the front end delegates to the command" "--to-alias --to-stage " mlgate promote --to-
expect "the front end delegates values" "policy.json " mlgate compare --model m --policy p
expect "report's commands" "merge " mlgate-report m
expect "report's inputs are files" "comply.xml " mlgate-report merge -o out.xml c

if ((failures)); then
	echo "t_install: $failures failure(s)" >&2
	exit 1
fi
echo "t_install: $n executables installed; man pages render cleanly; every --help option is in its man page and both completions"
