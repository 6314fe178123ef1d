#!/usr/bin/env bash
# mlgate-compare with "metric_source": "model_metrics": the numbers are the
# latest metrics logged to each version's MLflow 3 LoggedModel. Run over REST
# against the harness's real MLflow server and on MLflow's SQLite store, each
# seeded by MLflow's own client (compare_model_seed.py); MLflow's
# get_logged_model is the oracle for every value and the run it came from.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testlib.sh"
compare="$MLGATE_BIN/mlgate-compare"
py=$MLGATE_TEST_PYTHON

jget() { # FILE KEY...: one value of a JSON file
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
for k in sys.argv[2:]: d=d[int(k)] if isinstance(d, list) else d[k]
print(d)' "$@"
}

scenarios() { # URI WORKDIR
	URI=$1 W=$T_DIR/$2
	mkdir -p "$W"
	"$py" "$here/compare_model_seed.py" "$URI" >"$W/seed.json" 2>"$W/seed.err" ||
		{ cat "$W/seed.err" >&2; fail "seeding failed"; }
	model=$(jget "$W/seed.json" model)
	policy=$W/policy.json
	cat >"$policy" <<'JSON'
{"version": 1, "compare": {"metric_source": "model_metrics", "metrics": [
  {"name": "auc", "greater_is_better": true, "min_absolute_change": 0.01},
  {"name": "loss", "greater_is_better": false, "max_regression": 0.02}]}}
JSON
	run_compare() { # EXPECTED-EXIT ARGS...
		local want=$1
		shift
		expect_rc "$want" "$compare" --registry "$URI" --model "$model" "$@"
	}

	# 1. challenger (v2) against champion (v1): each number is MLflow's latest value of the
	#    LoggedModel's metric, and names the run that logged it (v2's come from an evaluation run)
	run_compare 0 --alias challenger --policy "$policy" --json "$W/pass.json" --junit "$W/pass.xml" \
		--results "$W/rows.jsonl" --summary "$W/pass.md"
	junit_valid "$W/pass.xml"
	for i in 0 1; do
		name=$(jget "$W/pass.json" compare metrics $i name)
		for side in candidate:2 baseline:1; do
			key=${side%%:*} v=${side##*:}
			[ "$(jget "$W/pass.json" compare metrics $i "$key")" = "$(jget "$W/seed.json" expected "$v" "$name" value)" ] ||
				fail "$key $name differs from MLflow's get_logged_model"
			[ "$(jget "$W/pass.json" compare metrics $i "${key}_run")" = "$(jget "$W/seed.json" expected "$v" "$name" run_id)" ] ||
				fail "$key $name names the wrong run"
		done
	done
	[ "$(jget "$W/pass.json" compare metric_source)" = model_metrics ] || fail "JSON metric_source"
	[ "$(jget "$W/pass.json" compare candidate model_id)" = "$(jget "$W/seed.json" ids 2)" ] || fail "JSON candidate model_id"
	[ "$(jget "$W/pass.json" compare baseline model_id)" = "$(jget "$W/seed.json" ids 1)" ] || fail "JSON baseline model_id"
	assert_match "$W/pass.xml" '<property name="mlgate.compare.metric_source" value="model_metrics"/>'
	assert_match "$W/pass.md" "Candidate logged model: $(jget "$W/seed.json" ids 2)\."
	assert_match "$W/rows.jsonl" '"metric_source":[[:space:]]*"model_metrics"'
	assert_match "$W/rows.jsonl" "\"candidate_run\":[[:space:]]*\"$(jget "$W/seed.json" expected 2 auc run_id)\""
	assert_match "$OUT" "passed: compare: compare.metric.auc: candidate 0.86, production 0.8, delta \+0.06"

	# 2. a metric logged for two datasets has no single value: missing, fails, names both
	run_compare 1 --version 3 --policy "$policy" --dry-run
	assert_match "$OUT" "failed: compare: compare.metric.auc: metric is missing on the candidate \(logged model $(jget "$W/seed.json" ids 3) has 'auc' for datasets 'eval' and 'holdout': set compare.model_metrics_dataset\)"
	#    choosing the dataset picks its value; production (no dataset) then lacks it: fail closed
	sed 's/"model_metrics",/"model_metrics", "model_metrics_dataset": "eval",/' "$policy" >"$W/eval.json"
	run_compare 1 --version 3 --policy "$W/eval.json" --dry-run
	assert_match "$OUT" "compare.metric.auc: candidate 0.9: metric is missing on the production model"

	# 3. a version registered from a run has no LoggedModel: every metric is missing
	run_compare 1 --version 4 --policy "$policy" --dry-run
	assert_match "$OUT" "compare.metric.auc: metric is missing on the candidate \(version 4 was not registered from a logged model \(source 'runs:/"

	# 4. model_metrics_dataset means nothing with the run source: a configuration error
	sed 's/"model_metrics",/"run", "model_metrics_dataset": "eval",/' "$policy" >"$W/bad.json"
	run_compare 2 --version 2 --policy "$W/bad.json"
	assert_match "$ERR" "compare.model_metrics_dataset: only meaningful with \"metric_source\": \"model_metrics\""
}

scenarios "$MLGATE_TEST_MLFLOW_URI" rest
echo "compare model_metrics (REST): all scenarios passed"
mkdir -p "$T_DIR/sqlite"
scenarios "sqlite:///$T_DIR/sqlite/registry.db" sqlite
echo "compare model_metrics (SQLite): all scenarios passed"
