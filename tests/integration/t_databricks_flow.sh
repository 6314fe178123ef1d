#!/usr/bin/env bash
# The README's promotion story (scripts/demo.sh) on the Databricks emulator (dbemu.py), in
# both flavours, with the demo registry (fixtures/demo/mlflow.sql, loaded by db_seed.py), the
# demo's git repository (scripts/demo-repo.sh) and fixtures/demo/policy.json:
#   databricks     training requests the transition (the Databricks SDK, as a training job
#                  would); comply -> promote to Staging (approving the request) -> compare ->
#                  promote to Production (approving the request); a failed version's request
#                  is rejected with a comment and the version archived; plus no open request,
#                  two open requests, a request for another stage only, comments edited on
#                  re-runs (docs/databricks.md)
#   databricks-uc  challenger -> champion through aliases; stages refused
# Everything is asserted from what the emulator holds (/_emu/state). The harness's MLflow
# server is not used.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testlib.sh"
. "$here/dblib.sh"
repo_root=$(cd "$here/../.." && pwd)
py=$MLGATE_TEST_PYTHON
pat=dapi-flow-ci-7c0ffee5ecre7
trainer_pat=dapi-flow-trainer-51de
emu_start --token "ci@example.com=$pat" --token "trainer@example.com=$trainer_pat" \
	--token "bob@example.com=dapi-flow-bob-2"
export DATABRICKS_HOST=$EMU DATABRICKS_TOKEN=$pat DATABRICKS_CONFIG_FILE=$T_DIR/no-databrickscfg
# the CI run the comments and tags link to (--ci none: nothing else of GitHub's is used)
export GITHUB_SERVER_URL=https://github.com GITHUB_REPOSITORY=acme/fraud GITHUB_RUN_ID=4242
run_url=https://github.com/acme/fraud/actions/runs/4242
unset DATABRICKS_CLIENT_ID DATABRICKS_CLIENT_SECRET DATABRICKS_CONFIG_PROFILE MLFLOW_REGISTRY_URI \
	MLFLOW_TRACKING_URI GITHUB_ACTIONS TF_BUILD 2>/dev/null || true
"$repo_root/scripts/demo-repo.sh" "$T_DIR/repo" >/dev/null
main_commit=$(git -C "$T_DIR/repo" rev-parse main)
policy=$repo_root/fixtures/demo/policy.json
# the demo policy for models not named fraud-detector: the model card is the demo's one
"$py" - "$policy" "$T_DIR" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
p["compliance"]["model_card"]["path"] = "models/fraud-detector/MODEL_CARD.md"
json.dump(p, open(sys.argv[2] + "/policy-any.json", "w"))
p["compliance"]["version_tags"]["reviewed_by"] = {}
json.dump(p, open(sys.argv[2] + "/policy-strict.json", "w"))
p = json.load(open(sys.argv[2] + "/policy-any.json"))
p["promote"] = {"require_transition_request": False}
json.dump(p, open(sys.argv[2] + "/policy-direct.json", "w"))
p = json.load(open(sys.argv[2] + "/policy-any.json"))
for m in p["compare"]["metrics"]:
    m["max_regression"] = 0.2
json.dump(p, open(sys.argv[2] + "/policy-lenient.json", "w"))
PY
mkdir -p "$T_DIR/out"
O=$T_DIR/out

# gate NAME EXIT ARGS...: mlgate-<gate> on $registry/$model with $pol, evidence in $O/NAME.*
gate() {
	local name=$1 want=$2
	shift 2
	expect_rc "$want" "$MLGATE_BIN/mlgate-${name%%-*}" --registry "$registry" --model "$model" \
		--policy "$pol" --ci none --junit "$O/$name.xml" --json "$O/$name.json" \
		--summary "$O/$name.md" "$@"
}
comply() { # NAME EXIT VERSION [ARGS]
	local name=$1 want=$2 v=$3
	shift 3
	gate "$name" "$want" --version "$v" --repo "$T_DIR/repo" "$@"
}
# sdk_request USER_PAT MODEL:VERSION:STAGE...: transition requests made through the
# Databricks SDK, as a training job or a person would
sdk_request() {
	local tok=$1
	shift
	DATABRICKS_TOKEN=$tok "$py" - "$@" >"$T_DIR/sdk.out" 2>&1 <<'PY' || { cat "$T_DIR/sdk.out" >&2; fail "SDK transition request"; }
import sys, warnings
warnings.filterwarnings("ignore")
from databricks.sdk import WorkspaceClient
mr = WorkspaceClient().model_registry
for spec in sys.argv[1:]:
    name, version, stage = spec.rsplit(":", 2)
    mr.create_transition_request(name, version, stage, comment=f"training asks for {stage}")
PY
}
check() { # EXPR WANT WHAT: emu_state EXPR must print WANT
	local got
	got=$(emu_state "$1")
	[ "$got" = "$2" ] || fail "$3: $1 is '$got', expected '$2'"
}
check_true() { check "$1" True "$2"; }
# gate comments of version N: '[mlgate] <gate> ' comments by ci@example.com
ncomments() { emu_state "len([c for c in v($1)['comments'] if c['comment'].startswith('[mlgate] $2 ')])"; }

# =============================================================== workspace registry: the story
registry=databricks
model=fraud-detector
pol=$policy
emu_seed "$model"
sdk_request "$trainer_pat" "$model:1:Staging" "$model:2:Staging" "$model:3:Staging"
check "[r['user_id'] for r in v(1)['open_requests']]" '["trainer@example.com"]' "the SDK's request"

# 1-2. compliance of versions 1 and 2
comply comply-v1 0 1
comply comply-v2 1 2
check "{k: x for k, x in tags(1).items() if k.startswith('mlgate.')} == {'mlgate.comply.at': tags(1)['mlgate.comply.at'], 'mlgate.comply.commit': '$main_commit', 'mlgate.comply.verdict': 'passed', 'mlgate.comply.run_url': '$run_url', 'mlgate.comply.comment': v(1)['comments'][0]['id']}" True \
	"comply's tags on version 1"
check "v(1)['comments'][0]['comment'].splitlines()[0].split(' at ')[0]" "[mlgate] comply passed" "comply's comment"
check_true "v(1)['comments'][0]['comment'].splitlines()[0].endswith(' ($run_url)')" "comply's comment links the CI run"
check_true "'- compliance.model_card: passed' in v(1)['comments'][0]['comment']" "comply's comment lists its checks"
check "v(1).get('description')" "Gradient-boosted trees on six months of EU card transactions." \
	"comply left the description alone (Databricks has comments)"

# 3. version 2 to Staging on failed evidence: the request is rejected with a comment, v2 archived
gate promote-v2-staging 1 --version 2 --to-stage Staging --evidence "$O/comply-v2.xml"
check "v(2)['current_stage']" Archived "the rejected version 2"
check "[r['closed_by'] for r in reqs(2, 'REJECTED')]" '["ci@example.com"]' "version 2's request"
check "v(2)['open_requests']" "[]" "version 2's open requests"
rej=$(emu_state "acts(2, 'REJECTED_REQUEST')[0]['comment']")
case $rej in
"mlgate promote: rejected the request to move model 'fraud-detector' version 2 to Staging (requested by trainer@example.com ("*) ;;
*) fail "the rejection's comment starts '${rej%%$'\n'*}'" ;;
esac
grep -q "^- promote.evidence.comply: failed: no passing comply evidence for model 'fraud-detector' version 2: .*verdict failed" <<<"$rej" ||
	fail "the rejection's comment does not give the failed evidence: $rej"
check "tags(2)['mlgate.promote.verdict']" failed "version 2's promote verdict"

# 4. version 1 to Staging: the request is approved with the evidence as its comment
gate promote-v1-staging 0 --version 1 --to-stage Staging --evidence "$O/comply-v1.xml"
check "v(1)['current_stage']" Staging "version 1 after its Staging approval"
check "[(a['user_id'], a['from_stage'], a['to_stage']) for a in acts(1, 'APPROVED_REQUEST')]" \
	'[["ci@example.com", "None", "Staging"]]' "the approval activity"
check "[r['closed_by'] for r in reqs(1, 'APPROVED')]" '["ci@example.com"]' "version 1's Staging request"
appr=$(emu_state "acts(1, 'APPROVED_REQUEST')[0]['comment']")
grep -q "^- promote.evidence.comply: passed: comply passed at " <<<"$appr" || fail "approval comment: $appr"
grep -qx "Commit: $main_commit" <<<"$appr" || fail "the approval comment has no commit: $appr"

# 5. compare version 1 (Staging) with Production: nobody there yet
gate compare-v1 0 --stage Staging --baseline-stage Production
check "tags(1)['mlgate.compare.verdict']" passed "compare's verdict tag"
# the Production requests as a person makes them in the UI (the REST call the SDK makes)
for n in 1 3; do
	curl --noproxy '*' -sS --fail -X POST -H "Authorization: Bearer $trainer_pat" \
		-H 'Content-Type: application/json' \
		--data "{\"name\": \"$model\", \"version\": \"$n\", \"stage\": \"Production\"}" \
		"$EMU/api/2.0/mlflow/transition-requests/create" >/dev/null || fail "requesting Production for version $n"
done

# 6. version 1 to Production on both evidences
gate promote-v1-production 0 --version 1 --to-stage Production --evidence "$O/comply-v1.xml" \
	--evidence "$O/compare-v1.xml"
check "v(1)['current_stage']" Production "version 1 after its Production approval"
check "(tags(1)['mlgate.promote.target'], tags(1)['mlgate.promote.verdict'], tags(1)['mlgate.promote.run_url'])" \
	"[\"stage:Production\", \"passed\", \"$run_url\"]" "version 1's promote tags"
appr=$(emu_state "[a for a in acts(1, 'APPROVED_REQUEST') if a['to_stage'] == 'Production'][0]['comment']")
for line in "^mlgate promote: approved the request to move model 'fraud-detector' version 1 to Production \(requested by trainer@example.com \(" \
	"^- promote.evidence.comply: passed: " "^- promote.evidence.compare: passed: compare passed at " \
	"^Comparison:$" "^- compare.metric.roc_auc: passed" \
	"^- compare.metric.recall_at_1pct_fpr: skipped: candidate 0.61: no production model" "^Commit: $main_commit$" \
	"^CI run: $run_url$"; do
	grep -Eq -- "$line" <<<"$appr" || fail "the Production approval's comment has no line matching '$line': $appr"
done
# a passed compare check has no message in the JUnit evidence: its line ends at the status
if grep -q '(null)' <<<"$appr"; then
	fail "the approval comment prints '(null)' for passed compare checks: $appr"
fi

# 7-10. version 3: compliant, to Staging, worse than version 1: its Production request rejected
comply comply-v3 0 3
gate promote-v3-staging 0 --version 3 --to-stage Staging --evidence "$O/comply-v3.xml"
gate compare-v3 1 --stage Staging --baseline-stage Production
gate promote-v3-production 1 --version 3 --to-stage Production --evidence "$O/comply-v3.xml" \
	--evidence "$O/compare-v3.xml"
check "[v(n)['current_stage'] for n in (1, 2, 3)]" '["Production", "Archived", "Archived"]' \
	"the stages at the end of the story (as scripts/demo.sh)"
check "[r['to_stage'] for r in reqs(3, 'REJECTED')]" '["Production"]' "version 3's Production request"
rej=$(emu_state "acts(3, 'REJECTED_REQUEST')[0]['comment']")
grep -q "^- promote.evidence.compare: failed: " <<<"$rej" || fail "version 3's rejection comment: $rej"
check "{n: (tags(n).get('mlgate.comply.verdict'), tags(n).get('mlgate.compare.verdict'), tags(n).get('mlgate.promote.verdict')) for n in (1, 2, 3)}" \
	'{"1": ["passed", "passed", "passed"], "2": ["failed", null, "failed"], "3": ["passed", "failed", "failed"]}' \
	"the verdict tags"
# one comment per gate and version, whatever number of runs (promote ran twice on 1 and 3)
check "sorted({(n, c['comment'].split()[1]) for n in (1, 2, 3) for c in v(n)['comments']})" \
	'[[1, "compare"], [1, "comply"], [1, "promote"], [2, "comply"], [2, "promote"], [3, "compare"], [3, "comply"], [3, "promote"]]' \
	"the gates' comments"
check "sorted((n, c['comment'].split()[1]) for n in (1, 2, 3) for c in v(n)['comments'] if not c['comment'].startswith('[mlgate] promote '))" \
	'[[1, "compare"], [1, "comply"], [2, "comply"], [3, "compare"], [3, "comply"]]' "comply's and compare's comments"
check "all(tags(n)['mlgate.' + g + '.comment'] == c['id'] for n in (1, 2, 3) for c in v(n)['comments'] for g in [c['comment'].split()[1]] if g != 'promote')" True \
	"each comment's id in the tag mlgate.<gate>.comment"
# promote's second run (Production after Staging) edits its own comment, not a second one
[ "$(ncomments 1 promote)" = 1 ] || fail "promote posted $(ncomments 1 promote) comments on version 1 (one expected)"
check "all(c['user_id'] == 'ci@example.com' for n in (1, 2, 3) for c in v(n)['comments'])" True "comments' author"
check "[c['comment'].split(' at ')[0] for c in v(1)['comments'] if c['id'] == tags(1)['mlgate.promote.comment']]" \
	'["[mlgate] promote passed"]' "version 1's promote comment"
junit_valid "$O"/*.xml
echo "ok: the demo story on the workspace registry"

# release evidence: mlgate-release cuts release/1.0 at version 1's commit on its comply and
# compare evidence, cross-checked with what the gates recorded on the Databricks version
git -C "$T_DIR/repo" branch release/1.0 "$main_commit"
release() {
	expect_rc "$1" "$MLGATE_BIN/mlgate-release" --repo "$T_DIR/repo" --commit "$main_commit" \
		--branch release/1.0 --require comply,compare --evidence "$O/comply-v1.xml" \
		--evidence "$O/compare-v1.xml" --registry databricks --ci none --junit "$O/release-$1.xml"
}
release 0
assert_match "$OUT" "release.evidence.comply"
# the registry says otherwise than the evidence file (a forged or stale file): refused
expect_rc 0 "$MLGATE_TEST_BIN/regtool" databricks set-tag fraud-detector 1 mlgate.comply.verdict failed
release 1
assert_match "$OUT" "mlgate.comply.verdict"
expect_rc 0 "$MLGATE_TEST_BIN/regtool" databricks set-tag fraud-detector 1 mlgate.comply.verdict passed
echo "ok: release evidence cross-checked with the workspace registry"

# re-runs: comply of version 3 with another verdict edits its comment (and says so), the
# same verdict again changes nothing, a comment deleted meanwhile is posted anew
cid=$(emu_state "tags(3)['mlgate.comply.comment']")
pol=$T_DIR/policy-strict.json
comply comply-v3-strict 1 3
assert_match "$O/comply-v3-strict.json" "edited comment $cid on model 'fraud-detector' version 3"
check "[c['comment'].split(' at ')[0] for c in v(3)['comments'] if c['id'] == '$cid']" '["[mlgate] comply failed"]' "the edited comment"
check "$(ncomments 3 comply)" 1 "comply's comments on version 3 after a re-run"
check "tags(3)['mlgate.comply.comment']" "$cid" "the comment tag after an edit"
[ "$(ncomments 3 comply)" = 1 ] || fail "comply added a comment on its re-run"
before=$(emu_state "v(3)")
comply comply-v3-strict-again 1 3
[ "$(emu_state "v(3)")" = "$before" ] || fail "a re-run with the same verdict changed version 3"
curl --noproxy '*' -sS --fail -X DELETE -H "Authorization: Bearer $pat" \
	"$EMU/api/2.0/mlflow/comments/delete?id=$cid" >/dev/null || fail "deleting the comment"
pol=$policy
comply comply-v3-after-delete 0 3
assert_match "$O/comply-v3-after-delete.json" "posted a comment on model 'fraud-detector' version 3"
check "$(ncomments 3 comply)" 1 "comply's comments after its comment was deleted"
check "tags(3)['mlgate.comply.comment'] == v(3)['comments'][-1]['id'] != '$cid'" True "the new comment's tag"
# compare too: version 3 against version 1 again, with a lenient policy: passed, edited
cid=$(emu_state "tags(3)['mlgate.compare.comment']")
pol=$T_DIR/policy-lenient.json
gate compare-v3-lenient 0 --version 3 --baseline-stage Production
assert_match "$O/compare-v3-lenient.json" "edited comment $cid on model 'fraud-detector' version 3"
check "[c['comment'].split(' at ')[0] for c in v(3)['comments'] if c['comment'].startswith('[mlgate] compare ')]" \
	'["[mlgate] compare passed"]' "compare's one comment after its re-run"
pol=$policy
echo "ok: comments edited on re-runs"

# ====================================================== workspace registry: the request cases
pol=$T_DIR/policy-any.json

# no open request: exit 1, nothing changed, stderr says to request it
model=fd-norequest
emu_seed "$model" --only 1
comply comply-nr 0 1
before=$(emu_state "v(1)")
gate promote-nr 1 --version 1 --to-stage Staging --evidence "$O/comply-nr.xml"
assert_match "$OUT" "version 1 of model 'fd-norequest' has no open request to move to Staging: request the transition in Databricks"
# (a failed check, so on stdout as every gate's failed checks are, and in the evidence)
assert_match "$OUT" '"promote": \{"require_transition_request": false\} in the policy\): nothing changed'
assert_match "$O/promote-nr.xml" 'has no open request to move to Staging: request the transition in Databricks'
[ "$(emu_state "v(1)")" = "$before" ] || fail "promote without an open request changed version 1"
# then with promote.require_transition_request false: Databricks' transition with a comment
pol=$T_DIR/policy-direct.json
gate promote-nr-direct 0 --version 1 --to-stage Staging --evidence "$O/comply-nr.xml"
check "[(a['from_stage'], a['to_stage'], a['user_id']) for a in acts(1, 'APPLIED_TRANSITION')]" \
	'[["None", "Staging", "ci@example.com"]]' "the direct transition"
check "acts(1, 'APPLIED_TRANSITION')[0]['comment'].splitlines()[0]" \
	"mlgate promote: moved model 'fd-norequest' version 1 to Staging (no request was open; the policy allows it)" "the direct transition's comment"
[ "$(emu_log_count POST /api/2.0/mlflow/databricks/model-versions/transition-stage)" = 1 ] ||
	fail "the direct transition is not Databricks' own transition-stage"
echo "ok: no open request"

# a request for another stage only is no request
pol=$T_DIR/policy-any.json
model=fd-otherstage
emu_seed "$model" --only 1 --request 1:Production:trainer@example.com
comply comply-os 0 1
before=$(emu_state "v(1)")
gate promote-os 1 --version 1 --to-stage Staging --evidence "$O/comply-os.xml"
assert_match "$OUT" "has no open request to move to Staging"
[ "$(emu_state "v(1)")" = "$before" ] || fail "promote with a request for another stage changed version 1"
check "[r['to_stage'] for r in v(1)['open_requests']]" '["Production"]' "the Production request, untouched"
echo "ok: a request for another stage only"

# two open requests to the same stage: one approval, the comment names both requesters;
# the version in Staging before is archived by the approval
model=fd-two
emu_seed "$model" --only 1,3 --stage 1:Staging --request 3:Staging:trainer@example.com \
	--request 3:Staging:bob@example.com
comply comply-two 0 3
gate promote-two 0 --version 3 --to-stage Staging --evidence "$O/comply-two.xml"
check "[v(1)['current_stage'], v(3)['current_stage']]" '["Archived", "Staging"]' "stages after approving version 3"
check "len(acts(3, 'APPROVED_REQUEST'))" 1 "approvals"
check "sorted(r['user_id'] for r in reqs(3, 'APPROVED'))" '["bob@example.com", "trainer@example.com"]' "approved requests"
check "acts(1, 'SYSTEM_TRANSITION')[0]['system_comment']" "Archived because version 3 was moved to Staging." \
	"the archive of version 1"
appr=$(emu_state "acts(3, 'APPROVED_REQUEST')[0]['comment']")
grep -Eq "^mlgate promote: approved the request to move model 'fd-two' version 3 to Staging \(requested by (trainer@example.com \(.*\), bob@example.com|bob@example.com \(.*\), trainer@example.com) " <<<"$appr" ||
	fail "the approval comment does not name both requesters: $appr"
assert_match "$ERR" "archiving version 1"
echo "ok: two open requests"

# --keep-on-reject only records: the verdict and the gate's comment; the request stays open
# (a person may still approve it) and the version keeps its stage
model=fd-keep
emu_seed "$model" --only 1 --request 1:Staging:trainer@example.com
pol=$T_DIR/policy-strict.json
comply comply-keep 1 1
pol=$T_DIR/policy-any.json
gate promote-keep 1 --version 1 --to-stage Staging --evidence "$O/comply-keep.xml" --keep-on-reject
check "(v(1)['current_stage'], [r['to_stage'] for r in v(1)['open_requests']], tags(1)['mlgate.promote.verdict'])" \
	'["None", ["Staging"], "failed"]' "a rejection with --keep-on-reject"
check "[c['comment'].split(' at ')[0] for c in v(1)['comments'] if c['id'] == tags(1)['mlgate.promote.comment']]" \
	'["[mlgate] promote failed"]' "the gate's comment with --keep-on-reject"
echo "ok: --keep-on-reject"

# Production approval archives the version serving Production
model=fd-rollover
pol=$T_DIR/policy-lenient.json
emu_seed "$model" --only 1,3 --stage 1:Production --stage 3:Staging --request 3:Production:trainer@example.com
comply comply-ro 0 3
gate compare-ro 0 --stage Staging --baseline-stage Production
emu_post /_emu/log/clear '{}' >/dev/null
gate promote-ro 0 --version 3 --to-stage Production --evidence "$O/comply-ro.xml" --evidence "$O/compare-ro.xml"
check "[v(1)['current_stage'], v(3)['current_stage']]" '["Archived", "Production"]' "stages after the roll-over"
appr=$(emu_state "acts(3, 'APPROVED_REQUEST')[0]['comment']")
grep -Eq "^- promote.evidence.compare: passed: .*against version 1" <<<"$appr" || fail "the roll-over's comment: $appr"
# compare-and-set: the stage is read before the approval and again after it
curl --noproxy '*' -sS --fail "$EMU/_emu/log" | "$py" -c '
import json, sys
l = [(e["method"], e["path"]) for e in json.load(sys.stdin)]
ap = l.index(("POST", "/api/2.0/mlflow/transition-requests/approve"))
reads = ("/api/2.0/mlflow/model-versions/get", "/api/2.0/mlflow/model-versions/search",
         "/api/2.0/mlflow/registered-models/get-latest-versions")
before = [p for m, p in l[:ap] if p in reads]
after = [p for m, p in l[ap + 1:] if p in reads]
sys.exit(0 if before and after else f"reads around the approval: {before} / {after}")' ||
	fail "promote did not read the stage before and after its approval"
echo "ok: approval archives the version in Production"

# ============================================================== Unity Catalog: aliases only
registry=databricks-uc
model=main.ml.fraud_detector
emu_post /_emu/log/clear '{}' >/dev/null
pol=$T_DIR/policy-any.json
emu_seed "$model" --uc --alias 1:challenger
comply comply-uc-v1 0 1
comply comply-uc-v2 1 2
gate compare-uc-v1 0 --alias challenger --baseline-alias champion
gate promote-uc-v1 0 --version 1 --to-alias champion --from-alias challenger \
	--evidence "$O/comply-uc-v1.xml" --evidence "$O/compare-uc-v1.xml"
check "s['models'][[x['name'] for x in s['models']].index('$model')]['aliases']" \
	'[{"alias": "champion", "version": "1"}]' "the UC model's aliases after version 1's promotion"
check "(tags(1)['mlgate.comply.verdict'], tags(1)['mlgate.compare.verdict'], tags(1)['mlgate.promote.verdict'], tags(2)['mlgate.comply.verdict'])" \
	'["passed", "passed", "passed", "failed"]' "UC verdict tags"
check_true "'[mlgate] comply passed at ' in v(1)['description'] and '[mlgate] promote passed at ' in v(1)['description']" \
	"UC versions have no comments: the gates' lines are in the description"
# version 3 becomes the challenger (as MLflow's set_registered_model_alias sends it), is
# compliant, worse than the champion: rejected, the challenger alias removed, champion kept
curl --noproxy '*' -sS --fail -X POST -H "Authorization: Bearer $pat" -H 'Content-Type: application/json' \
	--data "{\"name\":\"$model\",\"alias\":\"challenger\",\"version\":\"3\"}" \
	"$EMU/api/2.0/mlflow/unity-catalog/registered-models/alias" >/dev/null || fail "setting the challenger alias"
comply comply-uc-v3 0 3
gate compare-uc-v3 1 --alias challenger --baseline-alias champion
gate promote-uc-v3 1 --alias challenger --to-alias champion --from-alias challenger \
	--evidence "$O/comply-uc-v3.xml" --evidence "$O/compare-uc-v3.xml"
check "s['models'][[x['name'] for x in s['models']].index('$model')]['aliases']" \
	'[{"alias": "champion", "version": "1"}]' "the UC aliases after version 3's rejection"
check "tags(3)['mlgate.promote.verdict']" failed "version 3's promote verdict"
# stages do not exist in Unity Catalog: exit 2 before anything is read
before=$(emu_state "m")
gate promote-uc-stage 2 --version 1 --to-stage Production --evidence "$O/comply-uc-v1.xml"
assert_match "$ERR" "does not support stages: models in Unity Catalog have aliases, not stages; use --alias/--to-alias"
[ "$(emu_state "m")" = "$before" ] || fail "--to-stage on Unity Catalog changed the model"
# only the endpoints MLflow's databricks-uc client speaks, and no order_by in a search
curl --noproxy '*' -sS --fail "$EMU/_emu/log" | "$py" -c '
import json, sys
log = [e for e in json.load(sys.stdin) if e["path"].startswith("/api/2.0/mlflow/")]
bad = sorted({e["path"] for e in log if not e["path"].startswith(
    ("/api/2.0/mlflow/unity-catalog/", "/api/2.0/mlflow/runs/"))})
bad += sorted({e["path"] + " with order_by" for e in log
               if "order_by" in e["query"] or "order_by" in (e["body"] or {})})
sys.exit("Unity Catalog gates called " + ", ".join(bad) if bad else 0)' ||
	fail "a gate on databricks-uc left the Unity Catalog endpoints"
junit_valid "$O"/*uc*.xml
echo "ok: Unity Catalog challenger -> champion"
