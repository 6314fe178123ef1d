#!/usr/bin/env bash
# mlgate-drift on generated data with known shifts (drift_oracle.py gen):
# every statistic of every column against scipy's (ks_2samp, wasserstein_distance,
# chi2_contingency, jensenshannon) and a Python PSI with the same binning; each
# shift caught by the statistic meant for it; no false alarm on 20 windows
# without a shift; --save-profile/--profile giving the same answers; the
# retrain output; the verdict written back to a version on the harness's
# MLflow server (tags mlgate.drift.verdict/.at/.window, read back with
# MLflow's own client); every JUnit file valid.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testlib.sh"
drift="$MLGATE_BIN/mlgate-drift"
py=$MLGATE_TEST_PYTHON
cd "$T_DIR"

"$py" "$here/drift_oracle.py" gen . || fail "generating the data failed"
# KS p-value floors catch the variance change PSI on deciles may miss; the label is a class
cat >policy.json <<'EOF'
{"version": 1, "drift": {"prediction": "pred", "label": "label",
  "defaults": {"ks_p": {"fail": 0.001}, "chi2_p": {"fail": 0.001}, "js": {"warn": 0.1}},
  "columns": {"label": {"type": "categorical"}}}}
EOF
run_drift() { env -u GITHUB_ACTIONS -u TF_BUILD -u GITHUB_OUTPUT "$drift" --ci none -q \
	--policy policy.json "$@"; }

# 1. each scenario: exit code, the column that drifted, every number against scipy
scenario() {
	local name=$1 rc=$2 pattern=$3
	expect_rc "$rc" run_drift --reference ref.csv --current "$name.csv" --json "$name.json" \
		--junit "$name.xml"
	junit_valid "$name.xml"
	"$py" "$here/drift_oracle.py" check ref.csv "$name.csv" "$name.json" >/dev/null ||
		fail "$name: the statistics disagree with scipy"
	if [ -n "$pattern" ]; then
		"$py" -c 'import json,sys,re
d = json.load(open(sys.argv[1]))
failed = sorted(c["id"] for c in d["checks"] if c["status"] == "failed")
assert failed and all(re.fullmatch(sys.argv[2], i) for i in failed), failed' \
			"$name.json" "$pattern" || fail "$name: other checks failed than $pattern"
	fi
}
scenario none 0 ""
scenario mean 1 'drift\.(feature\.x|prediction\.pred)\.(psi|ks)|drift\.label\.label\.chi2'
scenario var 1 'drift\.(feature\.v|prediction\.pred)\.(psi|ks)'
scenario newcat 1 'drift\.feature\.k\.(psi|chi2)'
scenario missing 1 'drift\.feature\.m\.missing'
"$py" -c 'import json; d = json.load(open("newcat.json"))
k = [c for c in d["drift"]["columns"] if c["name"] == "k"][0]
assert k["psi"] > 0.2 and k["chi2_df"] == 4, k' || fail "the new category is not its own bin"

# 2. false alarms: 20 windows without a shift, 6 columns each
alarms=0
for i in $(seq -w 0 19); do
	run_cmd run_drift --reference ref.csv --current "null-$i.csv" --json "null-$i.json"
	case $RC in
	0) ;;
	1) alarms=$((alarms + 1)) ;;
	*) fail "null-$i: exit $RC" ;;
	esac
done
# per window P(alarm) ~ 1 - 0.999^8 (KS and chi-square floors at 0.001; PSI's fail band is
# ~90 sd away at these sizes): 0 or 1 expected in 20, 3 would be p < 0.001
[ "$alarms" -le 2 ] || fail "$alarms of 20 windows without a shift raised drift"
"$py" "$here/drift_oracle.py" check ref.csv null-07.csv null-07.json >/dev/null ||
	fail "null-07: the statistics disagree with scipy"

# 3. the profile: saved once, then the same answers without the reference file
expect_rc 0 "$drift" --reference ref.csv --policy policy.json --save-profile profile.json
expect_rc 1 run_drift --profile profile.json --current mean.csv --json mean-p.json
"$py" -c 'import json
a, b = json.load(open("mean.json")), json.load(open("mean-p.json"))
for d in (a, b):
    d["drift"].pop("reference")
    for c in d["checks"]:
        c.pop("time")  # each check'"'"'s measured time differs run to run
assert a["checks"] == b["checks"] and a["drift"] == b["drift"]' ||
	fail "--profile does not give the answers --reference gives"

# 4. the retrain output (GitHub)
: >gh-out.txt
run_cmd env GITHUB_ACTIONS=true GITHUB_OUTPUT=gh-out.txt "$drift" --policy policy.json -q \
	--profile profile.json --current missing.csv
[ "$RC" = 1 ] || fail "missing.csv: exit $RC"
assert_match gh-out.txt '^retrain=true$'
assert_match gh-out.txt '^verdict=failed$'

# 5. write-back to a version on the MLflow server, read back with MLflow's client
"$py" "$here/mlflow_seed.py" --uri "$MLGATE_TEST_MLFLOW_URI" >seed.json 2>seed.err ||
	{ cat seed.err >&2; fail "seeding the server failed"; }
model=$("$py" -c 'import json; print(json.load(open("seed.json"))["name"])')
tags() { "$py" -c 'import sys, mlflow
c = mlflow.MlflowClient(tracking_uri=sys.argv[1])
mv = c.get_model_version_by_alias(sys.argv[2], "challenger")
for k in ("mlgate.drift.verdict", "mlgate.drift.window", "mlgate.drift.at"):
    print(k + "=" + mv.tags.get(k, "-"))' "$MLGATE_TEST_MLFLOW_URI" "$model" >tags.txt; }
expect_rc 1 run_drift --registry "$MLGATE_TEST_MLFLOW_URI" --model "$model" --alias challenger \
	--profile profile.json --current mean.csv --window 2026-12-01 --json wb1.json
tags
assert_match tags.txt '^mlgate\.drift\.verdict=failed$'
assert_match tags.txt '^mlgate\.drift\.window=2026-12-01$'
assert_match tags.txt '^mlgate\.drift\.at=20[0-9-]+T[0-9:]+Z$'
expect_rc 0 run_drift --registry "$MLGATE_TEST_MLFLOW_URI" --model "$model" --alias challenger \
	--profile profile.json --current none.csv --window 2026-12-02 --junit wb2.xml
junit_valid wb2.xml
tags
assert_match tags.txt '^mlgate\.drift\.verdict=passed$'
assert_match tags.txt '^mlgate\.drift\.window=2026-12-02$'
echo "drift: 5 scenarios and 20 null windows ($alarms alarms) agree with scipy; profile, outputs, write-back"
