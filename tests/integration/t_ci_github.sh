#!/usr/bin/env bash
# ci/github: the composite actions' run: steps in a simulated GitHub Actions
# runner (ci_sim.py: GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_ENV,
# GITHUB_PATH, RUNNER_TEMP, a pull_request event file) against the
# harness's MLflow server: the setup action's build, a passing promotion
# chain, a rejected one, exit codes 2/3/4, a pull request's changes -> smoke
# -> report flow over a real git repository, and a release-branch cut.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testlib.sh"
. "$here/ci_sim.sh"

export RUNNER_TEMP=$T_DIR/runner-temp GITHUB_WORKSPACE=$T_DIR/ws
mkdir -p "$RUNNER_TEMP" "$GITHUB_WORKSPACE"
export GITHUB_REPOSITORY=acme/models GITHUB_SERVER_URL=https://github.example GITHUB_RUN_ID=4242
export GITHUB_EVENT_NAME=workflow_dispatch GITHUB_ACTOR=ci-test
export MLFLOW_TRACKING_URI=$MLGATE_TEST_MLFLOW_URI
unset MLFLOW_REGISTRY_URI GITHUB_OUTPUT GITHUB_STEP_SUMMARY GITHUB_ENV GITHUB_PATH
export PATH=$MLGATE_BIN:$PATH
skipped=()

# ------------------------------------------------------------ setup action
# deps.sh (everything is installed: one dpkg query), a cache miss, a build.
gh_run setup setup from-source=true source="$CI_REPO" jobs=2
[ "$RC" = 0 ] || { tail -n 30 "$T_DIR/setup.log" >&2; fail "setup action failed"; }
bindir=$(res setup outputs.bin-dir)
[ "$bindir" = "$RUNNER_TEMP/mlgate-bin" ] || fail "setup: bin-dir is '$bindir'"
[ -x "$bindir/mlgate-promote" ] || fail "setup: no mlgate-promote in $bindir"
expect_res setup path.0 "$bindir"
expect_res setup env.MLGATE_BIN_DIR "$bindir"
assert_match <(res setup outputs.version) '^mlgate-report [0-9]+\.[0-9]+\.[0-9]+'
assert_match "$T_DIR/setup.log" '::sim:: actions/cache@v4: cache miss for key mlgate-.*-[0-9a-f]{24}$'

# ------------------------------------------------------------ promotion chain
seed_registry reg
policy=$T_DIR/policy.json
"$MLGATE_TEST_PYTHON" - "$CI_REPO/fixtures/policies/comply.json" "$policy" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
doc["compare"] = {"first_deployment": "thresholds_only",
                  "metrics": [{"name": "roc_auc", "greater_is_better": True, "threshold": 0.9}]}
json.dump(doc, open(sys.argv[2], "w"))
doc["compare"]["first_deployment"] = "manual"
json.dump(doc, open(sys.argv[2].replace(".json", "-manual.json"), "w"))
PY
common=(model="$model" bin-dir="$MLGATE_BIN")

# 1. comply passes: outputs, files, summary
gh_run comply1 gate gate=comply version=1 repo="$repo_dir" policy="$policy" "${common[@]}"
[ "$RC" = 0 ] || { tail -n 40 "$T_DIR/comply1.log" >&2; fail "comply of version 1 failed"; }
expect_res comply1 outputs.verdict passed
expect_res comply1 outputs.exit-code 0
j1=$(res comply1 outputs.junit)
[ "$j1" = "$GITHUB_WORKSPACE/mlgate-results/comply-$model-1.xml" ] || fail "comply junit path is '$j1'"
assert_match "$j1" '<property name="mlgate.verdict" value="passed"/>'
[ -s "$(res comply1 outputs.json)" ] || fail "no JSON decision"
[ -s "$(res comply1 outputs.summary)" ] || fail "no Markdown summary"
res comply1 summary >"$T_DIR/comply1.md"
assert_match "$T_DIR/comply1.md" '^### comply: fraud-model-[0-9a-f]* v1 — passed'
assert_no_match "$T_DIR/comply1.log" '^::error'

# 2. to Staging on that evidence; the registry moves
gh_run staging1 gate gate=promote version=1 to-stage=Staging evidence="$j1" "${common[@]}"
[ "$RC" = 0 ] || { tail -n 40 "$T_DIR/staging1.log" >&2; fail "promotion of version 1 to Staging failed"; }
expect_res staging1 outputs.verdict passed
[ "$(stage_of 1)" = Staging ] || fail "version 1 is in '$(stage_of 1)', expected Staging"

# 3. compare, first deployment under "manual": exit 4 fails by default ...
gh_run manual gate gate=compare version=1 baseline-stage=Production policy="${policy%.json}-manual.json" \
	"${common[@]}"
[ "$RC" = 1 ] || fail "exit 4 did not fail the action"
expect_res manual exit_code 4
expect_res manual outputs.verdict manual
expect_res manual outputs.exit-code 4
assert_match "$T_DIR/manual.log" '^::error title=mlgate compare::needs a human decision \(exit 4\)'
# ... and passes with a warning under on-manual: continue
gh_run manual2 gate gate=compare version=1 baseline-stage=Production policy="${policy%.json}-manual.json" \
	on-manual=continue "${common[@]}"
[ "$RC" = 0 ] || fail "on-manual: continue did not pass the step"
expect_res manual2 outputs.verdict manual
assert_match "$T_DIR/manual2.log" '^::warning title=mlgate compare::needs a human decision'

# 4. compare under thresholds_only, then Production on comply + compare (a glob)
gh_run compare1 gate gate=compare version=1 baseline-stage=Production policy="$policy" "${common[@]}"
[ "$RC" = 0 ] || { tail -n 40 "$T_DIR/compare1.log" >&2; fail "compare of version 1 failed"; }
expect_res compare1 outputs.verdict passed
gh_run prod1 gate gate=promote version=1 to-stage=Production "${common[@]}" \
	evidence="$j1
  $GITHUB_WORKSPACE/mlgate-results/compare-$model-1*.xml  "
[ "$RC" = 0 ] || { tail -n 40 "$T_DIR/prod1.log" >&2; fail "promotion of version 1 to Production failed"; }
assert_match "$T_DIR/prod1.log" "^mlgate: .*/mlgate-promote .*--evidence $GITHUB_WORKSPACE/mlgate-results/compare-$model-1.xml"
[ "$(stage_of 1)" = Production ] || fail "version 1 is in '$(stage_of 1)', expected Production"
expect_res prod1 outputs.junit "$GITHUB_WORKSPACE/mlgate-results/promote-$model-1-Production.xml"

# ------------------------------------------------------------ a rejection
# 5. comply of version 2 says no: exit 1 fails the step, one annotation per failed check
gh_run comply2 gate gate=comply version=2 repo="$repo_dir" policy="$policy" "${common[@]}"
[ "$RC" = 1 ] || fail "a rejected comply did not fail the action"
expect_res comply2 exit_code 1
expect_res comply2 outputs.verdict failed
expect_res comply2 outputs.exit-code 1
assert_match "$T_DIR/comply2.log" '^::error title=comply%3A compliance\.version_tag\.owner::'
assert_match "$T_DIR/comply2.log" '^::error title=comply%3A compliance\.forbidden_tag\.debug::'
assert_match <(res comply2 outputs.failed-checks) '^comply/compliance\.description$'
res comply2 summary >"$T_DIR/comply2.md"
assert_match "$T_DIR/comply2.md" '^### comply: fraud-model-[0-9a-f]* v[0-9]* — failed'
j2=$(res comply2 outputs.junit)
# 6. continue-on-reject: the step passes, the verdict says failed
gh_run comply2c gate gate=comply version=2 repo="$repo_dir" policy="$policy" continue-on-reject=true \
	junit=mlgate-results/comply-v2-again.xml "${common[@]}"
[ "$RC" = 0 ] || fail "continue-on-reject did not pass the step"
expect_res comply2c outputs.verdict failed
expect_res comply2c outputs.exit-code 1
assert_match "$T_DIR/comply2c.log" '^::warning title=mlgate comply::rejected \(exit 1\)'
# 7. the promotion to Staging refuses and archives version 2 (keep-on-reject: only records it)
gh_run staging2k gate gate=promote version=2 to-stage=Staging evidence="$j2" keep-on-reject=true \
	junit=mlgate-results/keep.xml "${common[@]}"
[ "$RC" = 1 ] || fail "a promotion on failed evidence did not fail the action"
[ "$(stage_of 2)" = None ] || fail "keep-on-reject: version 2 is in '$(stage_of 2)', expected None"
gh_run staging2 gate gate=promote version=2 to-stage=Staging evidence="$j2" "${common[@]}"
[ "$RC" = 1 ] || fail "a promotion on failed evidence did not fail the action"
expect_res staging2 outputs.verdict failed
[ "$(stage_of 2)" = Archived ] || fail "version 2 is in '$(stage_of 2)', expected Archived"

# ------------------------------------------------------------ errors fail closed
# (no retries: MLflow's default policy would retry a refused connection for minutes)
MLFLOW_HTTP_REQUEST_MAX_RETRIES=0 gh_run down gate gate=comply version=1 repo="$repo_dir" policy="$policy" registry=http://127.0.0.1:9 \
	"${common[@]}" args=--quiet
[ "$RC" = 1 ] || fail "an unreachable registry did not fail the action"
expect_res down outputs.exit-code 3
expect_res down outputs.verdict error
assert_match "$T_DIR/down.log" '^::error title=mlgate comply::registry, network or infrastructure error \(exit 3\)'
gh_run usage gate gate=deploy "${common[@]}"
expect_res usage exit_code 2
assert_match "$T_DIR/usage.log" "^::error title=mlgate gate::input 'gate' must be smoke, comply, compare, promote or release, got 'deploy'"
# a boolean input that is neither true nor false: exit 2, said in an annotation
gh_run usage2 gate gate=comply version=1 policy="$policy" dry-run=maybe "${common[@]}"
expect_res usage2 exit_code 2
expect_res usage2 outputs.exit-code 2
expect_res usage2 outputs.verdict error
assert_match "$T_DIR/usage2.log" "^::error title=mlgate gate::input 'dry-run' must be true or false, got 'maybe'"
# an input that would be a shell injection if it were pasted into the script
gh_run inject gate gate=comply version='1"; touch '"$T_DIR"'/pwned; echo "' policy="$policy" \
	"${common[@]}"
[ ! -e "$T_DIR/pwned" ] || fail "an input was executed by the shell"
expect_res inject outputs.exit-code 2

# ------------------------------------------------------------ pull request
if [ -x "$MLGATE_BIN/mlgate-changes" ]; then
	app=$GITHUB_WORKSPACE/app
	make_app_repo "$app"
	cat >"$T_DIR/event.json" <<JSON
{"action": "synchronize", "number": 7,
 "pull_request": {"number": 7, "base": {"ref": "main", "sha": "$app_base"},
                  "head": {"ref": "feature", "sha": "$app_head"}}}
JSON
	(
		export GITHUB_EVENT_NAME=pull_request GITHUB_EVENT_PATH=$T_DIR/event.json
		export GITHUB_BASE_REF=main GITHUB_HEAD_REF=feature GITHUB_REF=refs/pull/7/merge
		export GITHUB_SHA=$app_head GITHUB_WORKSPACE=$app
		cd "$app"
		gh_run changes changes
		[ "$RC" = 0 ] || { cat "$T_DIR/changes.log" >&2; fail "changes action failed"; }
		expect_res changes outputs.any true
		expect_res changes outputs.count 1
		expect_res changes outputs.models fraud-detector
		expect_res changes outputs.matrix \
			'{"include":[{"model":"fraud-detector","policy":"models/fraud/policy.json","suite":"models/fraud/smoke.json"}]}'
		# the matrix leg: smoke for the touched model, at the PR head
		gh_run smoke gate gate=smoke model=fraud-detector suite=models/fraud/smoke.json \
			commit="$app_head" junit=mlgate-results/smoke-fraud-detector.xml
		[ "$RC" = 0 ] || { tail -n 30 "$T_DIR/smoke.log" >&2; fail "smoke of fraud-detector failed"; }
		expect_res smoke outputs.verdict passed
		# a failing suite (as the other model's would be) fails its leg
		gh_run smoke2 gate gate=smoke model=churn suite=models/churn/smoke.json \
			junit=mlgate-results/smoke-churn.xml
		[ "$RC" = 1 ] || fail "a failing smoke suite did not fail the action"
		assert_match "$T_DIR/smoke2.log" '^::error title=smoke%3A always-fails::'
		# results: merged, one summary, verdict of the whole
		gh_run report report files="mlgate-results/smoke-*.xml" output=mlgate-results/pr.xml
		[ "$RC" = 1 ] || fail "the report of a failing matrix passed"
		expect_res report outputs.verdict failed
		expect_res report outputs.junit "$app/mlgate-results/pr.xml"
		grep -c '<testsuite ' "$app/mlgate-results/pr.xml" | grep -qx 2 || fail "merged file lacks a suite"
		res report summary >"$T_DIR/report.md"
		assert_match "$T_DIR/report.md" '2 suites'
		# the HTML report: written (the run failed: reviewers read it most then), uploaded as the
		# workflow artifact mlgate-report, linked from the step summary
		expect_res report outputs.html "$app/mlgate-results/mlgate-report.html"
		assert_match "$app/mlgate-results/mlgate-report.html" '^<!DOCTYPE html>'
		expect_res report artifacts.0.name mlgate-report
		expect_res report artifacts.0.files.0 "$app/mlgate-results/mlgate-report.html"
		expect_res report outputs.html-url https://github.example/acme/models/actions/runs/4242/artifacts/1
		assert_match "$T_DIR/report.md" '📄 \*\*\[HTML report\]\(https://github\.example/acme/models/actions/runs/4242/artifacts/1\)\*\*: .* the artifact `mlgate-report` of this run$'
		gh_run report2 report files=mlgate-results/smoke-fraud-detector.xml fail-on-failure=false html=
		[ "$RC" = 0 ] || fail "report of a passing run failed"
		expect_res report2 outputs.verdict passed
		# html '' : no page, nothing uploaded, no link
		expect_res report2 outputs.html ''
		expect_res report2 artifacts.# 0
		assert_no_match <(res report2 summary) 'HTML report'
		# a shallow clone: exit 2, and the error says what to fetch
		git clone -q --depth 1 --branch feature "file://$app" "$T_DIR/shallow" 2>/dev/null
		cd "$T_DIR/shallow"
		GITHUB_WORKSPACE=$T_DIR/shallow gh_run shallow changes
		[ "$RC" = 1 ] || fail "changes on a shallow clone passed"
		expect_res shallow outputs.exit-code 2
		assert_match "$T_DIR/shallow.log" 'fetch-depth'
	)
else
	skipped+=("the pull-request flow (no $MLGATE_BIN/mlgate-changes)")
fi

# ------------------------------------------------------------ release cut
if [ -x "$MLGATE_BIN/mlgate-release" ] && [ -d "${app:-/nonexistent}" ]; then
	(
		cd "$app"
		git checkout -q main
		git branch release/1.0 main
		git checkout -q release/1.0
		export GITHUB_EVENT_NAME=push GITHUB_REF=refs/heads/release/1.0 GITHUB_REF_NAME=release/1.0
		export GITHUB_SHA=$app_base GITHUB_WORKSPACE=$app
		# evidence made on main for this exact commit
		gh_run ev gate gate=smoke model=fraud-detector suite=models/fraud/smoke.json \
			commit="$app_base" junit=evidence/smoke-fraud-detector.xml
		[ "$RC" = 0 ] || fail "evidence smoke run failed"
		gh_run release gate gate=release config=mlgate.json commit="$app_base" \
			branch=release/1.0 evidence='evidence/*.xml'
		[ "$RC" = 0 ] || { tail -n 30 "$T_DIR/release.log" >&2; fail "the release check failed"; }
		expect_res release outputs.verdict passed
		# evidence for another commit (the PR head) does not count
		gh_run release2 gate gate=release config=mlgate.json commit="$app_base" \
			branch=release/1.0 evidence=mlgate-results/smoke-fraud-detector.xml
		[ "$RC" = 1 ] || fail "evidence for another commit was accepted"
		expect_res release2 outputs.exit-code 1
		assert_match "$T_DIR/release2.log" '^::error title=release%3A release\.evidence\.smoke::'
		# a branch outside the pattern
		gh_run release3 gate gate=release config=mlgate.json commit="$app_base" \
			branch=hotfix/1.0 evidence='evidence/*.xml'
		[ "$RC" = 1 ] || fail "a branch outside release/* was accepted"
		assert_match "$T_DIR/release3.log" 'release\.branch\.pattern'
	)
else
	skipped+=("the release cut (no $MLGATE_BIN/mlgate-release, or no PR repository)")
fi

if ((${#skipped[@]})); then
	echo "t_ci_github: everything else passed; not tested: ${skipped[*]}"
	exit 77
fi
echo "t_ci_github: ok"
