#!/usr/bin/env bash
# `make demo`: the main job on the embedded default registry, MLflow's own
# SQLite store. No network, no Python:
#   1. demo/mlflow.db is loaded from fixtures/demo/mlflow.sql, a registry
#      made by real MLflow (scripts/demo-fixture.sh regenerates it), holding
#      model "fraud-detector" with a compliant version 1 and a non-compliant
#      version 2, each with its training run;
#   2. demo/repo is the model's git repository, rebuilt deterministically so
#      its commits are the ones the runs name;
#   3. mlgate-comply checks both versions against fixtures/demo/policy.json,
#      writing JUnit, JSON and Markdown under demo/out and recording its
#      verdicts on the versions.
# Exits 0 when the gate said what it should: version 1 passed, version 2 failed.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
bin=$(cd "${1:-$repo/bin}" && pwd)
cd "$repo"

rm -rf demo
mkdir -p demo/out
sqlite3 demo/mlflow.db <fixtures/demo/mlflow.sql
scripts/demo-repo.sh demo/repo >/dev/null

registry=sqlite:///demo/mlflow.db
echo "mlgate demo: compliance gate on model 'fraud-detector' in $registry"
echo
status=0
for v in 1 2; do
	echo "== mlgate-comply --model fraud-detector --version $v"
	set +e
	"$bin/mlgate-comply" --registry "$registry" --model fraud-detector --version "$v" \
		--policy fixtures/demo/policy.json --repo demo/repo --ci none \
		--junit "demo/out/comply-v$v.xml" --json "demo/out/comply-v$v.json" \
		--summary "demo/out/comply-v$v.md"
	rc=$?
	set -e
	echo "-> exit $rc ($([ $rc = 0 ] && echo passed || { [ $rc = 1 ] && echo 'failed: the gate said no'; } || echo error))"
	echo
	case $v:$rc in
	1:0 | 2:1) ;;
	*) status=1 ;;
	esac
done

echo "Verdicts recorded on the versions (as stored in MLflow's database):"
sqlite3 -separator '  ' demo/mlflow.db \
	"SELECT 'version ' || version, key || '=' || value FROM model_version_tags
	 WHERE name = 'fraud-detector' AND key LIKE 'mlgate.comply.%' ORDER BY version, key"
echo
echo "Evidence written:"
for f in demo/out/*; do echo "  $f"; done
echo
if [ "$status" = 0 ]; then
	echo "mlgate demo: as expected, version 1 passed and version 2 was rejected."
else
	echo "mlgate demo: UNEXPECTED results (version 1 should pass, version 2 should fail)." >&2
fi
exit "$status"
