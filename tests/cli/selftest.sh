#!/usr/bin/env bash
# The CLI runner must fail every case in tests/cli/selftest: each one is a
# crash, a sanitizer report, a timeout or a mismatch dressed up as expected.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
expected=$(ls "$here"/selftest/*.case | wc -l)
out=$(MLGATE_CLI_TIMEOUT=2 "$here/run.sh" "${1:?usage: selftest.sh BINDIR}" "$here/selftest" 2>&1)
code=$?
if [ "$code" -ne 0 ] && grep -qx "cli: 0 passed, $expected failed" <<<"$out"; then
	echo "cli-selftest: the runner rejected all $expected bad cases"
	exit 0
fi
echo "cli-selftest: the runner let a bad case pass (exit $code):"
echo "$out"
exit 1
