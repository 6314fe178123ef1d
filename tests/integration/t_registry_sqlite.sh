#!/usr/bin/env bash
# The same registry contract (registry_contract.py) as t_registry_rest, on
# the SQLite backend: a database MLflow's own client creates and seeds.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testlib.sh"
uri="sqlite:///$T_DIR/contract.db"
"$MLGATE_TEST_PYTHON" "$here/registry_contract.py" --regtool "$regtool" --uri "$uri" \
	--tracking-uri "$uri" 2>"$ERR" || {
	cat "$ERR" >&2
	fail "registry contract failed on the SQLite backend"
}
