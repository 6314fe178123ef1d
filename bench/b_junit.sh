#!/usr/bin/env bash
# Benchmark: the JUnit writer and mlgate-report merge, side by side with the
# Python libraries CI publishers use (junitparser, junit-xml), in one run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
jw="$MLGATE_BENCH_BIN/junit_write"
py=$MLGATE_TEST_PYTHON
T=$MLGATE_TEST_TMP

echo "== write N test cases (1% failed, with message and details)"
printf '%-34s %s\n' "mlgate (C, libxml2 streaming):" "$("$jw" write 2000 "$T/m2k.xml")  [N=2000]"
printf '%-34s %s\n' "junitparser 5.0.3:" "$("$py" "$here/junit_peer.py" 2000 "$T/p2k.xml")  [N=2000]"
printf '%-34s %s\n' "mlgate (C, libxml2 streaming):" "$("$jw" write 100000 "$T/m100k.xml")  [N=100000]"
printf '%-34s %s\n' "junit-xml 1.9:" "$("$py" "$here/junit_peer_junit_xml.py" 100000 "$T/p100k.xml")  [N=100000]"
printf '%-34s %s\n' "mlgate (C, libxml2 streaming):" "$("$jw" write 1000000 "$T/m1m.xml")  [N=1000000]"

echo "== merge ten 10 MB JUnit files"
inputs=()
for i in 0 1 2 3 4 5 6 7 8 9; do
	"$jw" gen "$T/in$i.xml" 10 >/dev/null
	inputs+=("$T/in$i.xml")
done
echo "input: $(du -cb "${inputs[@]}" | tail -1 | cut -f1) bytes"
# exit 1: the generated inputs hold failed cases, which is what a merge must carry over
/usr/bin/time -f "%e s, peak RSS %M KiB" -o "$T/time" "$MLGATE_BIN/mlgate-report" merge --ci none \
	-o "$T/merged.xml" "${inputs[@]}" >/dev/null 2>&1 || [ $? = 1 ]
printf '%-34s %s\n' "mlgate-report merge:" "merge: $(tail -1 "$T/time")"
printf '%-34s %s\n' "junitparser 5.0.3 merge:" "$("$py" "$here/junit_peer_merge.py" "$T/pmerged.xml" "${inputs[@]}")"
