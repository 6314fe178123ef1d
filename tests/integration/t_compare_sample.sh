#!/usr/bin/env bash
# mlgate-compare on a pinned sample, against independent oracles: the versions come
# from a real MLflow registry (Staging vs Production, as without a sample), the
# numbers from generated samples, checked by compare_sample_oracle.py against
# scikit-learn (every metric), a DeLong written from the 1988 definition,
# statsmodels' exact McNemar and scipy.stats.bootstrap (paired, BCa, same B:
# endpoints within Monte-Carlo error; percentile on a 12,000-row sample, where
# mlgate's replicates are Poisson bootstrap ones). A 40-row sample is inconclusive (exit 4);
# mlgate-promote refuses compare evidence whose sample digest is not the pinned one.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testlib.sh"
py=$MLGATE_TEST_PYTHON
uri=$MLGATE_TEST_MLFLOW_URI
cd "$T_DIR"

"$py" "$here/compare_seed.py" "$uri" >seed.json 2>seed.err || { cat seed.err >&2; fail "seeding failed"; }
model=$(python3 -c 'import json; print(json.load(open("seed.json"))["model"])')
"$py" "$here/compare_sample_oracle.py" gen "$T_DIR" 20261205 || fail "cannot generate the samples"

for kind in cls reg large; do
	run_cmd "$MLGATE_BIN/mlgate-compare" --registry "$uri" --model "$model" --stage Staging \
		--policy "policy_$kind.json" --json "$kind.json" --junit "$kind.xml" -q --dry-run -j 2
	case $RC in 0 | 1 | 4) ;; *) cat "$ERR" >&2; fail "mlgate-compare ($kind) exited $RC" ;; esac
	junit_valid "$kind.xml"
	grep -q "name=\"mlgate.compare.sample.sha256\" value=\"$(sha256sum "$kind.csv" | cut -c1-64)\"" "$kind.xml" ||
		fail "the $kind evidence lacks the sample's digest"
	grep -q 'name="mlgate.champion.version" value="1"' "$kind.xml" || fail "production is not version 1"
	echo "$kind: exit $RC"
	"$py" "$here/compare_sample_oracle.py" check "$T_DIR" "$kind.json" "$kind" ||
		fail "mlgate-compare disagrees with the oracle ($kind)"
done

# one thread gives the same replicates as two: identical intervals, bit for bit
# (index draws on cls, Poisson counts on large)
for kind in cls large; do
	run_cmd "$MLGATE_BIN/mlgate-compare" --registry "$uri" --model "$model" --stage Staging \
		--policy "policy_$kind.json" --json "${kind}1.json" -q --dry-run -j 1
	python3 - "$kind.json" "${kind}1.json" <<'PY' || fail "-j 1 and -j 2 give different intervals ($kind)"
import json, sys
a, b = ([m["statistics"] for m in json.load(open(f))["compare"]["metrics"]] for f in sys.argv[1:])
sys.exit(0 if a == b else 1)
PY
done

# 40 rows: the interval contains -margin, a human decides
expect_rc 4 "$MLGATE_BIN/mlgate-compare" --registry "$uri" --model "$model" --stage Staging \
	--policy policy_small.json --dry-run --ci none
assert_match "$OUT" 'inconclusive: the interval contains -margin'
# promote: compare evidence on the clearly better fixture sample (recorded on the version),
# then a policy pinning another digest is refused (exit 1), the pinned one approves
fx=$(cd "$here/../../fixtures/compare-sample" && pwd)
cp "$fx/better.csv" "$fx/policy.json" .
expect_rc 0 "$MLGATE_BIN/mlgate-compare" --registry "$uri" --model "$model" --stage Staging \
	--policy policy.json --junit ev.xml --ci none -q
sed 's/"candidate": "score_cand"/&, "sha256": "'"$(sha256sum cls.csv | cut -c1-64)"'"/' policy.json >other.json
sed 's/"candidate": "score_cand"/&, "sha256": "'"$(sha256sum better.csv | cut -c1-64)"'"/' policy.json >pinned.json
expect_rc 1 "$MLGATE_BIN/mlgate-promote" --registry "$uri" --model "$model" --version 2 \
	--to-stage Production --evidence ev.xml --require compare --policy other.json --ci none --dry-run
assert_match "$OUT" 'not the pinned compare\.sample\.sha256'
expect_rc 0 "$MLGATE_BIN/mlgate-promote" --registry "$uri" --model "$model" --version 2 \
	--to-stage Production --evidence ev.xml --require compare --policy pinned.json --ci none --dry-run
echo "compare sample: metrics, DeLong, McNemar and bootstrap intervals agree with the oracles"
