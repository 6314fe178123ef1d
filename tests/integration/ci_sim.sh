# Helpers for t_ci_github.sh and t_ci_azure.sh (source after testlib.sh):
# run ci/ actions and templates in the simulator (ci_sim.py) against the
# harness's MLflow server, and build the git repositories they work on.
#
#   gh_run NAME ACTION_DIR [NAME=VALUE...]   run a composite action, inputs NAME=VALUE
#   az_run NAME TEMPLATE [NAME=VALUE...]     run an Azure step template, parameters NAME=VALUE
#       both leave the exit code of the simulation in $RC (0 success, 1 the
#       action / template failed), the result in $T_DIR/NAME.json, the log
#       (everything the steps printed) in $T_DIR/NAME.log
#   res NAME KEY.PATH                        one value of a result ('' when absent)
#   expect_res NAME KEY.PATH VALUE           ... must be VALUE
#   seed_registry DIR                        comply_seed.py against the server -> $model, $repo_dir
#   make_app_repo DIR                        a models repository with mlgate.json (below)

CI_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CI_SIM=$CI_REPO/tests/integration/ci_sim.py

gh_run() {
	local name=$1 action=$2 a args=()
	shift 2
	for a in "$@"; do args+=(--input "$a"); done
	set +e
	"$MLGATE_TEST_PYTHON" "$CI_SIM" github "$CI_REPO/ci/github/$action" "${args[@]}" \
		--result "$T_DIR/$name.json" --log "$T_DIR/$name.log" 2>"$T_DIR/$name.err"
	RC=$?
	set -e
	if [ "$RC" -gt 1 ]; then
		cat "$T_DIR/$name.err" >&2
		fail "$name: the simulator failed (exit $RC)"
	fi
}

az_run() {
	local name=$1 template=$2 a args=()
	shift 2
	for a in "$@"; do args+=(--param "$a"); done
	set +e
	"$MLGATE_TEST_PYTHON" "$CI_SIM" azure "$CI_REPO/ci/azure/steps/$template" "${args[@]}" \
		--result "$T_DIR/$name.json" --log "$T_DIR/$name.log" 2>"$T_DIR/$name.err"
	RC=$?
	set -e
	if [ "$RC" -gt 1 ]; then
		cat "$T_DIR/$name.err" >&2
		fail "$name: the simulator failed (exit $RC)"
	fi
}

res() {
	"$MLGATE_TEST_PYTHON" "$CI_SIM" get "$T_DIR/$1.json" "$2"
}

expect_res() {
	local got
	got=$(res "$1" "$2")
	if [ "$got" != "$3" ]; then
		echo "--- $1.log (last lines):" >&2
		tail -n 40 "$T_DIR/$1.log" >&2 || true
		fail "$1: $2 is '$got', expected '$3'"
	fi
}

# seed_registry DIR: a model with versions 1 (compliant), 2 (not), 3 (its
# run failed) on the harness's server, and its git repository.
seed_registry() {
	mkdir -p "$T_DIR/$1"
	repo_dir=$T_DIR/$1/repo
	"$MLGATE_TEST_PYTHON" "$CI_REPO/tests/integration/comply_seed.py" \
		--tracking-uri "$MLGATE_TEST_MLFLOW_URI" --repo "$repo_dir" \
		>"$T_DIR/$1/seed.json" 2>"$T_DIR/$1/seed.err" || {
		cat "$T_DIR/$1/seed.err" >&2
		fail "seeding the registry failed"
	}
	model=$("$MLGATE_TEST_PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["model"])' \
		"$T_DIR/$1/seed.json")
}

# stage_of VERSION: the version's stage, read through MLflow
stage_of() {
	"$MLGATE_TEST_PYTHON" "$CI_REPO/tests/integration/promote_view.py" \
		"$MLGATE_TEST_MLFLOW_URI" "$model" stage "$1" 2>/dev/null
}

# make_app_repo DIR: a repository holding two models and mlgate.json:
#   main     c1: models/fraud, models/churn, shared/, mlgate.json
#   feature  f1: changes models/fraud/train.py only (the pull request)
# Sets $app_base (c1) and $app_head (f1); the checkout is left on feature.
make_app_repo() {
	local d=$1
	export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com
	export GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com
	mkdir -p "$d/models/fraud" "$d/models/churn"
	git -C "$d" init -q -b main
	cat >"$d/mlgate.json" <<'JSON'
{"version": 1,
 "models": [
   {"name": "fraud-detector", "paths": ["models/fraud/**"],
    "policy": "models/fraud/policy.json", "suite": "models/fraud/smoke.json"},
   {"name": "churn", "paths": ["models/churn/**"],
    "policy": "models/churn/policy.json", "suite": "models/churn/smoke.json"}],
 "release": {"main": "main", "branch_pattern": "release/*", "require": ["smoke"]}}
JSON
	printf 'id,amount\n1,10.5\n2,3.25\n' >"$d/models/fraud/sample.csv"
	cat >"$d/models/fraud/smoke.json" <<'JSON'
{"version": 1, "smoke": {"cases": [
  {"name": "sample-contract", "kind": "data", "path": "{suite_dir}/sample.csv",
   "columns": {"id": {"type": "int"}, "amount": {"type": "float", "min": 0}}},
  {"name": "train-runs", "kind": "command", "run": ["true"]}]}}
JSON
	cat >"$d/models/churn/smoke.json" <<'JSON'
{"version": 1, "smoke": {"cases": [{"name": "always-fails", "kind": "command", "run": ["false"]}]}}
JSON
	echo '{"version": 1}' >"$d/models/fraud/policy.json"
	echo '{"version": 1}' >"$d/models/churn/policy.json"
	echo 'print("train")' >"$d/models/fraud/train.py"
	echo 'print("train")' >"$d/models/churn/train.py"
	git -C "$d" add -A
	git -C "$d" commit -q -m "two models"
	app_base=$(git -C "$d" rev-parse HEAD)
	git -C "$d" checkout -q -b feature
	echo 'print("train v2")' >"$d/models/fraud/train.py"
	git -C "$d" commit -q -am "fraud: new training"
	app_head=$(git -C "$d" rev-parse HEAD)
}
