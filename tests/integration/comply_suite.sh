# The mlgate-comply scenarios, against the registry at $URI whose data
# MLflow's own client reaches at $TRACKING (sourced by t_comply_*.sh after
# testlib.sh). Every scenario seeds a fresh model and git repository.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$here/../.." && pwd)
comply="$MLGATE_BIN/mlgate-comply"
policy="$repo_root/fixtures/policies/comply.json"
py=$MLGATE_TEST_PYTHON

seed() {
	"$py" "$here/comply_seed.py" --tracking-uri "$TRACKING" --repo "$T_DIR/repo" 2>"$T_DIR/seed.err" >"$T_DIR/seed.json" ||
		{ cat "$T_DIR/seed.err" >&2; fail "seeding failed"; }
	model=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["model"])' "$T_DIR/seed.json")
	c1=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["c1"])' "$T_DIR/seed.json")
}
view() { "$py" "$here/comply_view.py" "$TRACKING" "$model" "$@" 2>/dev/null; }
tag_of() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])["tags"].get(sys.argv[2], "<unset>"))' "$1" "$2"; }
write_policy() { printf '%s\n' "$1" >"$T_DIR/$2"; }
run_comply() { # EXPECTED-EXIT ARGS...
	local want=$1
	shift
	expect_rc "$want" "$comply" --registry "$URI" --repo "$T_DIR/repo" "$@"
}

seed

# 1. the compliant version passes; JUnit is schema-valid evidence; the verdict is written back
run_comply 0 --model "$model" --version 1 --policy "$policy" --junit "$T_DIR/v1.xml" --json "$T_DIR/v1.json"
junit_valid "$T_DIR/v1.xml"
assert_match "$T_DIR/v1.xml" '<property name="mlgate.verdict" value="passed"/>'
assert_match "$T_DIR/v1.xml" "<property name=\"mlgate.git.commit\" value=\"$c1\"/>"
assert_match "$T_DIR/v1.xml" "<property name=\"mlgate.model\" value=\"$model\"/>"
assert_match "$T_DIR/v1.json" '"verdict":[[:space:]]*"passed"'
v=$(view 1)
[ "$(tag_of "$v" mlgate.comply.verdict)" = passed ] || fail "verdict tag not written: $v"
[ "$(tag_of "$v" mlgate.comply.commit)" = "$c1" ] || fail "commit tag not written: $v"
grep -q '\[mlgate\] comply passed at' <<<"$v" || fail "description line not appended: $v"
# the model card at the training commit is the one checked: HEAD's card has lost its Limitations text
git -C "$T_DIR/repo" show "HEAD:models/$model/MODEL_CARD.md" | grep -q 'Not calibrated' && fail "seed: HEAD card unchanged"
assert_match "$OUT" 'passed: comply: compliance.model_card.section.limitations'

# 2. a re-run changes nothing (idempotent): the whole MLflow view is identical
before=$(view)
run_comply 0 --model "$model" --version 1 --policy "$policy" --json "$T_DIR/again.json"
[ "$before" = "$(view)" ] || fail "re-running a passed gate changed the registry"
assert_match "$T_DIR/again.json" '"registry_changes":[[:space:]]*\[\]'

# 3. the non-compliant version: every kind of check fails, and says why
run_comply 1 --model "$model" --version 2 --policy "$policy" --junit "$T_DIR/v2.xml"
junit_valid "$T_DIR/v2.xml"
for want in "version_tag.owner: version tag owner='not-an-email' does not match" \
	"version_tag.risk_tier: version tag risk_tier='extreme' is not one of low, medium, high" \
	"forbidden_tag.debug: forbidden tag 'debug' is set" \
	"description: the description has 3 characters" \
	"lineage.reachable: commit [0-9a-f]{12} is not reachable from main" \
	"run.param.learning_rate: run [0-9a-f]+ has no parameter 'learning_rate'" \
	"run.metric.roc_auc: metric 'roc_auc' is NaN"; do
	assert_match "$OUT" "failed: comply: compliance.$want"
done
[ "$(tag_of "$(view 2)" mlgate.comply.verdict)" = failed ] || fail "failed verdict not written"

# 4. --dry-run leaves the registry exactly as it was, and prints what it would have done
before=$(view)
run_comply 1 --model "$model" --version 3 --policy "$policy" --dry-run --json "$T_DIR/dry.json"
[ "$before" = "$(view)" ] || fail "--dry-run changed the registry"
assert_match "$OUT" "^would set tag mlgate.comply.verdict=failed on model '$model' version 3$"
assert_match "$T_DIR/dry.json" '"dry_run":[[:space:]]*true'

# 5. a failed training run, and a missing tag
run_comply 1 --model "$model" --version 3 --policy "$policy"
assert_match "$OUT" "failed: comply: compliance.lineage.run: run [0-9a-f]+ has status FAILED, the policy asks for FINISHED"
assert_match "$OUT" "failed: comply: compliance.version_tag.owner: version tag 'owner' is missing"

# 6. waivers: active (skipped, with reason, owner, expiry), expired (fails, says so), malformed (exit 2)
write_policy '{"version":1,"compliance":{"version_tags":{"risk_tier":{"allowed":["low","medium","high"]}},
 "waivers":[{"check":"compliance.version_tag.risk_tier","reason":"legacy tier name","owner":"risk@example.com","expires":"2999-12-31"}]}}' active.json
run_comply 0 --model "$model" --version 2 --policy "$T_DIR/active.json" --junit "$T_DIR/waived.xml" --dry-run
assert_match "$OUT" "skipped: comply: compliance.version_tag.risk_tier: waived until 2999-12-31 \(owner risk@example.com, reason: legacy tier name\); would have failed"
assert_match "$T_DIR/waived.xml" '<skipped message="waived until 2999-12-31'
write_policy '{"version":1,"compliance":{"version_tags":{"risk_tier":{"allowed":["low"]}},
 "waivers":[{"check":"compliance.version_tag.risk_tier","reason":"r","owner":"o","expires":"2020-01-31"}]}}' expired.json
run_comply 1 --model "$model" --version 2 --policy "$T_DIR/expired.json" --dry-run
assert_match "$OUT" "failed: comply: compliance.version_tag.risk_tier: waiver expired on 2020-01-31"
write_policy '{"version":1,"compliance":{"waivers":[{"check":"compliance.description","reason":"r","expires":"2030-01-01"}]}}' malformed.json
run_comply 2 --model "$model" --version 2 --policy "$T_DIR/malformed.json"
assert_match "$ERR" "compliance.waivers\[0\]: missing required key 'owner'"
write_policy '{"version":1,"compliance":{"description":{},"waivers":[{"check":"compliance.descripton","reason":"r","owner":"o","expires":"2030-01-01"}]}}' typo.json
run_comply 2 --model "$model" --version 2 --policy "$T_DIR/typo.json"
assert_match "$ERR" "compliance.waivers\[0\].check: no check 'compliance.descripton' in this run"

# 7. severity warn reports without failing; --fail-on-warn makes it fail
write_policy '{"version":1,"compliance":{"description":{"min_length":200},"severity":{"compliance.description":"warn"}}}' warn.json
run_comply 0 --model "$model" --version 1 --policy "$T_DIR/warn.json" --dry-run
assert_match "$OUT" "passed: comply: compliance.description: warning: the description has"
run_comply 1 --model "$model" --version 1 --policy "$T_DIR/warn.json" --dry-run --fail-on-warn
assert_match "$OUT" "failed: comply: compliance.description: warning \(failing: --fail-on-warn\)"

# 8. selecting by alias and by stage; a stage with two versions is ambiguous
"$py" - "$TRACKING" "$model" <<'PY' 2>/dev/null
import sys, warnings
warnings.filterwarnings("ignore")
from mlflow import MlflowClient
c = MlflowClient(tracking_uri=sys.argv[1], registry_uri=sys.argv[1])
c.set_registered_model_alias(sys.argv[2], "champion", "1")
c.transition_model_version_stage(sys.argv[2], "1", "Staging")
c.transition_model_version_stage(sys.argv[2], "2", "Production")
c.transition_model_version_stage(sys.argv[2], "3", "Production")
PY
run_comply 0 --model "$model" --alias champion --policy "$policy" --json "$T_DIR/alias.json" -q
assert_match "$T_DIR/alias.json" '"version":[[:space:]]*"1"'
run_comply 0 --model "$model" --stage staging --policy "$policy" -q
run_comply 2 --model "$model" --stage Production --policy "$policy"
assert_match "$ERR" "has 2 versions in stage Production \((2, 3|3, 2)\): name one with --version"
run_comply 2 --model "$model" --alias nobody --policy "$policy"
assert_match "$ERR" "alias 'nobody' of model '$model' is not set"
run_comply 2 --model "$model" --version 99 --policy "$policy"

# 9. infrastructure and git errors: exit 3 / 2, and nothing is written
before=$(view)
MLFLOW_HTTP_REQUEST_MAX_RETRIES=0 expect_rc 3 "$comply" --registry http://127.0.0.1:9 --model "$model" --version 1 --policy "$policy" --junit "$T_DIR/down.xml"
[ ! -e "$T_DIR/down.xml" ] || junit_valid "$T_DIR/down.xml"
expect_rc 2 "$comply" --registry "$URI" --model "$model" --version 2 --policy "$policy" --repo /nonexistent/repo
assert_match "$ERR" "cannot open git repository at '/nonexistent/repo'"
[ "$before" = "$(view)" ] || fail "a failed run changed the registry"

# 10. a policy that reads no git still records the run's training commit (as compare does), in the
#     evidence and the write-back, so a promotion pinned to that commit accepts it
write_policy '{"version":1,"compliance":{"description":{"min_length":10}}}' nogit.json
expect_rc 0 "$comply" --registry "$URI" --model "$model" --version 3 --policy "$T_DIR/nogit.json" --junit "$T_DIR/nogit.xml" --dry-run
assert_match "$T_DIR/nogit.xml" "<property name=\"mlgate.git.commit\" value=\"$c1\"/>"
assert_match "$OUT" "would set tag mlgate.comply.commit=$c1 on model '$model' version 3"
