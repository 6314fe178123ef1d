#!/usr/bin/env bash
# Benchmark: mlgate-drift judging a ~1 GB current window against a saved reference profile
# (the nightly job), one streaming pass on one core, side by side with pandas + scipy computing
# the same statistics (bench/drift_pandas.py) and, when $MLGATE_EVIDENTLY_PYTHON names a
# Python with Evidently (0.7 needs pandas < 3: a venv of its own), Evidently's
# DataDriftPreset (bench/drift_evidently.py). The peers hold whole files in memory and are
# slow, so they read a smaller window (MLGATE_DRIFT_PEER_MB, default 200;
# MLGATE_DRIFT_EVIDENTLY_MB, default 50), which mlgate-drift reads too for a like-for-like
# line; MLGATE_DRIFT_BENCH_MB changes the big window's size. Same generator, different seeds
# for reference and window: every tool must find no drift. Each line gives the wall time and
# the CPU time (user + system) with the throughput of each: on a shared machine the CPU
# figure is the one that does not depend on what else runs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
py=$MLGATE_TEST_PYTHON
T=$MLGATE_TEST_TMP
mb=${MLGATE_DRIFT_BENCH_MB:-1024}
peer_mb=${MLGATE_DRIFT_PEER_MB:-200}
ev_mb=${MLGATE_DRIFT_EVIDENTLY_MB:-50}
pdver=$("$py" -c 'import pandas, scipy; print("pandas", pandas.__version__, "+ scipy", scipy.__version__)')

"$py" "$here/drift_gen.py" "$T/ref.csv" 20 1
"$MLGATE_BIN/mlgate-drift" --reference "$T/ref.csv" --save-profile "$T/profile.json" 2>/dev/null

# mlgate FILE: one run against the profile; prints the result line
mlgate() {
	local csv=$1 size secs user sys rss drifted
	size=$(stat -c %s "$csv")
	cat "$csv" >/dev/null # the same page-cache state for every reader
	/usr/bin/time -f "%e %U %S %M" -o "$T/time" "$MLGATE_BIN/mlgate-drift" --ci none -q \
		--profile "$T/profile.json" --current "$csv" --json "$T/d.json" || [ $? = 1 ]
	read -r secs user sys rss <"$T/time"
	drifted=$("$py" -c 'import json,sys; d=json.load(open(sys.argv[1]))["drift"]
print(sum(c["result"] == "drift" for c in d["columns"]), d["current_rows"])' "$T/d.json")
	awk -v b="$size" -v s="$secs" -v c="$(awk -v u="$user" -v y="$sys" 'BEGIN { print u + y }')" \
		-v r="$rss" -v d="${drifted% *}" -v n="${drifted#* }" 'BEGIN { printf "%.1f MB/s (%.2f s; CPU %.2f s: %.1f MB/s), peak RSS %d KiB, %d rows, %d drifted\n", b / s / 1e6, s, c, b / c / 1e6, r, n, d }'
}

"$py" "$here/drift_gen.py" "$T/cur.csv" "$mb" 2
echo "== a $(($(stat -c %s "$T/cur.csv") / 1000000)) MB window against a profile (one core)"
printf '%-36s %s\n' "mlgate-drift (C, streaming):" "$(mlgate "$T/cur.csv")"
rm -f "$T/cur.csv"

"$py" "$here/drift_gen.py" "$T/peer.csv" "$peer_mb" 2
echo "== a $(($(stat -c %s "$T/peer.csv") / 1000000)) MB window: mlgate-drift and $pdver"
printf '%-36s %s\n' "mlgate-drift (profile):" "$(mlgate "$T/peer.csv")"
peer=$("$py" "$here/drift_pandas.py" "$T/ref.csv" "$T/peer.csv")
printf '%-36s %s\n' "$pdver (reference CSV):" "$peer"
case $peer in *", 0 drifted") ;; *)
	echo "b_drift: pandas finds drift where there is none: $peer" >&2
	exit 1
	;;
esac
rm -f "$T/peer.csv"

if [ -n "${MLGATE_EVIDENTLY_PYTHON:-}" ]; then
	evver=$("$MLGATE_EVIDENTLY_PYTHON" -c 'import evidently; print(evidently.__version__)')
	"$py" "$here/drift_gen.py" "$T/ev.csv" "$ev_mb" 2
	echo "== a $(($(stat -c %s "$T/ev.csv") / 1000000)) MB window: mlgate-drift and Evidently $evver"
	printf '%-36s %s\n' "mlgate-drift (profile):" "$(mlgate "$T/ev.csv")"
	printf '%-36s %s\n' "Evidently $evver DataDriftPreset:" \
		"$("$MLGATE_EVIDENTLY_PYTHON" "$here/drift_evidently.py" "$T/ref.csv" "$T/ev.csv")"
	rm -f "$T/ev.csv"
else
	echo "(Evidently: set MLGATE_EVIDENTLY_PYTHON to a Python with evidently installed)"
fi
