#!/usr/bin/env bash
# Every field of every registry answer the compare -> promote chain reads,
# dropped, nulled and retyped by a proxy in front of the real MLflow server:
# each run exits 3 naming the field and writes nothing (registry_mutate.py).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testlib.sh"
repo_root=$(cd "$here/../.." && pwd)

"$MLGATE_TEST_PYTHON" "$here/registry_mutate.py" "$MLGATE_TEST_MLFLOW_URI" "$MLGATE_BIN" \
	"$T_DIR" "$repo_root/fixtures/policies/compare.json"
