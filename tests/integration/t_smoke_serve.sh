#!/usr/bin/env bash
# mlgate-smoke against real parts: a tiny scikit-learn model trained on the committed
# sample, logged to the harness's MLflow server, scored in batch through MLflow and
# served by `mlflow models serve --env-manager local` on a loopback port (always
# stopped, with its whole process group, however the test ends).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testlib.sh"
smoke=$MLGATE_BIN/mlgate-smoke
py=$MLGATE_TEST_PYTHON
venv_bin=$(dirname "$py")
export MLFLOW_TRACKING_URI=$MLGATE_TEST_MLFLOW_URI
export PATH="$venv_bin:$PATH" # the scoring server starts uvicorn from the venv

cp "$here/../../fixtures/smoke/sample.csv" "$here/../../fixtures/smoke/with-nulls.csv" "$T_DIR/"
cp "$here/smoke_score.py" "$here/smoke_unit.py" "$T_DIR/"
cd "$T_DIR"

model_uri=$("$py" "$here/smoke_train.py" sample.csv smoke-model 2>train.log | tail -1) || true
case $model_uri in models:/smoke-model/*) ;; *) cat train.log >&2; fail "training gave '$model_uri'" ;; esac

port=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
serve_pid=
stop_server() {
	if [ -n "$serve_pid" ]; then
		kill -TERM -- "-$serve_pid" 2>/dev/null || true
		for _ in $(seq 1 50); do kill -0 -- "-$serve_pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL -- "-$serve_pid" 2>/dev/null || true
		serve_pid=
	fi
}
trap stop_server EXIT
setsid "$venv_bin/mlflow" models serve -m "$model_uri" --env-manager local \
	-h 127.0.0.1 -p "$port" >serve.log 2>&1 &
serve_pid=$!
url=http://127.0.0.1:$port

# 1. all four kinds pass; the command's own JUnit cases appear as children
cat >suite.json <<JSON
{"version": 1, "smoke": {"sample": "{suite_dir}/sample.csv", "timeout_s": 300, "cases": [
  {"name": "contract", "kind": "data", "path": "{sample}",
   "columns": {"id": {"type": "int", "nullable": false, "min": 1},
               "amount": {"type": "float", "min": 0},
               "country": {"type": "string", "allowed": ["DE", "FR"]},
               "day": {"type": "date"}, "a": {"type": "float", "min": 0, "max": 1},
               "label": {"type": "int", "allowed": ["0", "1"]}},
   "unique": ["id"], "max_null_fraction": 0.01, "rows": {"min": 1}},
  {"name": "unit", "kind": "command",
   "run": ["$py", "-m", "pytest", "-q", "-p", "no:cacheprovider", "{suite_dir}/smoke_unit.py", "--junitxml={out}/unit.xml"],
   "env": {"SMOKE_SAMPLE": "{sample}"}, "junit": "{out}/unit.xml", "timeout_s": 120},
  {"name": "score", "kind": "predict-batch",
   "run": ["$py", "{suite_dir}/smoke_score.py", "{model_uri}", "{sample}", "{out}/pred.csv"],
   "output": "{out}/pred.csv", "timeout_s": 120,
   "expect": {"rows": "input", "columns": {"prediction": {"type": "float", "min": 0, "max": 1, "nullable": false}}}},
  {"name": "serve", "kind": "predict-http", "url": "$url", "input": "{sample}", "batch_size": 16,
   "requests": 30, "health_timeout_s": 120,
   "expect": {"count": "input", "range": [0, 1], "p50_ms": 2000, "p95_ms": 5000}}
]}}
JSON
expect_rc 0 "$smoke" --suite suite.json --ci none -j 4 --model-uri "$model_uri" \
	--junit smoke.xml --json smoke.json
assert_match "$OUT" '^passed: smoke: contract: 40 rows checked$'
assert_match "$OUT" '^passed: smoke: score: 40 input rows, 40 output rows$'
assert_match "$OUT" '^passed: smoke: serve: 40 predictions in 3 batches of up to 16; 30 requests; latency p50'
for t in test_sample_has_rows test_labels_are_binary test_maybe_fails; do # pytest's own JUnit, imported
	assert_match smoke.xml "<testcase name=\"unit/smoke_unit\.$t\" classname=\"smoke\.unit\""
done
assert_match smoke.xml '<property name="mlgate.verdict" value="passed"/>'
junit_valid smoke.xml
grep -q 'POST /invocations' serve.log || fail "the scoring server saw no request"

# 2. failing cases: each one a failure (exit 1) naming what broke
cat >fail.json <<JSON
{"version": 1, "smoke": {"sample": "{suite_dir}/sample.csv", "cases": [
  {"name": "wrong-type", "kind": "data", "path": "{sample}", "columns": {"country": {"type": "float"}}},
  {"name": "null-fraction", "kind": "data", "path": "{suite_dir}/with-nulls.csv",
   "columns": {"a": {"max_null_fraction": 0.1}}},
  {"name": "timeout", "kind": "command", "run": ["sh", "-c", "sleep 987 & sleep 988"], "timeout_s": 1},
  {"name": "out-of-range", "kind": "predict-http", "url": "$url", "input": "{sample}",
   "expect": {"range": [0, 0.5]}},
  {"name": "slow", "kind": "predict-http", "url": "$url", "input": "{sample}", "requests": 5,
   "expect": {"p95_ms": 0.001}},
  {"name": "unit-fails", "kind": "command",
   "run": ["$py", "-m", "pytest", "-q", "-p", "no:cacheprovider", "{suite_dir}/smoke_unit.py", "--junitxml={out}/u.xml"],
   "env": {"SMOKE_SAMPLE": "{sample}", "SMOKE_FAIL": "1"}, "junit": "{out}/u.xml", "exit_code": 1}
]}}
JSON
expect_rc 1 "$smoke" --suite fail.json --ci none -j 3 --junit fail.xml
assert_match "$OUT" "^failed: smoke: wrong-type: .*row 2, column 'country' \(3\): 'DE' is not of type float"
assert_match "$OUT" "^failed: smoke: null-fraction: .*null fraction 0\.5 is above 0\.1"
assert_match "$OUT" '^failed: smoke: timeout: timed out after 1 s \(process group killed\)$'
assert_match "$OUT" '^failed: smoke: out-of-range: prediction [0-9]+ is 1, outside \[0, 0\.5\]$'
assert_match "$OUT" '^failed: smoke: slow: latency p95 [0-9.]+ ms is over the budget 0\.001 ms$'
assert_match "$OUT" '^failed: smoke: unit-fails: 1 of 3 imported tests failed$'
assert_match "$OUT" '^failed: smoke: unit-fails/smoke_unit\.test_maybe_fails: AssertionError: SMOKE_FAIL asked for a failure'
for t in test_sample_has_rows test_labels_are_binary; do
	assert_match fail.xml "<testcase name=\"unit-fails/smoke_unit\.$t\" classname=\"smoke\.unit-fails\""
done
assert_match fail.xml '<testcase name="unit-fails/smoke_unit\.test_maybe_fails" classname="smoke\.unit-fails"'
junit_valid fail.xml
sleep 0.3
if pgrep -f 'sleep 98[78]' >/dev/null; then
	pgrep -af 'sleep 98[78]' >&2
	fail "the timed-out command left processes behind"
fi

# 3. the server down: an error (exit 3), not a failure
stop_server
cat >down.json <<JSON
{"version": 1, "smoke": {"cases": [
  {"name": "serve", "kind": "predict-http", "url": "$url", "input": "{suite_dir}/sample.csv",
   "health_timeout_s": 2, "expect": {"range": [0, 1]}}
]}}
JSON
expect_rc 3 "$smoke" --suite down.json --ci none
assert_match "$OUT" "^error: smoke: serve: '$url/ping' not healthy after 2 s: "
echo "smoke: all four kinds against a real served model, failures and errors as expected"
