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
read -r st sc slo shi < <("$py" "$here/stats_peer.py" scipy "$T/sample.csv" "$pb")
read -r nt nc nlo nhi < <("$py" "$here/stats_peer.py" numpy "$T/sample.csv" "$pb")
ours=$(sed -E 's/.*bootstrap ([0-9.]+) s.*/\1/' <<<"$m1")
ours_cpu=$(sed -E 's/.*CPU ([0-9.]+) s.*/\1/' <<<"$m1")
# CPU seconds are the fair single-core measure on a shared machine; wall time is printed too
python3 - "$B" "$pb" "$st" "$sc" "$nt" "$nc" "$ours" "$ours_cpu" "$slo" "$shi" <<'PY'
import sys
B, pb = int(sys.argv[1]), int(sys.argv[2])
st, sc, nt, nc, ours, oc = map(float, sys.argv[3:9])
k = B / pb
print(f"scipy.stats.bootstrap (percentile): {st:.2f} s wall, {sc:.2f} s CPU for {pb} replicates -> "
      f"{st * k:.0f} s wall, {sc * k:.0f} s CPU for {B} (scaled linearly); its {pb}-replicate "
      f"interval [{sys.argv[9]}, {sys.argv[10]}]")
print(f"numpy loop (integers + rankdata):   {nt:.2f} s wall, {nc:.2f} s CPU for {pb} replicates -> "
      f"{nt * k:.0f} s wall, {nc * k:.0f} s CPU for {B} (scaled linearly)")
print(f"mlgate, one thread: {ours:.1f} s wall, {oc:.1f} s CPU; faster than scipy {sc * k / oc:.0f}x "
      f"(CPU), {st * k / ours:.0f}x (wall); than the numpy loop {nc * k / oc:.0f}x (CPU)")
PY
