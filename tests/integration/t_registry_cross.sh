#!/usr/bin/env bash
# Cross-checks between the backends on one registry: the harness's MLflow
# server and its own SQLite file. What the SQLite backend writes, the real
# server reads back identically over REST, and the reverse.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testlib.sh"
rest=$MLGATE_TEST_MLFLOW_URI
sql="sqlite:///$MLGATE_TEST_MLFLOW_DB"
model="cross model é & co $$"

"$MLGATE_TEST_PYTHON" - "$rest" "$model" >"$T_DIR/seed.log" 2>&1 <<'PY' || { cat "$T_DIR/seed.log" >&2; fail "seeding"; }
import sys, warnings
warnings.filterwarnings("ignore")
from mlflow import MlflowClient
c = MlflowClient(sys.argv[1])
run = c.create_run(c.create_experiment(sys.argv[2]))
c.create_registered_model(sys.argv[2])
for _ in range(3):
    c.create_model_version(sys.argv[2], f"{run.info.artifact_uri}/model", run.info.run_id)
PY

same_view() { # what each backend reads for every version must be identical
	for v in 1 2 3; do
		expect_rc 0 "$regtool" "$rest" get-version "$model" "$v"
		cp "$OUT" "$T_DIR/rest.json"
		expect_rc 0 "$regtool" "$sql" get-version "$model" "$v"
		cmp -s "$OUT" "$T_DIR/rest.json" || {
			diff "$T_DIR/rest.json" "$OUT" >&2
			fail "$1: version $v reads differently over REST and from SQLite"
		}
	done
	expect_rc 0 "$regtool" "$rest" get-model "$model"
	cp "$OUT" "$T_DIR/rest.json"
	expect_rc 0 "$regtool" "$sql" get-model "$model"
	cmp -s "$OUT" "$T_DIR/rest.json" || fail "$1: the model reads differently"
}

# written through SQLite, read through the server
expect_rc 0 "$regtool" "$sql" set-tag "$model" 1 "mlgate.comply.verdict" passed -- \
	describe "$model" 1 "from SQLite ✓" -- transition "$model" 1 Staging archive -- \
	set-alias "$model" champion 1
same_view "SQLite writes"
expect_rc 0 "$regtool" "$rest" by-alias "$model" champion
assert_match "$OUT" '"version":"1","current_stage":"Staging","description":"from SQLite ✓"'

# written through the server, read from SQLite
expect_rc 0 "$regtool" "$rest" set-tag "$model" 2 "k" "v & w" -- describe "$model" 2 "from REST" -- \
	transition "$model" 2 Staging archive -- set-alias "$model" champion 2 -- delete-tag "$model" 1 mlgate.comply.verdict
same_view "REST writes"
expect_rc 0 "$regtool" "$sql" in-stage "$model" Archived
assert_match "$OUT" '"version":"1","current_stage":"Archived"'
echo "cross-checks: both backends read each other's writes identically"
