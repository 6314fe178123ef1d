#!/usr/bin/env bash
# A promotion whose k-th registry write fails (answered 500, or applied with
# its answer lost), for every k: exit 3 saying what was and was not applied
# on stderr, in JSON and in JUnit, and a plain re-run finishes it
# (partial_writes.py).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testlib.sh"
repo_root=$(cd "$here/../.." && pwd)

"$MLGATE_TEST_PYTHON" "$here/partial_writes.py" "$MLGATE_TEST_MLFLOW_URI" "$MLGATE_BIN" \
	"$T_DIR" "$repo_root/fixtures/policies/compare.json"
