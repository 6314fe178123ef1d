#!/usr/bin/env bash
# Data-driven command-line tests.
#
#   tests/cli/run.sh BINDIR [CASE_DIR]   (CASE_DIR defaults to tests/cli/cases)
#
# Each case is a file CASE_DIR/NAME.case of "key: value" lines:
#   # comment                  what the case proves
#   setup: SHELL               run in the case's sandbox dir before the command
#                              ($BIN: the executables, $FIXTURES: the read-only fixtures/)
#   env: NAME=VALUE            add to the command's environment (repeatable)
#   args: PROG ARG...          the command; PROG is looked up in BINDIR unless it has a '/';
#                              arguments are shell words (quotes work)
#   exit: N                    the expected exit code (required)
#   stdout: REGEX              some stdout line matches (grep -E); repeatable
#   stdout-not: REGEX          no stdout line matches
#   stderr: REGEX / stderr-not: REGEX
#   stdout-empty / stderr-empty
#   stderr-lines: N            stderr has exactly N lines (one-line diagnostics)
#
# Every command runs in a fresh temporary directory, with the CI and MLflow
# variables of the calling environment removed, under a timeout. A crash
# (signal), a timeout, a sanitizer report or a valgrind error is always a
# failure, even for a case that expects a non-zero exit.
# MLGATE_WRAP, when set, prefixes every command (e.g. valgrind). Cases run
# MLGATE_CLI_JOBS at a time (default: one per CPU); results print in case order.
set -uo pipefail

BIN=$(cd "${1:?usage: run.sh BINDIR [CASE_DIR]}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
CASES=${2:-$here/cases}
TIMEOUT=${MLGATE_CLI_TIMEOUT:-60}
FIXTURES=$(cd "$here/../../fixtures" && pwd)
export BIN FIXTURES

# Exit codes a sanitizer or valgrind uses, so they can never pass for a gate's own codes.
export ASAN_OPTIONS="exitcode=86:abort_on_error=0:detect_leaks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:exitcode=87${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
crash_codes=" 86 87 97 124 "

work=$(mktemp -d "${TMPDIR:-/tmp}/mlgate-cli.XXXXXX")
trap 'rm -rf "$work"' EXIT

scrub_env=()
while IFS='=' read -r name _; do
	case $name in
	GITHUB_* | RUNNER_* | TF_BUILD | SYSTEM_* | BUILD_* | AGENT_* | MLFLOW_* | DATABRICKS_*)
		scrub_env+=(-u "$name") ;;
	esac
done < <(env)

# One case: its result block on stdout; status 0 passed, 1 failed.
run_case() {
	local case_file=$1 name sandbox args expect_exit setup envs checks line v code problems check key val n argv
	name=$(basename "$case_file" .case)
	sandbox="$work/$name"
	mkdir -p "$sandbox"

	args="" expect_exit="" setup=""
	envs=() checks=()
	while IFS= read -r line || [ -n "$line" ]; do
		case $line in
		'' | '#'*) ;;
		args:*) args=${line#args:} ;;
		exit:*) expect_exit=${line#exit:}; expect_exit=${expect_exit// /} ;;
		env:*) v=${line#env:}; envs+=("${v# }") ;;
		setup:*) setup=${line#setup:} ;;
		stdout:* | stdout-not:* | stderr:* | stderr-not:* | stderr-lines:* | stdout-empty | stderr-empty)
			checks+=("$line") ;;
		*) echo "FAIL $name: unknown line in case file: $line"; return 1 ;;
		esac
	done <"$case_file"
	if [ -z "$args" ] || [ -z "$expect_exit" ]; then
		echo "FAIL $name: case needs 'args:' and 'exit:'"
		return 1
	fi

	if [ -n "$setup" ] && ! (cd "$sandbox" && eval "$setup") >"$sandbox/.setup.log" 2>&1; then
		echo "FAIL $name: setup failed: $(cat "$sandbox/.setup.log")"
		return 1
	fi
	eval "argv=($args)"
	case ${argv[0]} in
	*/*) ;;
	*) argv[0]="$BIN/${argv[0]}" ;;
	esac
	# shellcheck disable=SC2086 # MLGATE_WRAP is a command line
	(cd "$sandbox" && exec env "${scrub_env[@]}" "${envs[@]}" timeout -k 5 "$TIMEOUT" \
		${MLGATE_WRAP:-} "${argv[@]}") </dev/null >"$sandbox/.stdout" 2>"$sandbox/.stderr"
	code=$?

	problems=()
	if [ "$code" -ge 128 ] || [[ $crash_codes == *" $code "* ]] ||
		grep -Eq 'ERROR: (Address|Leak)Sanitizer|runtime error:|^==[0-9]+== (Invalid|Conditional|Syscall param|Mismatched)' "$sandbox/.stderr"; then
		problems+=("crashed or tripped a checker (exit $code)")
	elif [ "$code" != "$expect_exit" ]; then
		problems+=("exit $code, expected $expect_exit")
	fi
	for check in "${checks[@]}"; do
		key=${check%%:*} val=${check#*:} val=${val# }
		case $key in
		stdout) grep -Eq -- "$val" "$sandbox/.stdout" || problems+=("stdout does not match: $val") ;;
		stdout-not) grep -Eq -- "$val" "$sandbox/.stdout" && problems+=("stdout matches: $val") ;;
		stderr) grep -Eq -- "$val" "$sandbox/.stderr" || problems+=("stderr does not match: $val") ;;
		stderr-not) grep -Eq -- "$val" "$sandbox/.stderr" && problems+=("stderr matches: $val") ;;
		stdout-empty) [ -s "$sandbox/.stdout" ] && problems+=("stdout is not empty") ;;
		stderr-empty) [ -s "$sandbox/.stderr" ] && problems+=("stderr is not empty") ;;
		stderr-lines)
			n=$(wc -l <"$sandbox/.stderr")
			[ "$n" -eq "$val" ] || problems+=("stderr has $n lines, expected $val") ;;
		esac
	done

	if ((${#problems[@]} == 0)); then
		echo "ok   $name"
		return 0
	else
		echo "FAIL $name: ${args# }"
		for p in "${problems[@]}"; do echo "     - $p"; done
		echo "     --- stdout"; sed -n '1,20p' "$sandbox/.stdout" | sed 's/^/     | /'
		echo "     --- stderr"; sed -n '1,40p' "$sandbox/.stderr" | sed 's/^/     | /'
		return 1
	fi
}

# The cases run MLGATE_CLI_JOBS at a time (default: one per CPU), each in its
# own sandbox; their results are printed in case order.
jobs=${MLGATE_CLI_JOBS:-$(nproc)}
results="$work/.results"
mkdir -p "$results"
running=0
for case_file in "$CASES"/*.case; do
	[ -e "$case_file" ] || continue
	name=$(basename "$case_file" .case)
	(run_case "$case_file" >"$results/$name.out" 2>&1; echo $? >"$results/$name.rc") &
	running=$((running + 1))
	if ((running >= jobs)); then
		wait -n
		running=$((running - 1))
	fi
done
wait

passed=0 failed=0
for case_file in "$CASES"/*.case; do
	[ -e "$case_file" ] || continue
	name=$(basename "$case_file" .case)
	cat "$results/$name.out"
	if [ "$(cat "$results/$name.rc" 2>/dev/null)" = 0 ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
done

echo "cli: $passed passed, $failed failed"
if ((passed + failed == 0)); then
	echo "cli: no case ran in $CASES" >&2
	exit 1
fi
((failed == 0))
