#!/usr/bin/env bash
# mlgate-report html on the demo's promotion chain against the harness's real
# MLflow server (REST backend): the demo's model under a unique name, its three
# versions through comply -> promote -> compare -> promote with --json evidence,
# then one page per version (1 approved, 2 rejected at compliance, 3 rejected at
# compare) with the history read from the server, each checked from the outside
# (html_check.py: verdicts, every check and metric, history, no script, < 200 KB).
# The pages are left in $MLGATE_TEST_TMP/pages for t_report_browser.sh's kind of
# eyes (MLGATE_TEST_KEEP=1).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testlib.sh"
repo_root=$(cd "$here/../.." && pwd)
URI=$MLGATE_TEST_MLFLOW_URI
B=$MLGATE_BIN
model="fraud-detector-$$-$RANDOM"
out=$T_DIR/out
pages=$T_DIR/pages
mkdir -p "$out" "$pages"

ids=$("$repo_root/scripts/demo-repo.sh" "$T_DIR/repo")
main=${ids#main=}
main=${main%% *}
side=${ids##*side=}
"$MLGATE_TEST_PYTHON" "$here/html_seed.py" "$URI" "$model" "$main" "$side" 2>"$T_DIR/seed.err" ||
	{
		cat "$T_DIR/seed.err" >&2
		fail "seeding failed"
	}
# the demo's policy; the model card stays at the demo's path whatever the model is called
sed "s#models/{model}/MODEL_CARD.md#models/fraud-detector/MODEL_CARD.md#" \
	"$repo_root/fixtures/demo/policy.json" >"$T_DIR/policy.json"
common=(--registry "$URI" --model "$model" --policy "$T_DIR/policy.json" --ci none -q)

gate() { # EXPECTED NAME PROGRAM ARGS...
	local want=$1 name=$2 prog=$3
	shift 3
	expect_rc "$want" "$B/$prog" "${common[@]}" "$@" --junit "$out/$name.xml" --json "$out/$name.json"
}
gate 0 comply-v1 mlgate-comply --version 1 --repo "$T_DIR/repo"
gate 1 comply-v2 mlgate-comply --version 2 --repo "$T_DIR/repo"
gate 1 promote-v2 mlgate-promote --version 2 --to-stage Staging --evidence "$out/comply-v2.xml"
gate 0 promote-v1-staging mlgate-promote --version 1 --to-stage Staging --evidence "$out/comply-v1.xml"
gate 0 compare-v1 mlgate-compare --stage Staging --baseline-stage Production
gate 0 promote-v1 mlgate-promote --version 1 --to-stage Production \
	--evidence "$out/comply-v1.xml" --evidence "$out/compare-v1.xml"
gate 0 comply-v3 mlgate-comply --version 3 --repo "$T_DIR/repo"
gate 0 promote-v3-staging mlgate-promote --version 3 --to-stage Staging --evidence "$out/comply-v3.xml"
gate 1 compare-v3 mlgate-compare --stage Staging --baseline-stage Production
gate 1 promote-v3 mlgate-promote --version 3 --to-stage Production \
	--evidence "$out/comply-v3.xml" --evidence "$out/compare-v3.xml"

page() { # VERSION OVERALL DECISION...
	local v=$1 overall=$2
	shift 2
	local files=()
	for d in "$@"; do files+=("$out/$d.json"); done
	# JUnit of the same runs too: shown once
	expect_rc 0 env SOURCE_DATE_EPOCH=1700000000 "$B/mlgate-report" html -o "$pages/v$v.html" \
		"${files[@]}" "$out/$1.xml" --registry "$URI" --model "$model"
	"$MLGATE_TEST_PYTHON" "$here/html_check.py" "$pages/v$v.html" "$overall" "${files[@]}" \
		--history 3 || fail "page of version $v"
}
page 1 passed comply-v1 promote-v1-staging compare-v1 promote-v1
page 2 rejected comply-v2 promote-v2
page 3 rejected comply-v3 promote-v3-staging compare-v3 promote-v3

# deterministic: the same evidence and registry give the same bytes
cp "$pages/v3.html" "$T_DIR/v3.first.html"
page 3 rejected comply-v3 promote-v3-staging compare-v3 promote-v3
cmp -s "$pages/v3.html" "$T_DIR/v3.first.html" || fail "two renderings of version 3 differ"
# what the reviewer of version 3 reads: the regression against version 1, drawn
assert_match "$pages/v3.html" 'candidate 0\.902 \(-0\.032\): failed'
assert_match "$pages/v3.html" 'production 0\.934'
assert_match "$pages/v2.html" 'commit [0-9a-f]{12} is not reachable from main'
echo "t_report_html: 3 pages, $(wc -c <"$pages/v3.html") bytes for version 3"
