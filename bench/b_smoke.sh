#!/usr/bin/env bash
# Benchmark: mlgate-smoke validating a ~1 GB, 10-column CSV against 10 rules
# (bench/smoke_suite.json) in one streaming pass, side by side with pandas doing the
# same checks on the same file, in one run. MLGATE_SMOKE_BENCH_MB changes the size.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
py=$MLGATE_TEST_PYTHON
T=$MLGATE_TEST_TMP
mb=${MLGATE_SMOKE_BENCH_MB:-1024}
csv=$T/smoke-bench.csv

"$py" "$here/smoke_gen.py" "$csv" "$mb"
size=$(stat -c %s "$csv")
echo "== validate a $((size / 1000000)) MB, 10-column CSV against 10 rules (one core)"
cat "$csv" >/dev/null # same page-cache state for both readers
/usr/bin/time -f "%e %M" -o "$T/time" "$MLGATE_BIN/mlgate-smoke" --ci none -q \
	--suite "$here/smoke_suite.json" --sample "$csv" >/dev/null
read -r secs rss <"$T/time"
mbs=$(awk -v b="$size" -v s="$secs" 'BEGIN { printf "%.1f", b / s / 1e6 }')
printf '%-34s %s\n' "mlgate-smoke (C, libcsv):" "$mbs MB/s ($secs s), peak RSS $rss KiB"
peer=$("$py" "$here/smoke_pandas.py" "$csv")
printf '%-34s %s\n' "pandas $("$py" -c 'import pandas; print(pandas.__version__)') (chunks of 1M rows):" "$peer"
pmbs=${peer%% MB/s*}
echo "ratio: mlgate-smoke is $(awk -v a="$mbs" -v b="$pmbs" 'BEGIN { printf "%.1f", a / b }')x pandas"
rm -f "$csv"
