#!/usr/bin/env bash
# Benchmark: mlgate-report html for a promotion with 50 compared metrics and
# 200 versions of history (target: under 50 ms), side by side with the Python
# peer a team would otherwise write (MLflow's client, matplotlib SVG, jinja2;
# bench/report_peer.py), on the same inputs (bench/report_gen.py: the demo
# registry grown to 200 versions in MLflow's SQLite store).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
py=$MLGATE_TEST_PYTHON
T=$MLGATE_TEST_TMP
report="$MLGATE_BIN/mlgate-report"
export SOURCE_DATE_EPOCH=1700000000

python3 "$here/report_gen.py" "$T/in" --metrics 50 --versions 200 >/dev/null
cd "$T/in"
ev=(comply.json compare.json promote.json)
hist=(--registry sqlite:///registry.db --model fraud-detector --history 200)

# ms ARGS...: the median and the fastest of 11 runs of mlgate-report html ARGS, in milliseconds
ms() {
	local t=()
	for _ in 1 2 3 4 5 6 7 8 9 10 11; do
		local a b
		a=$(date +%s%N)
		"$report" html "$@" >/dev/null
		b=$(date +%s%N)
		t+=($(((b - a) / 1000)))
	done
	printf '%s\n' "${t[@]}" | sort -n | awk '{v[NR]=$1} END {printf "median %.1f ms, fastest %.1f ms", v[6]/1000, v[1]/1000}'
}

echo "== one page: 50 compared metrics, each over 200 versions (read from the registry)"
printf '%-40s %s, %s bytes\n' "mlgate-report html (C):" "$(ms -o page.html "${ev[@]}" "${hist[@]}")" \
	"$(wc -c <page.html)"
printf '%-40s %s\n' "  of which without the registry:" "$(ms -o page0.html "${ev[@]}")"
if "$py" -c 'import jinja2, matplotlib' 2>/dev/null; then
	printf '%-40s %s\n' "Python (MLflow client, matplotlib, jinja2):" \
		"$("$py" "$here/report_peer.py" peer.html sqlite:///registry.db fraud-detector 200 "${ev[@]}" 2>/dev/null)"
else
	echo "Python peer: skipped (jinja2 or matplotlib missing from the test venv)"
fi
