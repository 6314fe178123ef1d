#!/usr/bin/env bash
# Benchmark: the paired bootstrap of an ROC AUC difference, 1,000,000 rows x 10,000
# replicates on one core (and with -j 2), side by side with scipy.stats.bootstrap and a
# plain numpy loop on the same rows. The peers take ~0.5 s per replicate at this size,
# so they are timed at a small B and scaled linearly to 10,000 (printed as such).
#   MLGATE_BENCH_STATS_ROWS (default 1000000), MLGATE_BENCH_STATS_B (10000),
#   MLGATE_BENCH_STATS_PEER_B (replicates the peers run, default 10)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
sa="$MLGATE_BENCH_BIN/stats_auc"
py=$MLGATE_TEST_PYTHON
T=$MLGATE_TEST_TMP
n=${MLGATE_BENCH_STATS_ROWS:-1000000}
B=${MLGATE_BENCH_STATS_B:-10000}
pb=${MLGATE_BENCH_STATS_PEER_B:-10}

"$sa" gen "$n" "$T/sample.csv"
echo "== paired bootstrap of delta ROC AUC: $n rows, $B replicates (ties: scores to 6 decimals)"
m1=$("$sa" run "$T/sample.csv" "$B" 1)
echo "mlgate (C), 1 thread:  $m1"
m2=$("$sa" run "$T/sample.csv" "$B" 2)
echo "mlgate (C), -j 2:      $m2"
read -r st slo shi < <("$py" "$here/stats_peer.py" scipy "$T/sample.csv" "$pb")
read -r nt nlo nhi < <("$py" "$here/stats_peer.py" numpy "$T/sample.csv" "$pb")
ours=$(sed -E 's/.*bootstrap ([0-9.]+) s.*/\1/' <<<"$m1")
python3 - "$B" "$pb" "$st" "$nt" "$ours" "$slo" "$shi" "$nlo" "$nhi" <<'PY'
import sys
B, pb = int(sys.argv[1]), int(sys.argv[2])
st, nt, ours = float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
s_full, n_full = st * B / pb, nt * B / pb
print(f"scipy.stats.bootstrap (percentile): {st:.2f} s for {pb} replicates -> {s_full:.0f} s for {B} "
      f"(scaled linearly); interval of its {pb} replicates [{sys.argv[6]}, {sys.argv[7]}]")
print(f"numpy loop (integers + rankdata):   {nt:.2f} s for {pb} replicates -> {n_full:.0f} s for {B} "
      f"(scaled linearly)")
print(f"mlgate, one thread, vs scipy: {s_full / ours:.0f}x faster; vs the numpy loop: {n_full / ours:.0f}x")
PY
