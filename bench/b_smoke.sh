#!/usr/bin/env bash
# Benchmark: mlgate-smoke validating a ~1 GB, 10-column CSV against 10 rules
# (bench/smoke_suite.json) in one streaming pass, side by side with pandas doing the
# same checks on the same file, in one run; then the same with a unique key on top
# (bench/smoke_suite_unique.json: "unique": ["id"], every id distinct), which mlgate
# checks by an external sort in bounded memory (temporary runs in $TMPDIR) and pandas
# by df.duplicated over every chunk's ids held in memory. MLGATE_SMOKE_BENCH_MB
# changes the size. With MLGATE_BENCH_BIN (make bench), the CSV reader alone is timed
# too (bench/smoke_tokenize.c: tokenising, bounds and UTF-8 checks, no rules).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
py=$MLGATE_TEST_PYTHON
T=$MLGATE_TEST_TMP
mb=${MLGATE_SMOKE_BENCH_MB:-1024}
csv=$T/smoke-bench.csv
pdver=$("$py" -c 'import pandas; print(pandas.__version__)')

"$py" "$here/smoke_gen.py" "$csv" "$mb"
size=$(stat -c %s "$csv")

# measure TITLE SUITE [PANDAS-ARGS...]: mlgate-smoke, then pandas, on the same file
measure() {
	local title=$1 suite=$2 secs rss mbs rows peer pmbs
	shift 2
	echo "== $title (one core)"
	cat "$csv" >/dev/null # same page-cache state for both readers
	/usr/bin/time -f "%e %M" -o "$T/time" "$MLGATE_BIN/mlgate-smoke" --ci none \
		--suite "$here/$suite" --sample "$csv" >"$T/smoke.out"
	read -r secs rss <"$T/time"
	mbs=$(awk -v b="$size" -v s="$secs" 'BEGIN { printf "%.1f", b / s / 1e6 }')
	rows=$(sed -n 's/.* \([0-9]*\) rows checked$/\1/p' "$T/smoke.out")
	printf '%-40s %s\n' "mlgate-smoke (C, hand-written CSV):" \
		"$mbs MB/s ($secs s), peak RSS $rss KiB, $rows rows, 0 violations"
	peer=$("$py" "$here/smoke_pandas.py" "$csv" "$@")
	printf '%-40s %s\n' "pandas $pdver (chunks of 1M rows):" "$peer"
	# the same file must give the same verdict to both, or the comparison means nothing
	case $peer in *" $rows rows, 0 violations") ;; *)
		echo "b_smoke: pandas disagrees with mlgate-smoke ($rows rows, 0 violations): $peer" >&2
		exit 1
		;;
	esac
	pmbs=${peer%% MB/s*}
	echo "ratio: mlgate-smoke is $(awk -v a="$mbs" -v b="$pmbs" 'BEGIN { printf "%.1f", a / b }')x pandas"
}

measure "validate a $((size / 1000000)) MB, 10-column CSV against 10 rules" smoke_suite.json
measure "the same 10 rules and \"unique\": [\"id\"]" smoke_suite_unique.json --unique id
# 24 bytes a row (128-bit fingerprint, row number), written once, read back once or more
rows=$(sed -n 's/.* \([0-9]*\) rows checked$/\1/p' "$T/smoke.out")
echo "unique: temporary disk in \$TMPDIR for $rows rows: $((rows * 24 / 1000000)) MB (unlinked)"
if [ -x "${MLGATE_BENCH_BIN:-}/smoke_tokenize" ]; then
	printf '%-40s %s\n' "CSV reader alone (lib/csvstream.c):" "$("$MLGATE_BENCH_BIN/smoke_tokenize" "$csv")"
fi
rm -f "$csv"
