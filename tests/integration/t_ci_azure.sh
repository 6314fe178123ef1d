#!/usr/bin/env bash
# ci/azure: the step templates' bash steps in a simulated Azure Pipelines
# agent (ci_sim.py: TF_BUILD, compile-time parameters, $(macros), logging
# commands, conditions, PublishTestResults@2) against the harness's MLflow
# server: the setup template's build, a passing and a rejected promotion,
# exit codes 3/4 and continueOnReject, a pull request's changes -> smoke ->
# report flow over a real git repository, and a release-branch cut.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testlib.sh"
. "$here/ci_sim.sh"

export AGENT_TEMPDIRECTORY=$T_DIR/agent-temp PIPELINE_WORKSPACE=$T_DIR/pw
export COMMON_TESTRESULTSDIRECTORY=$T_DIR/pw/TestResults
export BUILD_SOURCESDIRECTORY=$T_DIR/pw/s SYSTEM_DEFAULTWORKINGDIRECTORY=$T_DIR/pw/s
export AGENT_BUILDDIRECTORY=$T_DIR/pw BUILD_ARTIFACTSTAGINGDIRECTORY=$T_DIR/pw/a
mkdir -p "$AGENT_TEMPDIRECTORY" "$COMMON_TESTRESULTSDIRECTORY" "$BUILD_SOURCESDIRECTORY"
export SYSTEM_COLLECTIONURI=https://dev.azure.example/acme/ SYSTEM_TEAMPROJECT=models BUILD_BUILDID=77
export BUILD_REASON=Manual BUILD_REQUESTEDFOR=ci-test
export MLFLOW_TRACKING_URI=$MLGATE_TEST_MLFLOW_URI
unset MLFLOW_REGISTRY_URI GITHUB_ACTIONS GITHUB_OUTPUT GITHUB_STEP_SUMMARY
export PATH=$MLGATE_BIN:$PATH
skipped=()

# ------------------------------------------------------------ setup template
az_run setup setup.yml fromSource=true source="$CI_REPO" jobs=2
[ "$RC" = 0 ] || { tail -n 30 "$T_DIR/setup.log" >&2; fail "setup template failed"; }
expect_res setup result Succeeded
expect_res setup variables.MLGATE_BIN_DIR "$PIPELINE_WORKSPACE/.mlgate-bin"
expect_res setup variables.MLGATE_CACHE_RESTORED false
expect_res setup path.0 "$PIPELINE_WORKSPACE/.mlgate-bin"
[ -x "$PIPELINE_WORKSPACE/.mlgate-bin/mlgate-promote" ] || fail "setup built no mlgate-promote"
assert_match "$T_DIR/setup.log" '::sim:: Cache@2: cache miss for key mlgate \| ".*-[0-9a-f]{24}"$'
assert_match <(res setup variables.MLGATE_VERSION) '^mlgate-report [0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$'
# the job variable that later steps of the job see: gate.yml runs
# ci/lib/gate.sh from that tree
expect_res setup variables.MLGATE_SRC_DIR "$CI_REPO"
export MLGATE_SRC_DIR=$CI_REPO

# ------------------------------------------------------------ promotion chain
seed_registry reg
policy=$T_DIR/policy.json
"$MLGATE_TEST_PYTHON" - "$CI_REPO/fixtures/policies/comply.json" "$policy" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
doc["compare"] = {"first_deployment": "manual",
                  "metrics": [{"name": "roc_auc", "greater_is_better": True, "threshold": 0.9}]}
json.dump(doc, open(sys.argv[2], "w"))
PY

# 1. comply passes: output variables, the JUnit published, the summary uploaded
az_run comply1 gate.yml gate=comply model="$model" version=1 repo="$repo_dir" policy="$policy"
[ "$RC" = 0 ] || { tail -n 40 "$T_DIR/comply1.log" >&2; fail "comply of version 1 failed"; }
expect_res comply1 result Succeeded
expect_res comply1 outputs.comply.verdict passed
expect_res comply1 outputs.comply.exitCode 0
j1=$(res comply1 outputs.comply.junit)
[ "$j1" = "$COMMON_TESTRESULTSDIRECTORY/TEST-mlgate-comply.xml" ] || fail "junit is '$j1'"
expect_res comply1 published.0.files.0 "$j1"
expect_res comply1 published.0.failures 0
expect_res comply1 published.0.title "mlgate comply $model"
assert_match <(res comply1 summaries.0.text) '^### comply: fraud-model-[0-9a-f]* v1 — passed'
expect_res comply1 'issues.#' 0

# 2. promote to Staging; 3. compare under "manual": exit 4, onManual continue
az_run staging1 gate.yml gate=promote stepName=staging model="$model" version=1 toStage=Staging \
	evidence="$j1"
[ "$RC" = 0 ] || { tail -n 40 "$T_DIR/staging1.log" >&2; fail "promotion of version 1 failed"; }
expect_res staging1 outputs.staging.verdict passed
[ "$(stage_of 1)" = Staging ] || fail "version 1 is in '$(stage_of 1)', expected Staging"
az_run manual gate.yml gate=compare model="$model" version=1 baselineStage=Production policy="$policy"
[ "$RC" = 1 ] || fail "exit 4 did not fail the step"
expect_res manual steps.0.exit_code 4
expect_res manual outputs.compare.verdict manual
assert_match "$T_DIR/manual.log" '^##vso\[task.logissue type=error\]mlgate compare: needs a human decision \(exit 4\)'
expect_res manual published.0.result Succeeded # published although the gate failed
az_run manual2 gate.yml gate=compare model="$model" version=1 baselineStage=Production policy="$policy" \
	onManual=continue
expect_res manual2 result SucceededWithIssues
expect_res manual2 outputs.compare.verdict manual
# a promotion after that: the manual verdict stops it (the promote.yml condition)
az_run gated gate.yml gate=promote stepName=production model="$model" version=1 toStage=Production \
	evidence="$j1" "condition=and(succeeded(), ne('manual', 'manual'))"
expect_res gated steps.0.result Skipped

# ------------------------------------------------------------ a rejection
az_run comply2 gate.yml gate=comply model="$model" version=2 repo="$repo_dir" policy="$policy"
[ "$RC" = 1 ] || fail "a rejected comply did not fail the step"
expect_res comply2 result Failed
expect_res comply2 outputs.comply.verdict failed
expect_res comply2 outputs.comply.exitCode 1
assert_match "$T_DIR/comply2.log" '^##vso\[task.logissue type=error;code=compliance.forbidden_tag.debug\]'
# the gate's own task.complete is replaced by the template's decision
assert_no_match "$T_DIR/comply2.log" '^##vso\[task.complete result=Failed'
expect_res comply2 published.0.failures 7
j2=$(res comply2 outputs.comply.junit)
az_run comply2c gate.yml gate=comply model="$model" version=2 repo="$repo_dir" policy="$policy" \
	continueOnReject=true junit="$T_DIR/comply-v2-again.xml"
[ "$RC" = 0 ] || fail "continueOnReject did not pass"
expect_res comply2c result SucceededWithIssues
expect_res comply2c completes.0.result SucceededWithIssues
az_run staging2 gate.yml gate=promote stepName=staging model="$model" version=2 toStage=Staging \
	evidence="$j2"
expect_res staging2 result Failed
expect_res staging2 outputs.staging.verdict failed
[ "$(stage_of 2)" = Archived ] || fail "version 2 is in '$(stage_of 2)', expected Archived"
# infrastructure error: exit 3, fails closed
# (no retries, through the env parameter: MLflow's default policy would
# retry a refused connection for minutes)
az_run down gate.yml gate=comply model="$model" version=1 policy="$policy" registry=http://127.0.0.1:9 \
	'env={"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0"}'
expect_res down result Failed
expect_res down outputs.comply.exitCode 3
expect_res down outputs.comply.verdict error
assert_match "$T_DIR/down.log" 'logissue type=error\]mlgate comply: registry, network or infrastructure error \(exit 3\)'
# credentials reach the gate through the env parameter (an object), masked
az_run secret gate.yml gate=comply model="$model" version=1 repo="$repo_dir" policy="$policy" \
	'env={"MLFLOW_TRACKING_TOKEN": "s3cr3t-t0ken"}' junit="$T_DIR/secret.xml"
expect_res secret result Succeeded
assert_match "$T_DIR/secret.log" '^##vso\[task.setsecret\]s3cr3t-t0ken$'
# a parameter outside its values is refused at "queue time"
set +e
"$MLGATE_TEST_PYTHON" "$CI_SIM" azure "$CI_REPO/ci/azure/steps/gate.yml" --param gate=deploy \
	--result "$T_DIR/x.json" --log "$T_DIR/x.log" 2>"$T_DIR/x.err"
rc=$?
set -e
[ "$rc" = 2 ] || fail "gate=deploy was accepted"
assert_match "$T_DIR/x.err" "parameter 'gate' is 'deploy', not one of"
# without the setup template in the job (no MLGATE_SRC_DIR, or not a tree
# with ci/lib/gate.sh) the step fails closed: exit 2, verdict error
for src in '' "$T_DIR"; do
	MLGATE_SRC_DIR=$src az_run nosetup gate.yml gate=comply model="$model" version=1 policy="$policy"
	expect_res nosetup result Failed
	expect_res nosetup steps.0.exit_code 2
	expect_res nosetup outputs.comply.exitCode 2
	expect_res nosetup outputs.comply.verdict error
	assert_match "$T_DIR/nosetup.log" 'logissue type=error\]mlgate gate: ci/lib/gate.sh not found in MLGATE_SRC_DIR .*run the setup template'
	assert_no_match "$T_DIR/nosetup.log" '^mlgate: '
done

# ------------------------------------------------------------ pull request
if [ -x "$MLGATE_BIN/mlgate-changes" ]; then
	app=$T_DIR/pw/app
	make_app_repo "$app"
	(
		export BUILD_REASON=PullRequest SYSTEM_PULLREQUEST_SOURCECOMMITID=$app_head
		export BUILD_SOURCEVERSION=$app_head SYSTEM_DEFAULTWORKINGDIRECTORY=$app
		for target in refs/heads/main main; do
			SYSTEM_PULLREQUEST_TARGETBRANCH=$target az_run "changes-${target//\//-}" changes.yml
			[ "$RC" = 0 ] || { cat "$T_DIR/changes-${target//\//-}.log" >&2; fail "changes ($target) failed"; }
			expect_res "changes-${target//\//-}" outputs.changes.any true
			expect_res "changes-${target//\//-}" outputs.changes.count 1
			expect_res "changes-${target//\//-}" outputs.changes.matrix \
				'{"fraud_detector":{"model":"fraud-detector","policy":"models/fraud/policy.json","suite":"models/fraud/smoke.json"}}'
		done
		# the matrix leg
		az_run smoke gate.yml gate=smoke model=fraud-detector suite=models/fraud/smoke.json \
			commit="$app_head" junit="$T_DIR/pw/evidence/smoke-fraud-detector.xml"
		[ "$RC" = 0 ] || { tail -n 30 "$T_DIR/smoke.log" >&2; fail "smoke failed"; }
		expect_res smoke outputs.smoke.verdict passed
		az_run smoke2 gate.yml gate=smoke model=churn suite=models/churn/smoke.json \
			junit="$T_DIR/pw/evidence/smoke-churn.xml"
		expect_res smoke2 result Failed
		assert_match "$T_DIR/smoke2.log" 'logissue type=error;code=always-fails\]'
		# merged results: one summary, one test run
		az_run report report.yml files="$T_DIR/pw/evidence/**/*.xml" failOnFailure=false
		expect_res report result SucceededWithIssues
		expect_res report outputs.report.verdict failed
		expect_res report published.0.files.0 "$COMMON_TESTRESULTSDIRECTORY/TEST-mlgate.xml"
		expect_res report published.0.tests 3
		assert_match <(res report summaries.0.text) '2 suites'
		# the HTML report: published with the build (artifact.upload) and linked from a summary
		html=$BUILD_ARTIFACTSTAGINGDIRECTORY/mlgate-report/mlgate-report.html
		expect_res report outputs.report.html "$html"
		assert_match "$html" '^<!DOCTYPE html>'
		expect_res report artifacts.0.artifactname mlgate-report
		expect_res report artifacts.0.path "$html"
		expect_res report artifacts.0.exists true
		assert_match <(res report summaries.1.text) '^📄 \*\*\[HTML report\]\(https://dev\.azure\.example/acme/models/_build/results\?buildId=77&view=artifacts&type=publishedArtifacts\)\*\*: the file mlgate-report\.html of the build artifact `mlgate-report`'
		az_run report2 report.yml files="$T_DIR/pw/evidence/**/*.xml" failOnFailure=false htmlArtifact=
		expect_res report2 artifacts.# 0
		expect_res report2 summaries.1 ''
		# a shallow clone
		git clone -q --depth 1 --branch feature "file://$app" "$T_DIR/shallow" 2>/dev/null
		SYSTEM_DEFAULTWORKINGDIRECTORY=$T_DIR/shallow SYSTEM_PULLREQUEST_TARGETBRANCH=main \
			az_run shallow changes.yml
		expect_res shallow result Failed
		expect_res shallow outputs.changes.exitCode 2
		assert_match "$T_DIR/shallow.log" "fetchDepth: 0"
	)
else
	skipped+=("the pull-request flow (no $MLGATE_BIN/mlgate-changes)")
fi

# ------------------------------------------------------------ release cut
if [ -x "$MLGATE_BIN/mlgate-release" ] && [ -d "${app:-/nonexistent}" ]; then
	(
		cd "$app"
		git checkout -q main
		git checkout -q -b release/2.0
		export BUILD_REASON=IndividualCI BUILD_SOURCEBRANCH=refs/heads/release/2.0
		export BUILD_SOURCEBRANCHNAME=2.0 BUILD_SOURCEVERSION=$app_base SYSTEM_DEFAULTWORKINGDIRECTORY=$app
		az_run ev gate.yml gate=smoke model=fraud-detector suite=models/fraud/smoke.json \
			commit="$app_base" junit="$T_DIR/pw/main-evidence/smoke-fraud-detector.xml"
		[ "$RC" = 0 ] || fail "evidence smoke run failed"
		# the branch from BUILD_SOURCEBRANCH (BUILD_SOURCEBRANCHNAME is only "2.0")
		az_run release gate.yml gate=release config=mlgate.json commit="$app_base" \
			evidence="$T_DIR/pw/main-evidence/**/*.xml"
		[ "$RC" = 0 ] || { tail -n 30 "$T_DIR/release.log" >&2; fail "the release check failed"; }
		expect_res release outputs.release.verdict passed
		expect_res release published.0.failures 0
		az_run release2 gate.yml gate=release config=mlgate.json commit="$app_base" \
			evidence="$T_DIR/pw/evidence/smoke-fraud-detector.xml"
		expect_res release2 result Failed
		expect_res release2 outputs.release.exitCode 1
		assert_match "$T_DIR/release2.log" 'logissue type=error;code=release.evidence.smoke\]'
	)
else
	skipped+=("the release cut (no $MLGATE_BIN/mlgate-release, or no PR repository)")
fi

if ((${#skipped[@]})); then
	echo "t_ci_azure: everything else passed; not tested: ${skipped[*]}"
	exit 77
fi
echo "t_ci_azure: ok"
