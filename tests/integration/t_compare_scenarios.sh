#!/usr/bin/env bash
# The mlgate-compare scenarios, run twice: over REST against the harness's real
# MLflow server, and on the SQLite backend (MLflow's own store, created and
# seeded by MLflow's Python client). Every result is read back through MLflow.
# compare_seed.py describes the seeded models.
# MLflow's view (compare_view.py) lists every experiment of the server, so
# the REST scenarios get a server no other test writes to:
# harness: own-server
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testlib.sh"
repo_root=$(cd "$here/../.." && pwd)
compare="$MLGATE_BIN/mlgate-compare"
policy="$repo_root/fixtures/policies/compare.json"
py=$MLGATE_TEST_PYTHON


jget() { # FILE KEY...: one value of a JSON file
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
for k in sys.argv[2:]: d=d[int(k)] if isinstance(d, list) else d[k]
print(d)' "$@"
}

scenarios() { # URI TRACKING: run every scenario in a fresh directory $W
	URI=$1 TRACKING=$2 W=$T_DIR/$3
	mkdir -p "$W"
	"$py" "$here/compare_seed.py" "$TRACKING" >"$W/seed.json" 2>"$W/seed.err" ||
		{ cat "$W/seed.err" >&2; fail "seeding failed"; }
	model=$(jget "$W/seed.json" model)
	first=$(jget "$W/seed.json" first)
	run1=$(jget "$W/seed.json" runs 1)
	run2=$(jget "$W/seed.json" runs 2)
	view() { "$py" "$here/compare_view.py" "$TRACKING" "$@" 2>/dev/null; }
	write_policy() { printf '%s\n' "$1" >"$W/$2"; }
	run_compare() { # EXPECTED-EXIT ARGS...
		local want=$1
		shift
		expect_rc "$want" "$compare" --registry "$URI" "$@"
	}

	# 1. dry run first: everything evaluated, nothing written (MLflow's view identical)
	before=$(view "$model")
	run_compare 0 --model "$model" --alias challenger --policy "$policy" --dry-run --json "$W/dry.json" --log-experiment "cmp-exp-dry"
	[ "$before" = "$(view "$model")" ] || fail "--dry-run changed the registry"
	[ "$(view --run cmp-exp-dry)" = "[]" ] || fail "--dry-run logged an experiment run"
	assert_match "$OUT" "^would set tag mlgate.compare.verdict=passed on model '$model' version 2$"
	assert_match "$OUT" "^would log run 'compare $model v2 vs 1' to experiment 'cmp-exp-dry'$"
	assert_match "$W/dry.json" '"dry_run":[[:space:]]*true'

	# 2. the good candidate passes: min_absolute_change, min_relative_change, regression within margin
	run_compare 0 --model "$model" --alias challenger --policy "$policy" --junit "$W/pass.xml" \
		--json "$W/pass.json" --summary "$W/pass.md"
	junit_valid "$W/pass.xml"
	for p in 'mlgate.champion.version" value="1"' 'mlgate.verdict" value="passed"' 'mlgate.gate" value="compare"' \
		"mlgate.champion.run\" value=\"$run1\"" "mlgate.candidate.run\" value=\"$run2\"" 'mlgate.compare.metric_source" value="run"' \
		'mlgate.git.commit" value="abababababababababababababababababababab"'; do
		assert_match "$W/pass.xml" "<property name=\"$p/>"
	done
	for id in accuracy loss f1; do assert_match "$W/pass.xml" "<testcase name=\"compare.metric.$id\""; done
	assert_match "$OUT" "passed: compare: compare.metric.f1: candidate 0.69, production 0.7, delta -0.01: within max_regression"
	assert_match "$W/pass.md" '^\| metric \| production \| candidate \| delta \| rule \| verdict \|$'
	assert_match "$W/pass.md" '^\| accuracy \| 0.8 \| 0.85 \| \+0.05 \| higher is better; threshold &gt;= 0.75; min\\_absolute\\_change 0.01 \| ✅ passed \|$'
	assert_match "$W/pass.md" "run $run2.*Production: version 1 \(alias champion\), run $run1"
	[ "$(jget "$W/pass.json" compare baseline run_id)" = "$run1" ] || fail "JSON lacks the baseline run"
	# the delta as written (0.45 - 0.5), the same as the console and summary say, not the binary -0.04999999999999999
	[ "$(jget "$W/pass.json" compare metrics 1 delta)" = "-0.05" ] || fail "JSON delta"
	v=$(view "$model")
	grep -q '"mlgate.compare.verdict": "passed"' <<<"$v" || fail "verdict tag not written: $v"
	grep -q '\[mlgate\] compare passed at [^"]*: vs version 1: 3 metrics, 0 failed' <<<"$v" || fail "description line not appended"
	# a re-run changes nothing (idempotent)
	before=$(view "$model")
	run_compare 0 --model "$model" --alias challenger --policy "$policy" --json "$W/again.json"
	[ "$before" = "$(view "$model")" ] || fail "a re-run changed the registry"

	# 3. selection by stage: the default baseline is then stage Production
	run_compare 0 --model "$model" --stage Staging --policy "$policy" --dry-run --junit "$W/stage.xml"
	assert_match "$W/stage.xml" '<property name="mlgate.compare.baseline" value="stage Production"/>'
	run_compare 0 --model "$model" --version 2 --baseline-version 1 --policy "$policy" --dry-run -q

	# 4. threshold failure, and a regression over the tolerated margin
	write_policy '{"version":1,"compare":{"metrics":[
	 {"name":"accuracy","greater_is_better":true,"threshold":0.9},
	 {"name":"f1","greater_is_better":true,"max_regression":0.005},
	 {"name":"loss","greater_is_better":false,"max_relative_regression":0.1}]}}' fail.json
	run_compare 1 --model "$model" --version 2 --policy "$W/fail.json" --dry-run --junit "$W/fail.xml"
	junit_valid "$W/fail.xml"
	assert_match "$OUT" "failed: compare: compare.metric.accuracy: candidate 0.85, production 0.8, delta \+0.05: threshold failed: candidate 0.85 is not >= 0.9"
	assert_match "$OUT" "failed: compare: compare.metric.f1: .*max_regression exceeded: needs >= 0.695"
	assert_match "$OUT" "passed: compare: compare.metric.loss: .*max_relative_regression met"
	assert_match "$W/fail.xml" '<failure message="candidate 0.85, production 0.8'

	# 5. NaN and missing metrics fail; missing on the production model fails; a version without a run fails
	write_policy '{"version":1,"compare":{"metrics":[
	 {"name":"f1","greater_is_better":true,"max_regression":1},
	 {"name":"recall","greater_is_better":true,"threshold":0.1}]}}' missing.json
	run_compare 1 --model "$model" --version 3 --policy "$W/missing.json" --dry-run
	assert_match "$OUT" "failed: compare: compare.metric.f1: candidate value is NaN"
	assert_match "$OUT" "failed: compare: compare.metric.recall: metric is missing on the candidate"
	run_compare 1 --model "$model" --version 2 --policy "$W/missing.json" --dry-run
	assert_match "$OUT" "failed: compare: compare.metric.recall: candidate 0.6: threshold >= 0.1 met; metric is missing on the production model"
	run_compare 1 --model "$model" --version 4 --policy "$policy" --dry-run
	assert_match "$OUT" "metric is missing on the candidate \(version 4 names no run\)"

	# 6. first deployment under each policy, always stated
	for mode in block thresholds_only manual; do
		write_policy "{\"version\":1,\"compare\":{\"first_deployment\":\"$mode\",\"metrics\":[
	 {\"name\":\"accuracy\",\"greater_is_better\":true,\"threshold\":0.5,\"min_absolute_change\":0.01},
	 {\"name\":\"loss\",\"greater_is_better\":false,\"min_relative_change\":0.1}]}}" "first-$mode.json"
	done
	run_compare 1 --model "$first" --version 1 --policy "$W/first-block.json" --junit "$W/fb.xml" --dry-run
	junit_valid "$W/fb.xml"
	assert_match "$W/fb.xml" '<property name="mlgate.champion.version" value="none"/>'
	assert_match "$W/fb.xml" '<property name="mlgate.compare.first_deployment" value="block"/>'
	assert_match "$OUT" "failed: compare: compare.first_deployment: no production model \(alias champion is not set\): first deployment, policy block"
	run_compare 0 --model "$first" --version 1 --policy "$W/first-thresholds_only.json" --summary "$W/ft.md" --dry-run
	assert_match "$OUT" "passed: compare: compare.first_deployment: .*policy thresholds_only: only absolute thresholds were checked \(1 of 2 metrics\)"
	assert_match "$OUT" "skipped: compare: compare.metric.loss: .*no production model: changes and regressions not checked"
	assert_match "$W/ft.md" 'Production: none \(alias champion is not set\) — first deployment, policy first\\_deployment=thresholds\\_only'
	run_compare 4 --model "$first" --version 1 --policy "$W/first-manual.json" --junit "$W/fm.xml" --json "$W/fm.json"
	junit_valid "$W/fm.xml"
	assert_match "$W/fm.xml" '<property name="mlgate.verdict" value="manual"/>'
	[ "$(jget "$W/fm.json" verdict)" = manual ] || fail "JSON verdict is not manual"
	grep -q '"mlgate.compare.verdict": "manual"' <<<"$(view "$first")" || fail "manual verdict not written back"
	# an explicit --baseline-version that does not exist is an error, not a first deployment
	run_compare 2 --model "$first" --version 1 --baseline-version 7 --policy "$W/first-manual.json"

	# 7. --results: CSV with one header, JSON Lines otherwise; appended
	run_compare 0 --model "$model" --version 2 --policy "$policy" --dry-run -q --results "$W/r.csv"
	run_compare 1 --model "$model" --version 3 --policy "$policy" --dry-run -q --results "$W/r.csv"
	[ "$(grep -c '^finished,model,metric,' "$W/r.csv")" = 1 ] || fail "CSV header not written exactly once"
	[ "$(wc -l <"$W/r.csv")" = 7 ] || fail "CSV rows: $(cat "$W/r.csv")"
	python3 - "$W/r.csv" "$run1" <<'PY' || fail "CSV content"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert [r["metric"] for r in rows] == ["accuracy", "loss", "f1"] * 2, rows
assert rows[0]["candidate"] == "0.85" and rows[0]["baseline"] == "0.8" and rows[0]["baseline_run"] == sys.argv[2], rows[0]
assert rows[0]["verdict"] == "passed" and rows[5]["verdict"] == "failed" and rows[5]["candidate"] == "NaN", rows[5]
PY
	run_compare 0 --model "$model" --version 2 --policy "$policy" --dry-run -q --results "$W/r.jsonl"
	run_compare 1 --model "$first" --version 1 --policy "$W/first-block.json" --dry-run -q --results "$W/r.jsonl"
	python3 - "$W/r.jsonl" <<'PY' || fail "JSON Lines content"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == 5, rows
assert rows[2]["metric"] == "f1" and rows[2]["delta"] == -0.01, rows[2]
assert rows[3]["baseline_version"] == "none" and rows[3]["baseline"] is None and rows[3]["first_deployment"] == "block", rows[3]
PY

	# 8. --log-experiment: the comparison as an MLflow run, read back through MLflow
	run_compare 0 --model "$model" --version 2 --policy "$policy" -q --log-experiment "cmp-exp" --json "$W/log.json"
	python3 - "$(view --run cmp-exp)" "$model" <<'PY' || fail "logged run: $(view --run cmp-exp)"
import json, sys
runs = json.loads(sys.argv[1])
assert len(runs) == 1, runs
r = runs[0]
assert r["status"] == "FINISHED" and r["name"] == f"compare {sys.argv[2]} v2 vs 1", r
assert r["params"]["model"] == sys.argv[2] and r["params"]["candidate_version"] == "2" and r["params"]["baseline_version"] == "1", r
m = r["metrics"]
assert m["candidate.accuracy"] == 0.85 and m["baseline.accuracy"] == 0.8 and abs(m["delta.accuracy"] - 0.05) < 1e-12, m
assert r["tags"]["mlgate.verdict"] == "passed", r
PY
	assert_match "$W/log.json" '"experiment_run_id":'

	# 9. errors: two versions in Production is ambiguous; the same version is nothing to compare; registry down
	run_compare 2 --model "$model" --version 1 --policy "$policy" --dry-run
	assert_match "$ERR" "are the same version 1"
	"$py" - "$TRACKING" "$model" <<'PY' 2>/dev/null
import sys, warnings
warnings.filterwarnings("ignore")
from mlflow import MlflowClient
c = MlflowClient(tracking_uri=sys.argv[1], registry_uri=sys.argv[1])
c.transition_model_version_stage(sys.argv[2], "3", "Production")
PY
	run_compare 2 --model "$model" --version 2 --baseline-stage production --policy "$policy" --dry-run
	assert_match "$ERR" "has 2 versions in stage Production \((1, 3|3, 1)\): name one with --version"
	before=$(view "$model")
	MLFLOW_HTTP_REQUEST_MAX_RETRIES=0 expect_rc 3 "$compare" --registry http://127.0.0.1:9 --model "$model" --version 2 --policy "$policy" --junit "$W/down.xml"
	[ ! -e "$W/down.xml" ] || junit_valid "$W/down.xml"
	[ "$before" = "$(view "$model")" ] || fail "a failed run changed the registry"
}

scenarios "$MLGATE_TEST_MLFLOW_URI" "$MLGATE_TEST_MLFLOW_URI" rest
echo "compare (REST): all scenarios passed"
scenarios "sqlite:///$T_DIR/sqlite/registry.db" "sqlite:///$T_DIR/sqlite/registry.db" sqlite
echo "compare (SQLite): all scenarios passed"
