#!/usr/bin/env bash
# Benchmark: a compare + promote pair (mlgate-compare then mlgate-promote) against
# the harness's real MLflow server, side by side with the same steps written with
# MLflow's Python MlflowClient: wall time per pair and HTTP requests per pair;
# then the same on MLflow's SQLite store (the embedded default registry).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
"$MLGATE_TEST_PYTHON" "$here/compare_promote.py" --bin "$MLGATE_BIN" \
	--uri "$MLGATE_TEST_MLFLOW_URI" --tmp "$MLGATE_TEST_TMP" -n "${MLGATE_BENCH_PAIRS:-15}" 2>/dev/null
echo
"$MLGATE_TEST_PYTHON" "$here/compare_promote.py" --bin "$MLGATE_BIN" \
	--uri "sqlite:///$MLGATE_TEST_TMP/pairs.db" --tmp "$MLGATE_TEST_TMP" -n "${MLGATE_BENCH_PAIRS:-15}" 2>/dev/null
