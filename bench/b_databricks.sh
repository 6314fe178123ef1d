#!/usr/bin/env bash
# Benchmark: the requests (and wall time) of a compare + promote pair on Databricks,
# workspace registry and Unity Catalog, mlgate next to the same steps written with
# MLflow's client and the Databricks SDK, counted by the loopback emulator's request log.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
"$MLGATE_TEST_PYTHON" "$here/databricks_pair.py" --bin "$MLGATE_BIN" \
	--emu "$here/../tests/integration/dbemu.py" --tmp "$MLGATE_TEST_TMP" -n "${MLGATE_BENCH_PAIRS:-5}"
