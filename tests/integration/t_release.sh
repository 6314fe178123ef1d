#!/usr/bin/env bash
# mlgate-release on a real git repository with real evidence: comply
# evidence from mlgate-comply against MLflow's SQLite store (seeded by
# MLflow's own client, comply_seed.py), smoke evidence from mlgate-smoke.
# On main and not, pattern mismatch, evidence for another commit, failed,
# missing and unparsable evidence, the GitHub and Azure environments, a
# shallow clone; every JUnit file validated against docs/junit.xsd.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testlib.sh"
repo_root=$(cd "$here/../.." && pwd)
release="$MLGATE_BIN/mlgate-release"
py=$MLGATE_TEST_PYTHON
cd "$T_DIR"

prop() { "$py" -c 'import sys, xml.etree.ElementTree as E
for p in E.parse(sys.argv[1]).iter("property"):
    if p.get("name") == sys.argv[2]: print(p.get("value"))' "$1" "$2"; }
git_() { git -c user.name=mlgate -c user.email=mlgate@example.com -c commit.gpgsign=false "$@"; }
rel() { env -u GITHUB_ACTIONS -u TF_BUILD -u GITHUB_OUTPUT "$release" --repo repo --registry "sqlite:///$T_DIR/registry.db" "$@"; }

# the repository (c1, c2 on main; s1 on side) and the registry
"$py" "$here/comply_seed.py" --tracking-uri "sqlite:///$T_DIR/registry.db" --repo "$T_DIR/repo" \
	2>seed.err >seed.json || { cat seed.err >&2; fail "seeding failed"; }
j() { "$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' seed.json "$1"; }
model=$(j model) c1=$(j c1) c2=$(j c2) s1=$(j s1)
v2=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["versions"][1])' seed.json)

# real evidence: comply for version 1 (trained at c1, passes) and 2 (at s1, fails)
comply() { env -u GITHUB_ACTIONS -u TF_BUILD "$MLGATE_BIN/mlgate-comply" --ci none -q --dry-run \
	--registry "sqlite:///$T_DIR/registry.db" --repo repo --policy "$repo_root/fixtures/policies/comply.json" \
	--model "$model" "$@"; }
expect_rc 0 comply --version 1 --junit comply-c1.xml
[ "$(prop comply-c1.xml mlgate.git.commit)" = "$c1" ] || fail "comply evidence is not for c1"
expect_rc 1 comply --version "$v2" --junit comply-s1.xml
[ "$(prop comply-s1.xml mlgate.git.commit)" = "$s1" ] || fail "comply evidence is not for s1"
# smoke: a command case needs no registry
printf '{"version": 1, "smoke": {"cases": [{"name": "ok", "kind": "command", "run": ["true"]}]}}\n' >ok.json
printf '{"version": 1, "smoke": {"cases": [{"name": "no", "kind": "command", "run": ["false"]}]}}\n' >no.json
smoke() { env -u GITHUB_ACTIONS -u TF_BUILD "$MLGATE_BIN/mlgate-smoke" --ci none -q "$@"; }
expect_rc 0 smoke --suite ok.json --commit "$c1" --junit smoke-c1.xml
expect_rc 0 smoke --suite ok.json --commit "$c2" --junit smoke-c2.xml
expect_rc 1 smoke --suite no.json --commit "$c1" --junit smoke-c1-failed.xml
expect_rc 0 smoke --suite ok.json --junit smoke-nocommit.xml

# 1. the cut passes: branch name, c1 on main, both gates passed for c1
git_ -C repo branch release/1.0 "$c1"
expect_rc 0 rel --commit release/1.0 --branch release/1.0 --evidence comply-c1.xml \
	--evidence smoke-c1.xml --require smoke,comply --junit r1.xml --json r1.json --summary r1.md
junit_valid r1.xml
assert_match "$OUT" "^passed: release: release\.branch\.pattern: branch 'release/1\.0' matches 'release/\*'$"
assert_match "$OUT" "^passed: release: release\.commit\.on_main: commit ${c1:0:12} is on main"
# (a --dry-run wrote nothing on the version: nothing to cross-check, and the message says so)
assert_match "$OUT" "^passed: release: release\.evidence\.comply: comply passed for commit ${c1:0:12} \('comply-c1\.xml': not cross-checked: a --dry-run, nothing was written back, and model '$model' version 1 has no mlgate\.comply\.verdict tag\)$"
assert_match "$OUT" "^passed: release: release\.evidence\.smoke: smoke passed for commit ${c1:0:12} \('smoke-c1\.xml'\)$"
[ "$(prop r1.xml mlgate.gate)" = release ] || fail "mlgate.gate"
[ "$(prop r1.xml mlgate.verdict)" = passed ] || fail "mlgate.verdict"
[ "$(prop r1.xml mlgate.git.commit)" = "$c1" ] || fail "mlgate.git.commit"
[ "$(prop r1.xml mlgate.release.branch)" = release/1.0 ] || fail "mlgate.release.branch"
"$py" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["gate"] == "release" and d["verdict"] == "passed" and d["commit"] == sys.argv[2], d' r1.json "$c1"
assert_match r1.md 'release\.evidence\.smoke'
# the release evidence is itself readable evidence (a later gate can consume it)
expect_rc 0 "$MLGATE_BIN/mlgate-report" summary r1.xml --ci none
# without --require: the gates of the evidence given
expect_rc 0 rel --commit "$c1" --branch release/1.0 --evidence smoke-c1.xml --ci none
assert_no_match "$OUT" 'release\.evidence\.comply'

# 2. not on main: the side commit (its comply evidence failed too)
expect_rc 1 rel --commit "$s1" --branch release/side --evidence comply-s1.xml --ci none --junit r2.xml
junit_valid r2.xml
assert_match "$OUT" "^failed: release: release\.commit\.on_main: commit ${s1:0:12} is not reachable from main \(${c2:0:12}\): cut releases from the main line$"
assert_match "$OUT" "^failed: release: release\.evidence\.comply: comply evidence for commit ${s1:0:12} did not pass: 'comply-s1\.xml': verdict failed$"

# 3. the branch name does not match the pattern (also with --pattern and **)
expect_rc 1 rel --commit "$c1" --branch hotfix/1 --evidence smoke-c1.xml --ci none
assert_match "$OUT" "^failed: release: release\.branch\.pattern: branch 'hotfix/1' does not match the release branch pattern 'release/\*'$"
expect_rc 1 rel --commit "$c1" --branch release/1/rc --evidence smoke-c1.xml --ci none
expect_rc 0 rel --commit "$c1" --branch release/1/rc --pattern 'release/**' --evidence smoke-c1.xml --ci none

# 4. evidence for another commit, and evidence without a commit, do not count
expect_rc 1 rel --commit "$c2" --branch release/2 --evidence smoke-c1.xml --evidence smoke-nocommit.xml --require smoke --ci none --junit r4.xml
junit_valid r4.xml
assert_match "$OUT" "^failed: release: release\.evidence\.smoke: no smoke evidence for commit ${c2:0:12}: 'smoke-c1\.xml': for commit $c1; 'smoke-nocommit\.xml': no mlgate\.git\.commit property$"
assert_match "$OUT" "^passed: release: release\.commit\.on_main"
# an abbreviated --commit still needs evidence for the full id
expect_rc 0 rel --commit "${c2:0:8}" --branch release/2 --evidence smoke-c2.xml --ci none

# 5. failed evidence for the commit fails the cut, even next to passing evidence
expect_rc 1 rel --commit "$c1" --branch release/1.0 --evidence smoke-c1.xml --evidence smoke-c1-failed.xml --ci none
assert_match "$OUT" "^failed: release: release\.evidence\.smoke: smoke evidence for commit ${c1:0:12} did not pass: 'smoke-c1-failed\.xml': verdict failed$"

# 6. missing evidence: a required gate with no file
expect_rc 1 rel --commit "$c1" --branch release/1.0 --evidence smoke-c1.xml --require smoke,comply --ci none
assert_match "$OUT" "^failed: release: release\.evidence\.comply: no comply evidence among the 1 --evidence file"

# 7. unparsable evidence: an error, exit 2, JUnit still written and valid
printf '<testsuites><testsuite name="x">' >broken.xml
expect_rc 2 rel --commit "$c1" --branch release/1.0 --evidence smoke-c1.xml --evidence broken.xml --require smoke,comply --ci none --junit r7.xml
junit_valid r7.xml
assert_match "$OUT" "^error: release: release\.evidence\.files: unusable evidence: 'broken\.xml'"
assert_match "$OUT" "^error: release: release\.evidence\.comply: no comply evidence among the readable --evidence files, and 1 could not be read"
assert_match "$ERR" "^mlgate-release: release\.evidence\.files: unusable evidence: 'broken\.xml'"
[ "$(prop r7.xml mlgate.verdict)" = error ] || fail "verdict of unparsable evidence"
# a file that does not exist is unusable too
expect_rc 2 rel --commit "$c1" --branch release/1.0 --evidence smoke-c1.xml --evidence nope.xml --require smoke,comply --ci none
assert_match "$OUT" "unusable evidence: .*nope\.xml"

# 8. GitHub: branch from GITHUB_REF_NAME, outputs in $GITHUB_OUTPUT, an annotation for a failure
git_ -C repo checkout -q release/1.0
: >gh-out.txt
expect_rc 0 env -u TF_BUILD GITHUB_ACTIONS=true GITHUB_REF_NAME=release/1.0 GITHUB_OUTPUT="$T_DIR/gh-out.txt" \
	GITHUB_STEP_SUMMARY="$T_DIR/gh-sum.md" "$release" --repo repo --registry "sqlite:///$T_DIR/registry.db" --evidence smoke-c1.xml --evidence comply-c1.xml
assert_match gh-out.txt '^verdict=passed$'
assert_match gh-sum.md 'release\.evidence\.smoke'
expect_rc 1 env -u TF_BUILD GITHUB_ACTIONS=true GITHUB_REF_NAME=feature/x GITHUB_OUTPUT="$T_DIR/gh-out.txt" \
	GITHUB_STEP_SUMMARY="$T_DIR/gh-sum.md" "$release" --repo repo --evidence smoke-c1.xml
assert_match "$OUT" '^::error.*release\.branch\.pattern'
assert_match gh-out.txt '^verdict=failed$'

# 9. Azure: BUILD_SOURCEBRANCH with refs/heads/, config defaults from mlgate.json
printf '{"version": 1, "models": [{"name": "%s", "paths": ["models/**"]}], "release": {"main": "main", "branch_pattern": "rel-*", "require": ["smoke", "comply"]}}\n' "$model" >repo/mlgate.json
expect_rc 1 env -u GITHUB_ACTIONS TF_BUILD=True BUILD_SOURCEBRANCH=refs/heads/release/1.0 "$release" --repo repo --registry "sqlite:///$T_DIR/registry.db" --evidence smoke-c1.xml --evidence comply-c1.xml
assert_match "$OUT" "does not match the release branch pattern 'rel-\*'"
assert_match "$OUT" '^##vso\[task\.setvariable variable=verdict;isoutput=true\]failed$'
expect_rc 1 env -u GITHUB_ACTIONS TF_BUILD=True BUILD_SOURCEBRANCH=refs/heads/rel-1 "$release" --repo repo --evidence smoke-c1.xml
assert_match "$OUT" 'release\.evidence\.comply: no comply evidence'
expect_rc 0 env -u GITHUB_ACTIONS TF_BUILD=True BUILD_SOURCEBRANCH=refs/heads/rel-1 "$release" --repo repo --registry "sqlite:///$T_DIR/registry.db" --evidence smoke-c1.xml --evidence comply-c1.xml
rm repo/mlgate.json

# 10. a shallow clone cannot prove the commit is on main: an error naming the fix, exit 2
git_ -C repo checkout -q main
for i in 1 2; do echo "$i" >>repo/more.txt; git_ -C repo add -A; git_ -C repo commit -q -m "more $i"; done
git_ clone -q --depth 1 --no-single-branch -b release/1.0 "file://$T_DIR/repo" shallow
expect_rc 2 env -u GITHUB_ACTIONS -u TF_BUILD "$release" --repo shallow --evidence smoke-c1.xml --ci none --junit r10.xml
junit_valid r10.xml
assert_match "$OUT" "^error: release: release\.commit\.on_main: .*the clone is shallow; fetch with fetch-depth: 0"
git_ -C shallow fetch -q --unshallow
expect_rc 0 env -u GITHUB_ACTIONS -u TF_BUILD "$release" --repo shallow --evidence smoke-c1.xml --ci none

# 11. forged evidence (issue 12 item 11): comply fails version 1 for real and writes that back
# (on a copy of the registry); its JUnit edited to "passed" is rejected, naming both values
cp registry.db forged.db
printf '{"version": 1, "compliance": {"version_tags": {"no_such_tag": {}}, "lineage": {"require_git_commit": true}}}\n' >strict.json
expect_rc 1 env -u GITHUB_ACTIONS -u TF_BUILD "$MLGATE_BIN/mlgate-comply" --ci none -q \
	--registry "sqlite:///$T_DIR/forged.db" --repo repo --policy strict.json --model "$model" --version 1 --junit failed-c1.xml
[ "$(prop failed-c1.xml mlgate.git.commit)" = "$c1" ] || fail "the failed comply evidence is not for c1"
[ "$(prop failed-c1.xml mlgate.writeback)" = written ] || fail "mlgate.writeback of a real run"
sed -e 's/name="mlgate.verdict" value="failed"/name="mlgate.verdict" value="passed"/' \
	-e 's/failures="[0-9]*"/failures="0"/g' -e '/<failure /d' failed-c1.xml >forged-c1.xml
expect_rc 1 env -u GITHUB_ACTIONS -u TF_BUILD "$release" --repo repo --registry "sqlite:///$T_DIR/forged.db" \
	--commit "$c1" --branch release/1.0 --evidence smoke-c1.xml --evidence forged-c1.xml --ci none --junit r11.xml
junit_valid r11.xml
assert_match "$OUT" "^failed: release: release\.evidence\.comply: comply evidence for commit ${c1:0:12} did not pass: 'forged-c1\.xml': mlgate\.verdict is 'passed', but model '$model' version 1 records mlgate\.comply\.verdict=failed$"
# signed evidence: with the key, unsigned files are refused; signed ones pass; the key is never printed
key=evidence-key-0123456789abcdef-t_release
expect_rc 1 env -u GITHUB_ACTIONS -u TF_BUILD MLGATE_EVIDENCE_KEY=$key "$release" --repo repo --commit "$c1" \
	--branch release/1.0 --evidence smoke-c1.xml --ci none
assert_match "$OUT" "'smoke-c1\.xml': no mlgate\.evidence\.hmac property"
expect_rc 0 env -u GITHUB_ACTIONS -u TF_BUILD MLGATE_EVIDENCE_KEY=$key "$MLGATE_BIN/mlgate-smoke" --ci none -q \
	--suite ok.json --commit "$c1" --junit smoke-signed.xml
expect_rc 0 env -u GITHUB_ACTIONS -u TF_BUILD MLGATE_EVIDENCE_KEY=$key "$release" --repo repo --commit "$c1" \
	--branch release/1.0 --evidence smoke-signed.xml --ci none --junit r12.xml
junit_valid r12.xml
! grep -rq -- "$key" ./*.xml ./*.json "$OUT" "$ERR" || fail "the evidence key was written somewhere"

echo "release: all scenarios passed"
