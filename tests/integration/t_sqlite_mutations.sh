#!/usr/bin/env bash
# Every value of every row the compare -> promote chain reads from MLflow's
# SQLite store, nulled and given another storage class in a copy of the
# store: each run exits 3 naming TABLE.COLUMN with the file unchanged
# (registry_mutate_sqlite.py).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testlib.sh"
repo_root=$(cd "$here/../.." && pwd)

"$MLGATE_TEST_PYTHON" "$here/registry_mutate_sqlite.py" "$MLGATE_BIN" "$T_DIR" \
	"$repo_root/fixtures/policies/compare.json"
