#!/usr/bin/env bash
# mlgate-promote on the SQLite backend (MLflow's own store), every result
# read back through MLflow's Python client. t_promote_rest.sh runs the same
# scenarios against the harness's MLflow server (PROMOTE_BACKEND=rest).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testlib.sh"
repo_root=$(cd "$here/../.." && pwd)
if [ "${PROMOTE_BACKEND:-sqlite}" = rest ]; then
	URI=$MLGATE_TEST_MLFLOW_URI
else
	URI="sqlite:///$T_DIR/registry.db"
fi
TRACKING=$URI
py=$MLGATE_TEST_PYTHON
promote="$MLGATE_BIN/mlgate-promote"
comply="$MLGATE_BIN/mlgate-comply"
strict="$repo_root/fixtures/policies/comply.json"
printf '{"version":1,"compliance":{"forbidden_tags":["do-not-ship"]}}\n' >"$T_DIR/open.json"
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)

seed() { # DIR -> $model
	mkdir -p "$T_DIR/$1"
	"$py" "$here/comply_seed.py" --tracking-uri "$TRACKING" --repo "$T_DIR/$1/repo" \
		>"$T_DIR/$1/seed.json" 2>"$T_DIR/$1/seed.err" || { cat "$T_DIR/$1/seed.err" >&2; fail "seeding failed"; }
	model=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["model"])' "$T_DIR/$1/seed.json")
}
view() { "$py" "$here/promote_view.py" "$TRACKING" "$model" "$@" 2>/dev/null; }
mlflow_do() { # python statements with c = MlflowClient, m = model
	"$py" - "$TRACKING" "$model" "$1" <<'PY' 2>/dev/null
import sys, warnings
warnings.filterwarnings("ignore")
from mlflow import MlflowClient
c = MlflowClient(tracking_uri=sys.argv[1], registry_uri=sys.argv[1])
m = sys.argv[2]
exec(sys.argv[3])
PY
}
# real comply evidence: comply_ev VERSION POLICY OUT
comply_ev() {
	set +e
	"$comply" --registry "$URI" --repo "$T_DIR/$flow/repo" --model "$model" --version "$1" \
		--policy "$2" --junit "$3" -q >/dev/null 2>&1
	set -e
	[ -s "$3" ] || fail "mlgate-comply wrote no evidence for version $1"
}
# compare evidence written by hand (mlgate-compare is being written): OUT VERSION CHAMPION [VERDICT [FINISHED [MODEL]]]
compare_ev() {
	local verdict=${4:-passed} at=${5:-$now} m=${6:-$model} body=""
	[ "$verdict" = passed ] || body='<failure message="roc_auc regressed"/>'
	cat >"$1" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="mlgate" tests="1" failures="$([ "$verdict" = passed ] && echo 0 || echo 1)" errors="0" skipped="0" time="0.010">
  <testsuite name="compare" tests="1" failures="$([ "$verdict" = passed ] && echo 0 || echo 1)" errors="0" skipped="0" time="0.010" timestamp="${at%Z}">
    <properties>
      <property name="mlgate.gate" value="compare"/>
      <property name="mlgate.verdict" value="$verdict"/>
      <property name="mlgate.model" value="$m"/>
      <property name="mlgate.version" value="$2"/>
      <property name="mlgate.git.commit" value=""/>
      <property name="mlgate.finished" value="$at"/>
      <property name="mlgate.champion.version" value="$3"/>
    </properties>
    <testcase name="compare.metric.roc_auc" classname="compare" time="0.010">$body</testcase>
  </testsuite>
</testsuites>
XML
}
run_promote() { # EXPECTED-EXIT ARGS...
	local want=$1
	shift
	expect_rc "$want" "$promote" --registry "$URI" --model "$model" "$@"
}
unchanged() { # BEFORE WHAT
	[ "$1" = "$(view)" ] || fail "$2 changed the registry"
}

# ------------------------------------------------------------------ stage flow
flow=stages
seed $flow
E="$T_DIR/$flow"
for v in 1 2 3; do comply_ev $v "$T_DIR/open.json" "$E/comply-v$v.xml"; done
comply_ev 2 "$strict" "$E/comply-v2-failed.xml"
grep -q 'mlgate.verdict" value="failed' "$E/comply-v2-failed.xml" || fail "strict comply did not fail v2"

# 1. approve to Staging on comply evidence; JUnit is schema-valid; write-back per DESIGN §5
run_promote 0 --version 1 --to-stage Staging --evidence "$E/comply-v1.xml" --junit "$E/p1.xml" --json "$E/p1.json"
[ "$(view stage 1)" = Staging ] || fail "version 1 not in Staging"
[ "$(view tag 1 mlgate.promote.verdict)" = passed ] || fail "no promote verdict tag"
junit_valid "$E/p1.xml"
assert_match "$E/p1.xml" '<property name="mlgate.gate" value="promote"/>'
assert_match "$E/p1.json" '"verdict":[[:space:]]*"passed"'

# 2. a re-run is a no-op
before=$(view)
run_promote 0 --version 1 --to-stage Staging --evidence "$E/comply-v1.xml" --json "$E/again.json"
unchanged "$before" "re-running an approved promotion"
assert_match "$E/again.json" '"registry_changes":[[:space:]]*\[\]'

# 3. evidence defects: each rejects (exit 1) and names the reason (unreadable evidence: exit 2); under --dry-run each plans
#    the rejection (archive the candidate, record the verdict) and writes nothing
compare_ev "$E/cmp-v3-none.xml" 3 none
compare_ev "$E/cmp-v3-stale.xml" 3 none passed 2020-01-01T00:00:00Z
compare_ev "$E/cmp-v3-other-model.xml" 3 none passed "$now" other-model
compare_ev "$E/cmp-v3-failed.xml" 3 none failed
printf '<testsuites><testsuite name="x"><testcase' >"$E/broken.xml"
before=$(view)
run_promote 1 --version 3 --to-stage Production --evidence "$E/comply-v3.xml" --dry-run
assert_match "$OUT" "failed: promote: promote.evidence.compare: no compare evidence among the 1"
run_promote 1 --version 3 --to-stage Production --evidence "$E/comply-v1.xml" --evidence "$E/cmp-v3-none.xml" --dry-run
assert_match "$OUT" "promote.evidence.comply: no passing comply evidence for model '$model' version 3: .*for version 1"
run_promote 1 --version 2 --to-stage Staging --evidence "$E/comply-v2-failed.xml" --dry-run
assert_match "$OUT" "promote.evidence.comply: .*verdict failed"
run_promote 1 --version 3 --to-stage Production --evidence "$E/comply-v3.xml" --evidence "$E/cmp-v3-stale.xml" --dry-run
assert_match "$OUT" "promote.evidence.compare: .*finished 2020-01-01T00:00:00Z, older than --max-age 24h"
run_promote 1 --version 3 --to-stage Production --evidence "$E/comply-v3.xml" --evidence "$E/cmp-v3-other-model.xml" --dry-run
assert_match "$OUT" "promote.evidence.compare: .*for model 'other-model'"
run_promote 1 --version 3 --to-stage Production --evidence "$E/comply-v3.xml" --evidence "$E/cmp-v3-failed.xml" --dry-run
assert_match "$OUT" "promote.evidence.compare: .*verdict failed"
# evidence that cannot be parsed (or a typo) is a mistake in the command: exit 2, even without --dry-run
run_promote 2 --version 3 --to-stage Production --evidence "$E/comply-v3.xml" --evidence "$E/cmp-v3-none.xml" --evidence "$E/broken.xml"
assert_match "$ERR" "unusable evidence, nothing changed: .*broken.xml"
run_promote 2 --version 3 --to-stage Production --evidence "$E/comply-v3.xml" --evidence "$E/no-such-file.xml"
assert_match "$ERR" "unusable evidence, nothing changed: .*no-such-file.xml"
run_promote 1 --version 3 --to-stage Production --evidence "$E/comply-v3.xml" --evidence "$E/cmp-v3-none.xml" --commit 0123456789abcdef --dry-run
assert_match "$OUT" "promote.evidence.comply: .*not 0123456789abcdef"
assert_match "$OUT" "^would move model '$model' version 3 from None to Archived$"
assert_match "$OUT" "^would set tag mlgate.promote.verdict=failed on model '$model' version 3$"
unchanged "$before" "a --dry-run rejection on defective evidence"
# --keep-on-reject records the rejection and leaves the stage alone
run_promote 1 --version 3 --to-stage Production --evidence "$E/comply-v3.xml" --evidence "$E/cmp-v3-stale.xml" --keep-on-reject
[ "$(view stage 3)" = None ] || fail "--keep-on-reject moved version 3 to $(view stage 3)"
[ "$(view tag 3 mlgate.promote.verdict)" = failed ] || fail "--keep-on-reject did not record the rejection"
before=$(view)

# 4. --dry-run prints the exact change and makes none
run_promote 0 --version 3 --to-stage Production --evidence "$E/comply-v3.xml" --evidence "$E/cmp-v3-none.xml" --dry-run
assert_match "$OUT" "^would move model '$model' version 3 to Production$"
assert_match "$OUT" "^would set tag mlgate.promote.verdict=passed on model '$model' version 3$"
unchanged "$before" "--dry-run"

# 5. approve to Production (first deployment), then compare-and-set: evidence made against "none" is now stale
run_promote 0 --version 3 --to-stage Production --evidence "$E/comply-v3.xml" --evidence "$E/cmp-v3-none.xml"
[ "$(view in Production)" = 3 ] || fail "Production is $(view in Production), expected 3"
compare_ev "$E/cmp-v1-none.xml" 1 none
before=$(view)
run_promote 1 --version 1 --to-stage Production --evidence "$E/comply-v1.xml" --evidence "$E/cmp-v1-none.xml"
assert_match "$OUT" "failed: promote: promote.target: stage Production of model '$model' is held by version 3, but the compare evidence was made against no version"
unchanged "$before" "a compare-and-set rejection"
# against the right champion it goes through, archiving the version it replaces
compare_ev "$E/cmp-v1-3.xml" 1 3
run_promote 0 --version 1 --to-stage Production --evidence "$E/comply-v1.xml" --evidence "$E/cmp-v1-3.xml"
[ "$(view in Production)" = 1 ] || fail "Production is $(view in Production), expected 1"
[ "$(view stage 3)" = Archived ] || fail "the replaced version was not archived"
[ "$(view tag 1 mlgate.promote.target)" = stage:Production ] || fail "the Production decision was not recorded on version 1"

# 6. explicit rejection archives the version and records who and why; audited override
run_promote 1 --version 2 --to-stage Staging --reject --reason "bias review failed"
[ "$(view stage 2)" = Archived ] || fail "rejected version not archived"
[ "$(view tag 2 mlgate.promote.reason)" = "bias review failed" ] || fail "reason not recorded"
[ "$(view tag 2 mlgate.promote.verdict)" = failed ] || fail "rejection not recorded"
before=$(view)
run_promote 1 --version 2 --to-stage Staging --reject --reason "bias review failed"
unchanged "$before" "re-running a rejection"
GITHUB_ACTOR=release-manager run_promote 0 --version 2 --to-stage Staging --approve --override-reason "hotfix INC-42" --evidence "$E/comply-v2-failed.xml"
assert_match "$OUT" "skipped: promote: promote.evidence.comply: overridden by --approve"
[ "$(view stage 2)" = Staging ] || fail "override did not move the version"
[ "$(view tag 2 mlgate.promote.by)" = release-manager ] || fail "override identity not recorded"
view | grep -q 'forced promotion to stage Staging by release-manager: hotfix INC-42' || fail "override not in description"

# 6b. a rejection on the evidence applies itself: the candidate in Staging is archived
compare_ev "$E/cmp-v2-failed.xml" 2 1 failed
run_promote 1 --version 2 --to-stage Production --evidence "$E/comply-v2.xml" --evidence "$E/cmp-v2-failed.xml"
assert_match "$OUT" "promote.evidence.compare: .*verdict failed"
# the comply evidence passed, but the strict comply run after it recorded "failed" on the
# version: superseded evidence is rejected too, naming both values (issue 12 item 11)
assert_match "$OUT" "promote.evidence.comply: .*'$E/comply-v2.xml': mlgate.verdict is 'passed', but model '$model' version 2 records mlgate.comply.verdict=failed"
[ "$(view stage 2)" = Archived ] || fail "the rejected candidate is in $(view stage 2), not Archived"
[ "$(view tag 2 mlgate.promote.verdict)" = failed ] || fail "the rejection was not recorded"
[ "$(view tag 2 mlgate.promote.target)" = stage:Production ] || fail "the rejected target was not recorded"
[ "$(view in Production)" = 1 ] || fail "a rejection changed Production to $(view in Production)"

# 6c. two versions in Production (MLflow's client can make that: no archive_existing_versions):
#     re-running the approval of version 1 archives the other, says so, and ends with one holder
mlflow_do 'c.transition_model_version_stage(m, "3", "Production", archive_existing_versions=False)'
[ "$(view in Production)" = "1,3" ] || fail "setup: Production is '$(view in Production)'"
run_promote 0 --version 1 --to-stage Production --evidence "$E/comply-v1.xml" --evidence "$E/cmp-v1-3.xml"
assert_match "$ERR" "moved model '$model' version 3 from Production to Archived \(version 1 holds Production\)"
[ "$(view in Production)" = 1 ] || fail "after the re-run Production is '$(view in Production)', expected 1"
[ "$(view stage 3)" = Archived ] || fail "the second holder was not archived"

# 7. two promotions of different versions at once, both compared against production version 1
#    (comply passes version 2 again: its last recorded comply verdict was the strict run's)
comply_ev 2 "$T_DIR/open.json" "$E/comply-v2-again.xml"
compare_ev "$E/cmp-v2-1.xml" 2 1
compare_ev "$E/cmp-v3-1.xml" 3 1
set +e
"$promote" --registry "$URI" --model "$model" --version 2 --to-stage Production --evidence "$E/comply-v2-again.xml" --evidence "$E/cmp-v2-1.xml" >"$E/race2.out" 2>&1 &
pid2=$!
"$promote" --registry "$URI" --model "$model" --version 3 --to-stage Production --evidence "$E/comply-v3.xml" --evidence "$E/cmp-v3-1.xml" >"$E/race3.out" 2>&1 &
pid3=$!
wait $pid2
rc2=$?
wait $pid3
rc3=$?
set -e
prod=$(view in Production)
if [ "${PROMOTE_BACKEND:-sqlite}" = rest ] && { [ "$prod" = 2,3 ] || [ "$prod" = 3,2 ]; }; then
	# MLflow's server archives and moves in separate statements: two concurrent
	# transitions can both land. The run that re-reads last sees both and must
	# report the conflict (exit 3); the operator is told to fix the registry.
	[ "$rc2" = 3 ] || [ "$rc3" = 3 ] ||
		fail "two versions in Production after the race but exits were $rc2/$rc3 (the conflict went unreported)"
	echo "note: REST race: MLflow left versions 2 and 3 in Production; exits $rc2/$rc3 (3 = conflict reported)"
	prod=
fi
if [ -n "$prod" ]; then
case $prod in 2 | 3) ;; *) fail "after the race Production is '$prod' (exits $rc2/$rc3)" ;; esac
loser=$((prod == 2 ? 3 : 2))
eval "rcw=\$rc$prod rcl=\$rc$loser"
[ "$rcw" = 0 ] || fail "the winner (version $prod) exited $rcw: $(cat "$E/race$prod.out")"
if [ "${PROMOTE_BACKEND:-sqlite}" = sqlite ]; then
	[ "$rcl" = 1 ] || fail "the loser (version $loser) exited $rcl, expected 1: $(cat "$E/race$loser.out")"
	grep -q "promote.target: .*held by version $prod" "$E/race$loser.out" || fail "loser does not name the winner: $(cat "$E/race$loser.out")"
else
	# REST: the loser sees the conflict before writing (1) or after (3). MLflow's
	# REST API has no conditional write, so when the two runs interleave exactly
	# (A writes and re-reads, then B writes) both succeed: the state is still one
	# Production version, and the CI templates serialise promotions per model.
	case $rcl in
	1 | 3) ;;
	0) echo "note: REST race window hit: both promotions succeeded; Production is $prod alone" ;;
	*) fail "the loser (version $loser) exited $rcl: $(cat "$E/race$loser.out")" ;;
	esac
fi
fi

# ------------------------------------------------------------------ alias flow
flow=aliases
seed $flow
E="$T_DIR/$flow"
for v in 1 2 3; do comply_ev $v "$T_DIR/open.json" "$E/comply-v$v.xml"; done
mlflow_do 'c.set_registered_model_alias(m, "challenger", "1")'
compare_ev "$E/cmp-v1-none.xml" 1 none

# 1. approval moves champion and removes challenger (the candidate is found through --from-alias)
run_promote 0 --to-alias champion --from-alias challenger --evidence "$E/comply-v1.xml" --evidence "$E/cmp-v1-none.xml"
[ "$(view alias champion)" = 1 ] || fail "champion not set"
[ "$(view alias challenger)" = - ] || fail "challenger not removed"
before=$(view)
run_promote 0 --version 1 --to-alias champion --from-alias challenger --evidence "$E/comply-v1.xml" --evidence "$E/cmp-v1-none.xml"
unchanged "$before" "re-running an alias promotion"
# a first run that stopped before removing challenger: the re-run finishes it
mlflow_do 'c.set_registered_model_alias(m, "challenger", "1")'
run_promote 0 --version 1 --to-alias champion --from-alias challenger --evidence "$E/comply-v1.xml" --evidence "$E/cmp-v1-none.xml"
assert_match "$ERR" "deleted alias challenger of model '$model' \(version 1, which already holds alias champion\)"
[ "$(view alias challenger)" = - ] || fail "the re-run left challenger on version 1"
[ "$(view alias champion)" = 1 ] || fail "the re-run moved champion"

# 2. compare-and-set on the alias: evidence made against "none" while champion is 1
mlflow_do 'c.set_registered_model_alias(m, "challenger", "2")'
compare_ev "$E/cmp-v2-none.xml" 2 none
before=$(view)
run_promote 1 --to-alias champion --from-alias challenger --evidence "$E/comply-v2.xml" --evidence "$E/cmp-v2-none.xml"
assert_match "$OUT" "promote.target: alias champion of model '$model' is held by version 1"
unchanged "$before" "an alias compare-and-set rejection"
# dry-run of the good one
compare_ev "$E/cmp-v2-1.xml" 2 1
run_promote 0 --to-alias champion --from-alias challenger --evidence "$E/comply-v2.xml" --evidence "$E/cmp-v2-1.xml" --dry-run
assert_match "$OUT" "^would set alias champion of model '$model' to version 2 \(was version 1\)$"
assert_match "$OUT" "^would delete alias challenger of model '$model' \(version 2\)$"
unchanged "$before" "an alias --dry-run"

# 3. rejection removes the candidate alias (on the evidence, or --reject)
compare_ev "$E/cmp-v2-failed.xml" 2 1 failed
run_promote 1 --to-alias champion --from-alias challenger --evidence "$E/comply-v2.xml" --evidence "$E/cmp-v2-failed.xml"
[ "$(view alias challenger)" = - ] || fail "rejection kept the challenger alias"
[ "$(view alias champion)" = 1 ] || fail "rejection moved champion"
[ "$(view tag 2 mlgate.promote.verdict)" = failed ] || fail "rejection not recorded"
mlflow_do 'c.set_registered_model_alias(m, "challenger", "3")'
run_promote 1 --to-alias champion --from-alias challenger --reject --reason "not this quarter"
[ "$(view alias challenger)" = - ] || fail "--reject kept the challenger alias"

# 4. two alias promotions at once against champion 1: the alias ends on exactly one of them
compare_ev "$E/cmp-v3-1.xml" 3 1
set +e
"$promote" --registry "$URI" --model "$model" --version 2 --to-alias champion --evidence "$E/comply-v2.xml" --evidence "$E/cmp-v2-1.xml" >"$E/race2.out" 2>&1 &
pid2=$!
"$promote" --registry "$URI" --model "$model" --version 3 --to-alias champion --evidence "$E/comply-v3.xml" --evidence "$E/cmp-v3-1.xml" >"$E/race3.out" 2>&1 &
pid3=$!
wait $pid2
rc2=$?
wait $pid3
rc3=$?
set -e
champ=$(view alias champion)
case $champ in 2 | 3) ;; *) fail "after the race champion is '$champ' (exits $rc2/$rc3)" ;; esac
loser=$((champ == 2 ? 3 : 2))
eval "rcw=\$rc$champ rcl=\$rc$loser"
[ "$rcw" = 0 ] || fail "the winner (version $champ) exited $rcw: $(cat "$E/race$champ.out")"
if [ "${PROMOTE_BACKEND:-sqlite}" = sqlite ]; then
	[ "$rcl" = 1 ] || fail "the loser (version $loser) exited $rcl, expected 1: $(cat "$E/race$loser.out")"
else
	case $rcl in
	1 | 3) ;;
	0) echo "note: REST race window hit: both moved the alias in turn; it ends on $champ" ;;
	*) fail "the loser (version $loser) exited $rcl: $(cat "$E/race$loser.out")" ;;
	esac
fi
echo "promote (${PROMOTE_BACKEND:-sqlite}): all scenarios passed"
