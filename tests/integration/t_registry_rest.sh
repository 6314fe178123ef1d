#!/usr/bin/env bash
# The registry contract (registry_contract.py) on the REST backend against
# the harness's real MLflow server, with a token in the environment that
# must never be printed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testlib.sh"
export MLFLOW_TRACKING_TOKEN="contract-t0ken-$$"
"$MLGATE_TEST_PYTHON" "$here/registry_contract.py" --regtool "$MLGATE_TEST_BIN/regtool" \
	--uri "$MLGATE_TEST_MLFLOW_URI" --tracking-uri "$MLGATE_TEST_MLFLOW_URI" 2>"$ERR" || {
	cat "$ERR" >&2
	fail "registry contract failed on the REST backend"
}
assert_no_match "$ERR" "contract-t0ken-$$"
