#!/usr/bin/env bash
# MLflow as the oracle of mlgate-compare's MetricThreshold semantics:
# compare_oracle.py generates many cases (zero and negative baselines, equal
# values, exact bounds, both directions, missing candidate metrics), logs
# them as metrics m0..mN of two versions and decides each with MLflow's own
# mlflow.validate_evaluation_results; one mlgate-compare run must give the
# same verdict for every metric. Over REST and on SQLite.
#   MLGATE_ORACLE_CASES (default 800 per backend), MLGATE_ORACLE_SEED (default: random, printed)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testlib.sh"
n=${MLGATE_ORACLE_CASES:-800}
seed=${MLGATE_ORACLE_SEED:-$((RANDOM * 32768 + RANDOM))}
echo "oracle: $n cases per backend, seed $seed (MLGATE_ORACLE_SEED=$seed to repeat)"

check() { # URI DIR SEED
	local uri=$1 dir=$2
	mkdir -p "$dir"
	"$MLGATE_TEST_PYTHON" "$here/compare_oracle.py" "$uri" "$dir" "$n" "$3" >"$dir/oracle.json" 2>"$dir/oracle.err" ||
		{ cat "$dir/oracle.err" >&2; fail "the oracle failed"; }
	model=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["model"])' "$dir/expected.json")
	run_cmd "$MLGATE_BIN/mlgate-compare" --registry "$uri" --model "$model" --version 2 \
		--policy "$dir/policy.json" --json "$dir/out.json" --junit "$dir/out.xml" -q --dry-run
	case $RC in 0 | 1) ;; *) cat "$ERR" >&2; fail "mlgate-compare exited $RC" ;; esac
	junit_valid "$dir/out.xml"
	python3 - "$dir/expected.json" "$dir/out.json" "$dir/policy.json" <<'PY' || fail "verdicts differ from MLflow's (seed $3)"
import json, sys
want = json.load(open(sys.argv[1]))["verdicts"]
out = json.load(open(sys.argv[2]))
got = {m["name"]: m["verdict"] for m in out["compare"]["metrics"]}
rules = {r["name"]: r for r in json.load(open(sys.argv[3]))["compare"]["metrics"]}
bad = [k for k in want if got.get(k) != want[k]]
for k in bad[:20]:
    m = next(m for m in out["compare"]["metrics"] if m["name"] == k)
    print(f"{k}: MLflow {want[k]}, mlgate {got.get(k)}; rule {rules[k]}; values {m}", file=sys.stderr)
npass = sum(v == "passed" for v in want.values())
print(f"  {len(want)} cases ({npass} pass, {len(want) - npass} fail per MLflow): {len(bad)} differ")
sys.exit(1 if bad or len(got) != len(want) else 0)
PY
}
check "$MLGATE_TEST_MLFLOW_URI" "$T_DIR/rest" "$seed"
check "sqlite:///$T_DIR/sqlite/oracle.db" "$T_DIR/sqlite" "$((seed + 1))"
echo "compare oracle: mlgate-compare agrees with mlflow.validate_evaluation_results on $((2 * n)) cases"
