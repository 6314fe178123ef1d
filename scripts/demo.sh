#!/usr/bin/env bash
# `make demo`: the whole promotion chain on the embedded default registry,
# MLflow's own SQLite store. No network, no Python:
#   - demo/mlflow.db is loaded from fixtures/demo/mlflow.sql, a registry made
#     by real MLflow (scripts/demo-fixture.sh regenerates it): model
#     "fraud-detector", version 1 good, version 2 non-compliant, version 3
#     compliant but worse than version 1, each with its training run;
#   - demo/repo is the model's git repository, rebuilt deterministically so
#     its commits are the ones the runs name;
#   - the gates run as a pipeline would run them, with fixtures/demo/policy.json:
#     comply -> promote to Staging -> compare with Production -> promote to
#     Production, for version 1 (the first deployment) and then version 3.
# Every gate writes JUnit, JSON and Markdown under demo/out and records its
# decision on the version. Exits 0 when every gate said what it should.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
bin=$(cd "${1:-$repo/bin}" && pwd)
cd "$repo"
# the executables as a command typed at the repository root: bin/mlgate-X when they are in it
case $bin in
"$repo"/*) shown=${bin#"$repo"/} ;;
*) shown=$bin ;;
esac

registry=sqlite:///demo/mlflow.db
common=(--registry "$registry" --model fraud-detector --policy fixtures/demo/policy.json --ci none)
status=0
n=0

# show WORD...: print a command line exactly as it runs, quoted for a shell, so it can be copied
# and pasted from the repository root
show() {
	local line
	printf -v line '%q ' "$@"
	echo "   \$ ${line% }"
}

# step SHELL: print and run one line of the setup (redirections included)
step() {
	echo "   \$ $1"
	eval "$1"
}

# gate EXPECTED-EXIT NAME STORY ARGS...: run one gate, show its checks and what it decided
gate() {
	local want=$1 name=$2 story=$3 rc
	shift 3
	local argv=("$shown/mlgate-${name%%-*}" "${common[@]}" "$@" --junit "demo/out/$name.xml"
		--json "demo/out/$name.json" --summary "demo/out/$name.md")
	n=$((n + 1))
	echo
	echo "== $n. $story"
	show "${argv[@]}"
	set +e
	"${argv[@]}" 2>&1 | sed 's/^/   | /'
	rc=${PIPESTATUS[0]}
	set -e
	case $rc in
	0) echo "   -> exit 0: passed / approved" ;;
	1) echo "   -> exit 1: the gate said no" ;;
	4) echo "   -> exit 4: needs a human" ;;
	*) echo "   -> exit $rc: error" ;;
	esac
	[ "$rc" = "$want" ] || {
		echo "   !! expected exit $want" >&2
		status=1
	}
}

echo "mlgate demo: the promotion chain for model 'fraud-detector' in $registry"
echo "(each \$ line is the command as it runs: paste them, in order, at the repository root to do it again)"
echo
echo "== 0. the registry (MLflow's own SQLite store) and the model's git repository, from scratch"
step 'rm -rf demo && mkdir -p demo/out'
step 'sqlite3 demo/mlflow.db <fixtures/demo/mlflow.sql'
step 'scripts/demo-repo.sh demo/repo >/dev/null'

gate 0 comply-v1 "version 1: compliance (tags, description, model card at its commit, lineage)" \
	--version 1 --repo demo/repo
gate 1 comply-v2 "version 2: compliance (trained on an unmerged branch, sloppy metadata)" \
	--version 2 --repo demo/repo
gate 1 promote-v2-staging "version 2 to Staging: rejected on its compliance evidence, and archived" \
	--version 2 --to-stage Staging --evidence demo/out/comply-v2.xml
gate 0 promote-v1-staging "version 1 to Staging on its compliance evidence" \
	--version 1 --to-stage Staging --evidence demo/out/comply-v1.xml
gate 0 compare-v1 "version 1 (Staging) against Production: none yet, so only absolute thresholds count" \
	--stage Staging --baseline-stage Production
gate 0 promote-v1-production "version 1 to Production on compliance and comparison evidence" \
	--version 1 --to-stage Production --evidence demo/out/comply-v1.xml --evidence demo/out/compare-v1.xml
gate 0 comply-v3 "version 3: compliance" --version 3 --repo demo/repo
gate 0 promote-v3-staging "version 3 to Staging" \
	--version 3 --to-stage Staging --evidence demo/out/comply-v3.xml
gate 1 compare-v3 "version 3 (Staging) against version 1 (Production)" \
	--stage Staging --baseline-stage Production
gate 1 promote-v3-production "version 3 to Production: rejected on its comparison, and archived" \
	--version 3 --to-stage Production --evidence demo/out/comply-v3.xml \
	--evidence demo/out/compare-v3.xml

n=$((n + 1))
echo
echo "== $n. the reviewer's page per version: verdicts, charts, each metric over the model's versions"
for v in 1 2 3; do
	argv=("$shown/mlgate-report" html -o "demo/out/report-v$v.html" --registry "$registry"
		--model fraud-detector demo/out/*-v"$v".json demo/out/*-v"$v"-*.json)
	show "${argv[@]}"
	"${argv[@]}" 2>&1 | sed 's/^/   | /'
	rc=${PIPESTATUS[0]}
	[ "$rc" = 0 ] || {
		echo "   !! expected exit 0, got $rc" >&2
		status=1
	}
done
echo
echo "== The registry afterwards (MLflow's own tables):"
sqlite3 -column -header demo/mlflow.db \
	"SELECT v.version, v.current_stage AS stage,
	        COALESCE((SELECT value FROM model_version_tags t WHERE t.name = v.name AND t.version = v.version AND t.key = 'mlgate.comply.verdict'), '-') AS comply,
	        COALESCE((SELECT value FROM model_version_tags t WHERE t.name = v.name AND t.version = v.version AND t.key = 'mlgate.compare.verdict'), '-') AS compare,
	        COALESCE((SELECT value FROM model_version_tags t WHERE t.name = v.name AND t.version = v.version AND t.key = 'mlgate.promote.verdict'), '-') AS promote
	 FROM model_versions v WHERE v.name = 'fraud-detector' ORDER BY v.version" | sed 's/^/   /'
echo
echo "Evidence (JUnit, JSON decision, Markdown summary per gate run) is in demo/out/; open"
echo "demo/out/report-v1.html (approved), -v2 (stopped at compliance), -v3 (rejected on comparison)."
if [ "$status" = 0 ]; then
	echo "mlgate demo: every gate decided as expected: version 1 is in Production, version 2 was"
	echo "stopped at compliance, version 3 was rejected on its comparison and archived."
else
	echo "mlgate demo: UNEXPECTED results (see the !! lines above)." >&2
fi
exit "$status"
