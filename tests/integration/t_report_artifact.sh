#!/usr/bin/env bash
# --log-artifact and mlgate-report html --log-to-run: the HTML report attached where reviewers
# look (docs/reporters.md, "Attached where reviewers look").
#   REST     the harness's real MLflow server, which serves artifacts (--serve-artifacts): an
#            experiment at an mlflow-artifacts:/ location; the page read back with
#            MlflowClient().download_artifacts
#   refused  a proxy in front of that server answers every PUT with 500: exit 3, the failed
#            upload said on stderr and in the JSON, the verdict not recorded; a re-run finishes;
#            runs whose artifacts are in S3 or on the server's disk: exit 2 saying so
#   SQLite   MLflow's own store (created by MLflow's client): the run's local artifact
#            directory, read back the same way
#   Databricks  the emulator (dbemu.py): no upload, the comment links MLGATE_REPORT_URL
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testlib.sh"
. "$here/dblib.sh"
py=$MLGATE_TEST_PYTHON
compare=$MLGATE_BIN/mlgate-compare
unset MLFLOW_REGISTRY_URI MLFLOW_TRACKING_URI GITHUB_ACTIONS TF_BUILD GITHUB_RUN_ID \
	SYSTEM_COLLECTIONURI MLGATE_REPORT_URL 2>/dev/null || true
export MLFLOW_HTTP_REQUEST_MAX_RETRIES=0 # the refused upload fails at once
printf '%s\n' '{"version": 1, "compare": {"first_deployment": "block", "metrics": [{"name": "roc_auc", "greater_is_better": true, "threshold": 0.8}]}}' >"$T_DIR/policy.json"

# seed TRACKING LOCATION: a model with versions 1 (alias champion) and 2, each with a run that
# logged roc_auc, in a new experiment at LOCATION ("" for the store's default); prints
# "MODEL RUN1 RUN2" as its last line (MLflow prints run links before)
seed() {
	"$py" - "$1" "$2" <<'PY'
import sys, uuid, warnings
warnings.filterwarnings("ignore")
from mlflow import MlflowClient
c = MlflowClient(sys.argv[1])
name = "mlgate-art-" + uuid.uuid4().hex[:10]
exp = c.create_experiment(name, artifact_location=(sys.argv[2] + name) if sys.argv[2] else None)
c.create_registered_model(name)
runs = []
for auc in (0.90, 0.93):
    r = c.create_run(exp)
    c.log_metric(r.info.run_id, "roc_auc", auc)
    c.set_terminated(r.info.run_id)
    c.create_model_version(name, f"runs:/{r.info.run_id}/model", r.info.run_id)
    runs.append(r.info.run_id)
c.set_registered_model_alias(name, "champion", "1")
print(name, *runs)
PY
}

# fetch TRACKING RUN PATH: the artifact as MLflow's client downloads it, on stdout
fetch() {
	"$py" - "$@" <<'PY'
import sys, tempfile, warnings
warnings.filterwarnings("ignore")
from mlflow import MlflowClient
with tempfile.TemporaryDirectory() as d:
    print(open(MlflowClient(sys.argv[1]).download_artifacts(sys.argv[2], sys.argv[3], d), encoding="utf-8").read(), end="")
PY
}

# version_facts TRACKING MODEL: version 2's mlgate tags and description, as MLflow reads them
version_facts() {
	"$py" - "$@" <<'PY'
import sys, warnings
warnings.filterwarnings("ignore")
from mlflow import MlflowClient
v = MlflowClient(sys.argv[1]).get_model_version(sys.argv[2], "2")
print(sorted(k for k in v.tags if k.startswith("mlgate.")), repr(v.description or ""))
PY
}

page_ok() { # FILE MODEL: the rendered report of this model's compare
	assert_match "$1" '^<!DOCTYPE html>'
	assert_match "$1" "<title>mlgate: [^<]*$2"
	assert_match "$1" 'roc_auc'
	assert_match "$1" '</html>'
}

# ============================================================== REST, through the artifact proxy
uri=$MLGATE_TEST_MLFLOW_URI
read -r model run1 run2 < <(seed "$uri" "mlflow-artifacts:/mlgate-it/" | tail -n 1) || fail "seeding over REST"

# refused first: a proxy whose PUTs fail with 500, the registry behind it real
rm -f "$T_DIR/proxy.port"
"$py" "$here/artifact_proxy.py" "$uri" "$T_DIR/proxy.port" "$T_DIR/proxy.log" >"$T_DIR/proxy.err" 2>&1 &
proxy_pid=$!
trap 'kill $proxy_pid 2>/dev/null || true; emu_stop' EXIT
for _ in $(seq 150); do [ -s "$T_DIR/proxy.port" ] && break; sleep 0.1; done
[ -s "$T_DIR/proxy.port" ] || { cat "$T_DIR/proxy.err" >&2; fail "the proxy did not start"; }
proxy=http://127.0.0.1:$(cat "$T_DIR/proxy.port")
before=$(version_facts "$uri" "$model")
expect_rc 3 "$compare" --registry "$proxy" --model "$model" --version 2 --policy "$T_DIR/policy.json" \
	--log-artifact --quiet --ci none --json "$T_DIR/refused.json" --junit "$T_DIR/refused.xml"
assert_match "$ERR" "stopped half-way: 0 registry changes applied\. Failed: upload mlgate/compare-report\.html \([0-9]+ bytes\) to run $run2 of model '$model' version 2"
assert_match "$ERR" "^mlgate-compare: run '$run2': registry '$proxy' answered PUT /api/2\.0/mlflow-artifacts/artifacts/mlgate-it/$model/$run2/artifacts/mlgate/compare-report\.html with HTTP 500: INTERNAL_ERROR: the artifact store refused the upload"
assert_match "$T_DIR/refused.json" '"registry_changes":[[:space:]]*\[\]'
assert_match "$T_DIR/refused.json" '"verdict":[[:space:]]*"error"'
assert_match "$T_DIR/refused.xml" '<testcase name="compare.report_artifact"'
assert_match "$T_DIR/proxy.log" "^PUT /api/2\.0/mlflow-artifacts/artifacts/mlgate-it/$model/$run2/artifacts/mlgate/compare-report\.html$"
[ "$(version_facts "$uri" "$model")" = "$before" ] || fail "a refused upload left registry changes: $(version_facts "$uri" "$model")"
kill "$proxy_pid" 2>/dev/null || true

# the same command against the server itself finishes: page uploaded, then the verdict recorded
expect_rc 0 "$compare" --registry "$uri" --model "$model" --version 2 --policy "$T_DIR/policy.json" \
	--log-artifact --quiet --ci none --json "$T_DIR/rest.json"
assert_match "$T_DIR/rest.json" "\"uploaded mlgate/compare-report\.html \([0-9]+ bytes\) to run $run2 of model '$model' version 2\""
fetch "$uri" "$run2" mlgate/compare-report.html >"$T_DIR/rest.html" || fail "MLflow cannot download the report"
page_ok "$T_DIR/rest.html" "$model"
case $(version_facts "$uri" "$model") in
*"'mlgate.compare.verdict'"*"[mlgate] compare passed at "*) ;;
*) fail "the verdict was not recorded after the upload: $(version_facts "$uri" "$model")" ;;
esac

# mlgate-report html --log-to-run: the page written with -o is the one MLflow serves back
expect_rc 0 "$MLGATE_BIN/mlgate-report" html -o "$T_DIR/report.html" --log-to-run "$run2" \
	--registry "$uri" --model "$model" "$T_DIR/rest.json"
fetch "$uri" "$run2" mlgate/report.html >"$T_DIR/report-back.html"
cmp -s "$T_DIR/report.html" "$T_DIR/report-back.html" || fail "mlgate/report.html differs from the page written"

# locations mlgate does not write to over REST: exit 2 naming the run and the scheme, nothing recorded
read -r omodel _ orun2 < <(seed "$uri" "s3://mlgate-it-bucket/" | tail -n 1) || fail "seeding an S3 experiment"
expect_rc 2 "$compare" --registry "$uri" --model "$omodel" --version 2 --policy "$T_DIR/policy.json" \
	--log-artifact --quiet --ci none
assert_match "$ERR" "^mlgate-compare: run '$orun2': its artifacts are at 's3://mlgate-it-bucket/$omodel/$orun2/artifacts' \(scheme 's3'\), which mlgate does not write to: .*--serve-artifacts --artifacts-destination s3://"
case $(version_facts "$uri" "$omodel") in *"'mlgate."*) fail "a refused location left tags" ;; esac
read -r lmodel _ lrun2 < <(seed "$uri" "" | tail -n 1) || fail "seeding a default experiment"
expect_rc 2 "$compare" --registry "$uri" --model "$lmodel" --version 2 --policy "$T_DIR/policy.json" \
	--log-artifact --quiet --ci none
assert_match "$ERR" "^mlgate-compare: run '$lrun2': its artifacts are at '[^']*/$lrun2/artifacts', a path on the MLflow server's own disk"

# ============================================================== SQLite: MLflow's own store
db=sqlite:///$T_DIR/store.db
read -r smodel srun1 srun2 < <(seed "$db" "" | tail -n 1) || fail "seeding the SQLite store"
expect_rc 0 "$compare" --registry "$db" --model "$smodel" --version 2 --policy "$T_DIR/policy.json" \
	--log-artifact --quiet --ci none
fetch "$db" "$srun2" mlgate/compare-report.html >"$T_DIR/sqlite.html" || fail "MLflow cannot read the report from the SQLite store's run"
page_ok "$T_DIR/sqlite.html" "$smodel"
[ -z "$(find "$T_DIR" -name '.*.tmp*' -path '*mlgate*')" ] || fail "a temporary file was left next to the page"

# ============================================================== Databricks: the comment links it
emu_start --token "ci@example.com=dapi-art-ci-5ecret"
export DATABRICKS_HOST=$EMU DATABRICKS_TOKEN=dapi-art-ci-5ecret DATABRICKS_CONFIG_FILE=$T_DIR/none
model=fraud-art
emu_seed "$model" --stage 1:Production --request 2:Production
export MLGATE_REPORT_URL=https://ci.example.com/runs/7/mlgate-report.html
expect_rc 0 "$compare" --registry databricks --model "$model" --version 2 --baseline-stage Production \
	--policy "$here/../../fixtures/demo/policy.json" --log-artifact --quiet --ci none --junit "$T_DIR/db-compare.xml"
puts=$(curl --noproxy '*' -sS --fail "$EMU/_emu/log" | "$py" -c 'import json, sys
print(sum(1 for e in json.load(sys.stdin) if e["method"] == "PUT"))')
[ "$puts" = 0 ] || fail "an upload was tried on Databricks ($puts PUT requests)"
got=$(emu_state "[c['comment'].splitlines()[-1] for c in v(2)['comments']]")
[ "$got" = '["HTML report: https://ci.example.com/runs/7/mlgate-report.html"]' ] ||
	fail "compare's comment does not end with the report's link: $got"
# promote approves the open request: its comment links the page too
expect_rc 0 "$MLGATE_BIN/mlgate-promote" --registry databricks --model "$model" --version 2 \
	--to-stage Production --evidence "$T_DIR/db-compare.xml" --require compare --log-artifact --quiet --ci none
got=$(emu_state "acts(2, 'APPROVED_REQUEST')[0]['comment'].splitlines()[-1]")
[ "$got" = "HTML report: https://ci.example.com/runs/7/mlgate-report.html" ] ||
	fail "the approval's comment does not end with the report's link: $got"
echo "ok: REST upload read back, refused PUT (exit 3, nothing recorded), SQLite, Databricks links"
