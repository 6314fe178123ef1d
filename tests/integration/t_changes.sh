#!/usr/bin/env bash
# mlgate-changes on real git repositories made with the git command line:
# renames (both paths), deletions (the old path), a change touching two
# models, one touching none, the Azure target branch with and without
# refs/heads/ (resolved through origin/), the GitHub pull_request event with
# $GITHUB_OUTPUT, a shallow clone (fetch-depth advice, exit 2), and --all.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testlib.sh"
FIXTURES=$(cd "$here/../../fixtures" && pwd)
. "$FIXTURES/changes/mk.sh"
changes="$MLGATE_BIN/mlgate-changes"
py=$MLGATE_TEST_PYTHON
cd "$T_DIR"

# Run mlgate-changes outside any CI (the harness may itself run in one).
chg() { env -u GITHUB_ACTIONS -u TF_BUILD -u GITHUB_OUTPUT "$changes" "$@"; }
# The models of a --json document, comma-separated, and a model's files.
models_of() { "$py" -c 'import json,sys; print(",".join(m["model"] for m in json.load(open(sys.argv[1]))["models"]))' "$1"; }
files_of() { "$py" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(",".join(d["files"] if len(sys.argv) < 3 else [f for m in d["models"] if m["model"] == sys.argv[2] for f in m["files"]]))' "$@"; }

repo r
git_ -C r checkout -q main

# 1. a rename counts both paths: fraud's file moved under churn selects both
git_ -C r checkout -q -b rename main
git_ -C r mv models/fraud/train.py models/churn/fraud_train.py
commit_all r rename
expect_rc 0 chg --repo r --base main --json rename.json -q
assert_match "$OUT" '^\{"include":\[\{"model":"fraud-detector",.*\},\{"model":"churn"\}\]\}$'
[ "$(files_of rename.json)" = "models/churn/fraud_train.py,models/fraud/train.py" ] ||
	fail "rename: files $(files_of rename.json)"
[ "$(files_of rename.json fraud-detector)" = "models/fraud/train.py" ] || fail "rename: fraud files"
[ "$(files_of rename.json churn)" = "models/churn/fraud_train.py" ] || fail "rename: churn files"
"$py" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["base"]) == len(d["head"]) == len(d["merge_base"]) == 40, d' rename.json

# 2. a deletion counts the old path: only churn
git_ -C r checkout -q -b delete main
git_ -C r rm -q models/churn/train.py
commit_all r delete
expect_rc 0 chg --repo r --base main --json delete.json -q
[ "$(models_of delete.json)" = churn ] || fail "delete selected $(models_of delete.json)"
[ "$(files_of delete.json)" = models/churn/train.py ] || fail "delete: files $(files_of delete.json)"

# 3. a change touching two models (shared/features/*.py and shared/**), in config order
git_ -C r checkout -q feature
expect_rc 0 chg --repo r --base main --json two.json
[ "$(models_of two.json)" = fraud-detector,churn ] || fail "two models: $(models_of two.json)"
assert_match "$OUT" '^\{"include":\[\{"model":"fraud-detector","policy":"models/fraud/policy\.json","suite":"models/fraud/smoke\.json"\},\{"model":"churn"\}\]\}$'
assert_match "$ERR" '1 file changed between main .*2 of 2 models affected: fraud-detector,churn$'

# 4. a change touching none (docs), on top of main having moved on: only the branch's own change counts
git_ -C r checkout -q main
echo 'print("fraud v2")' >r/models/fraud/train.py
commit_all r "main moves on"
git_ -C r checkout -q -b docs feature~1
echo more >>r/docs/index.md
commit_all r docs
expect_rc 0 chg --repo r --base main --json none.json -q
assert_match "$OUT" '^\{"include":\[\]\}$'
[ "$(files_of none.json)" = docs/index.md ] || fail "none: files $(files_of none.json)"
[ "$(models_of none.json)" = "" ] || fail "none selected $(models_of none.json)"

# 5. Azure: the target branch with and without refs/heads/, found as origin/main in a clone
git_ clone -q -b feature "file://$T_DIR/r" az
[ -z "$(git_ -C az branch --list main)" ] || fail "the clone should have no local main"
for target in refs/heads/main main; do
	expect_rc 0 env -u GITHUB_ACTIONS TF_BUILD=True SYSTEM_PULLREQUEST_TARGETBRANCH=$target "$changes" --repo az
	assert_match "$OUT" '^\{"include":\[\{"model":"fraud-detector",.*\{"model":"churn"\}\]\}$'
	assert_match "$OUT" '^##vso\[task\.setvariable variable=matrix;isoutput=true\]\{"fraud_detector":\{"model":"fraud-detector","policy":"models/fraud/policy\.json","suite":"models/fraud/smoke\.json"\},"churn":\{"model":"churn"\}\}$'
	assert_match "$OUT" '^##vso\[task\.setvariable variable=count;isoutput=true\]2$'
	assert_match "$OUT" '^##vso\[task\.setvariable variable=any;isoutput=true\]true$'
	assert_match "$OUT" '^##vso\[task\.setvariable variable=models;isoutput=true\]fraud-detector,churn$'
done
# the PR's source commit is the head, whatever is checked out
git_ -C az checkout -q --detach origin/docs
expect_rc 0 env -u GITHUB_ACTIONS TF_BUILD=True SYSTEM_PULLREQUEST_TARGETBRANCH=refs/heads/main \
	SYSTEM_PULLREQUEST_SOURCECOMMITID="$(git_ -C r rev-parse rename)" "$changes" --repo az -q
assert_match "$OUT" '^##vso\[task\.setvariable variable=count;isoutput=true\]2$'
expect_rc 0 env -u GITHUB_ACTIONS TF_BUILD=True SYSTEM_PULLREQUEST_TARGETBRANCH=main "$changes" --repo az -q
assert_match "$OUT" '^##vso\[task\.setvariable variable=matrix;isoutput=true\]\{\}$'
assert_match "$OUT" '^##vso\[task\.setvariable variable=any;isoutput=true\]false$'

# 6. GitHub: the SHAs of the pull_request event win over GITHUB_BASE_REF; outputs appended
printf '{"action":"synchronize","pull_request":{"number":7,"base":{"ref":"main","sha":"%s"},"head":{"ref":"delete","sha":"%s"}}}\n' \
	"$(git_ -C r rev-parse main~1)" "$(git_ -C r rev-parse delete)" >event.json
echo "earlier=1" >gh-out.txt
expect_rc 0 env -u TF_BUILD GITHUB_ACTIONS=true GITHUB_EVENT_PATH="$T_DIR/event.json" \
	GITHUB_BASE_REF=no-such-branch GITHUB_OUTPUT="$T_DIR/gh-out.txt" "$changes" --repo r -q
assert_match "$OUT" '^\{"include":\[\{"model":"churn"\}\]\}$'
[ "$(wc -l <"$OUT")" = 1 ] || fail "stdout has more than the matrix"
assert_match gh-out.txt '^earlier=1$'
assert_match gh-out.txt '^matrix=\{"include":\[\{"model":"churn"\}\]\}$'
assert_match gh-out.txt '^models=churn$'
assert_match gh-out.txt '^count=1$'
assert_match gh-out.txt '^any=true$'
[ "$(wc -l <gh-out.txt)" = 5 ] || fail "GITHUB_OUTPUT: $(cat gh-out.txt)"
# GITHUB_BASE_REF alone (an event without SHAs), head HEAD
echo '{"pull_request":{"number":7}}' >event2.json
: >gh-out2.txt
git_ -C r checkout -q feature
expect_rc 0 env -u TF_BUILD GITHUB_ACTIONS=true GITHUB_EVENT_PATH="$T_DIR/event2.json" \
	GITHUB_BASE_REF=main GITHUB_OUTPUT="$T_DIR/gh-out2.txt" "$changes" --repo r -q
assert_match gh-out2.txt '^count=2$'
# no change at all: an empty matrix, any=false
: >gh-out3.txt
expect_rc 0 env -u TF_BUILD GITHUB_ACTIONS=true GITHUB_BASE_REF=feature \
	GITHUB_OUTPUT="$T_DIR/gh-out3.txt" "$changes" --repo r -q
assert_match gh-out3.txt '^matrix=\{"include":\[\]\}$'
assert_match gh-out3.txt '^count=0$'
assert_match gh-out3.txt '^any=false$'

# 7. a shallow clone without the merge base: exit 2 with the fetch-depth advice
git_ clone -q --depth 1 --no-single-branch -b docs "file://$T_DIR/r" shallow
[ -f shallow/.git/shallow ] || fail "the clone is not shallow"
expect_rc 2 chg --repo shallow --base main
assert_match "$ERR" "^mlgate-changes: no merge base between main and HEAD: the clone is shallow; fetch with fetch-depth: 0 \(actions/checkout\) or fetchDepth: 0 \(Azure checkout\)$"
[ ! -s "$OUT" ] || fail "stdout is not empty after an error"
# a single-branch shallow clone lacks the base branch itself
git_ clone -q --depth 1 -b docs "file://$T_DIR/r" shallow1
expect_rc 2 env -u GITHUB_ACTIONS TF_BUILD=True SYSTEM_PULLREQUEST_TARGETBRANCH=refs/heads/main "$changes" --repo shallow1
assert_match "$ERR" "^mlgate-changes: base branch 'main' is not in the repository: the clone is shallow; fetch with fetch-depth: 0"
# ... and the same clone fetched in full works
git_ -C shallow fetch -q --unshallow
expect_rc 0 chg --repo shallow --base main -q
assert_match "$OUT" '^\{"include":\[\]\}$'

# 8. --all: every model, no base needed, even in the shallow clone
expect_rc 0 chg --repo shallow1 --all --json all.json -q
[ "$(models_of all.json)" = fraud-detector,churn ] || fail "--all: $(models_of all.json)"
assert_match "$OUT" '^\{"include":\[\{"model":"fraud-detector",.*\},\{"model":"churn"\}\]\}$'

# 9. unrelated histories: exit 2 saying so
git_ -C r checkout -q --orphan lonely
commit_all r lonely
expect_rc 2 chg --repo r --base main
assert_match "$ERR" 'no merge base between main and HEAD: their histories are unrelated$'

echo "changes: all scenarios passed"
