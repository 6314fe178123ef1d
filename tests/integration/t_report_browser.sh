#!/usr/bin/env bash
# The HTML report as a person sees it: the pages of the demo's three versions
# (1 approved, 2 rejected at compliance, 3 rejected at compare; evidence from
# fixtures/html, history from the demo registry) and a hostile one, loaded in
# Debian's headless Chromium through selenium (html_browser.py): every check
# and metric with its verdict in the DOM, screenshots at 1280 and 390 px, no
# horizontal overflow, axe-core without serious or critical violations in light
# and dark mode, and hostile text that stays text (no script runs, no element
# is injected). Screenshots: $MLGATE_TEST_TMP/shots (MLGATE_TEST_KEEP=1).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testlib.sh"
repo_root=$(cd "$here/../.." && pwd)
fx=$repo_root/fixtures/html
for tool in /usr/bin/chromium /usr/bin/chromedriver; do
	[ -x "$tool" ] || fail "missing $tool (scripts/deps.sh test installs chromium and chromium-driver)"
done
axe=$("$here/axe_fetch.sh") || fail "could not fetch axe-core"

# the demo registry as the chain leaves it: version 1 in Production
sqlite3 "$T_DIR/mlflow.db" <"$repo_root/fixtures/demo/mlflow.sql"
sqlite3 "$T_DIR/mlflow.db" "UPDATE model_versions SET current_stage = 'Production' WHERE version = 1"
mkdir -p "$T_DIR/pages" "$T_DIR/shots"
page() { # NAME EVIDENCE...
	local name=$1
	shift
	expect_rc 0 env SOURCE_DATE_EPOCH=1700000000 "$MLGATE_BIN/mlgate-report" html \
		-o "$T_DIR/pages/$name.html" "$@" --registry "sqlite:///$T_DIR/mlflow.db" --model fraud-detector
}
page v1 "$fx/comply-v1.json" "$fx/compare-v1.json" "$fx/promote-v1-production.json"
page v2 "$fx/comply-v2.json" "$fx/comply-v2.xml" "$fx/promote-v2-staging.json"
page v3 "$fx/comply-v3.json" "$fx/compare-v3.json" "$fx/compare-v3.xml" "$fx/promote-v3-production.json"
page hostile "$fx/hostile.json" "$fx/smoke-fail.json"

cat >"$T_DIR/spec.json" <<JSON
[
 {"page": "$T_DIR/pages/v1.html", "overall": "passed",
  "decisions": ["$fx/comply-v1.json", "$fx/compare-v1.json", "$fx/promote-v1-production.json"]},
 {"page": "$T_DIR/pages/v2.html", "overall": "rejected",
  "decisions": ["$fx/comply-v2.json", "$fx/promote-v2-staging.json"]},
 {"page": "$T_DIR/pages/v3.html", "overall": "rejected",
  "decisions": ["$fx/comply-v3.json", "$fx/compare-v3.json", "$fx/promote-v3-production.json"]},
 {"page": "$T_DIR/pages/hostile.html", "overall": "rejected",
  "decisions": ["$fx/hostile.json", "$fx/smoke-fail.json"],
  "texts": ["fraud<script>alert(1)</script> version 7#x202E1", "</svg></table><script>",
            "What a human must do", "Data-contract violations"]}
]
JSON
run_cmd "$MLGATE_TEST_PYTHON" "$here/html_browser.py" "$axe" "$T_DIR/shots" "$T_DIR/spec.json"
cat "$OUT"
[ "$RC" = 0 ] || {
	cat "$ERR" >&2
	fail "the pages did not look right in Chromium"
}
[ "$(find "$T_DIR/shots" -name '*.png' | wc -l)" = 16 ] || fail "expected 16 screenshots"
