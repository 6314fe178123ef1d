# Shared helpers for tests/integration/t_*.sh (source it). A failed check
# prints what was expected and what happened, then exits 1.
#   run_cmd CMD...              run, keeping exit code in $RC, output in $OUT and $ERR files
#   expect_rc N CMD...          run_cmd and require exit code N
#   assert_match FILE REGEX     some line of FILE matches (grep -E)
#   assert_no_match FILE REGEX
#   fail MESSAGE
#   junit_valid FILE...         each file valid JUnit of mlgate's profile (below)
# and $regtool, the registry command line (tests/integration/regtool.c).

T_DIR=${MLGATE_TEST_TMP:?run through tests/integration/run.sh}
: "${MLGATE_TEST_PYTHON:?run through tests/integration/run.sh}"
: "${MLGATE_TEST_BIN:?run through tests/integration/run.sh}"
regtool=$MLGATE_TEST_BIN/regtool
OUT="$T_DIR/.out"
ERR="$T_DIR/.err"

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

[ -x "$regtool" ] || fail "missing $regtool (make tests)"

run_cmd() {
	set +e
	"$@" >"$OUT" 2>"$ERR"
	RC=$?
	set -e
	if [ "$RC" -ge 128 ] || grep -Eq 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$ERR"; then
		echo "--- stderr of $*:" >&2
		cat "$ERR" >&2
		fail "crashed or tripped a sanitizer (exit $RC): $*"
	fi
}

expect_rc() {
	local want=$1
	shift
	run_cmd "$@"
	if [ "$RC" != "$want" ]; then
		echo "--- stdout:" >&2
		head -c 2000 "$OUT" >&2
		echo "--- stderr:" >&2
		head -c 2000 "$ERR" >&2
		fail "exit $RC, expected $want: $*"
	fi
}

assert_match() {
	grep -Eq -- "$2" "$1" || {
		echo "--- $1:" >&2
		head -c 2000 "$1" >&2
		fail "no line of $(basename "$1") matches: $2"
	}
}

assert_no_match() {
	if grep -Eq -- "$2" "$1"; then
		echo "--- $1:" >&2
		head -c 2000 "$1" >&2
		fail "a line of $(basename "$1") matches: $2"
	fi
}

# junit_valid FILE...: every file is valid against docs/junit.xsd, the
# schema of mlgate's JUnit profile (docs/reporters.md). The schema is in the
# tree, so this never skips.
junit_xsd=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/docs/junit.xsd
junit_valid() {
	local f
	command -v xmllint >/dev/null || fail "xmllint is not installed (libxml2-utils, scripts/deps.sh)"
	for f in "$@"; do
		xmllint --noout --schema "$junit_xsd" "$f" 2>"$T_DIR/.xsd.err" || {
			cat "$T_DIR/.xsd.err" >&2
			fail "$f is not valid against $junit_xsd"
		}
	done
}
