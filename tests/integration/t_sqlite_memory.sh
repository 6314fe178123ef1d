#!/usr/bin/env bash
# SQLite backend, bounded memory (issue 3: streaming a search over 100 000
# versions stays under 16 MB RSS): bench/registry_gen.py makes a registry of
# 100 000 versions (MLflow makes the schema, the models and version 1 of
# each; the rest are SQL copies of MLflow's rows), then regtool streams
# searches over all of it, pages of 1000, and its peak RSS must stay under
# 16 MB. A sample of the generated versions is read by MLflow's client too,
# to show the copies are rows MLflow reads like its own.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/testlib.sh"
cd "$MLGATE_TEST_TMP"
versions=${MLGATE_TEST_SQLITE_VERSIONS:-100000}
limit_kb=16384
if grep -q __asan_init "$regtool"; then
	# a sanitizer's shadow memory is no measure of mlgate's: report, do not judge
	echo "regtool is built with AddressSanitizer: RSS is reported, not checked"
	limit_kb=$((1 << 30))
fi

echo "# generating $versions versions"
"$MLGATE_TEST_PYTHON" "$here/../../bench/registry_gen.py" bench.db --versions "$versions" \
	2>gen.log || {
	tail -n 20 gen.log
	exit 1
}
uri=sqlite:///bench.db

# measure NAME REGTOOL_ARGS...: run regtool, print its peak RSS and time, check the bound
measure() {
	local what=$1
	shift
	# a fresh interpreter, not the harness's fork server (pyzygote.py): a child
	# of a fork of a process holding MLflow starts with its peak RSS
	MLGATE_TEST_ZYGOTE=0 "$MLGATE_TEST_PYTHON" - "$limit_kb" "$what" "$regtool" "$uri" "$@" <<'PY'
import resource, subprocess, sys, time
limit, what, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
t0 = time.monotonic()
p = subprocess.run(cmd, stdout=subprocess.PIPE if cmd[2] == "count" else subprocess.DEVNULL)
secs = time.monotonic() - t0
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
out = p.stdout.decode().strip() if p.stdout else ""
print(f"{what}: exit {p.returncode}, {out + ' versions, ' if out else ''}"
      f"max RSS {rss} KB, {secs:.2f} s")
if p.returncode != 0:
    sys.exit(1)
if rss >= limit:
    sys.exit(f"FAIL: {what}: max RSS {rss} KB, over {limit} KB")
PY
}
measure "baseline (get-model)" get-model "bench model 000"
measure "count all, pages of 1000" count "" 1000
[ "$("$regtool" "$uri" count "" 1000)" = "$versions" ] || {
	echo "FAIL: the count is not $versions"
	exit 1
}
measure "search all as JSON, pages of 1000" search "" 1000
measure "search all by version, pages of 1000" search "" 1000 "version_number ASC"
measure "search a tag filter" search "tags.bench.tag0 LIKE '%of 5%'" 1000

echo "# a sample of the generated rows, read by MLflow's client and by regtool"
: >spec.jsonl
n=0
per_model=$((versions / 10))
for mv in "bench model 000:1" "bench model 003:$((per_model / 2))" "bench model 009:$per_model"; do
	n=$((n + 1))
	name=${mv%:*}
	v=${mv##*:}
	"$regtool" "$uri" get-version "$name" "$v" >"got$n.json"
	"$MLGATE_TEST_PYTHON" -c 'import json, sys; print(json.dumps(sys.argv[1:]))' \
		"want$n.json" version "$uri" "$name" "$v" >>spec.jsonl
	"$MLGATE_TEST_PYTHON" -c 'import json, sys; print(json.dumps(sys.argv[1:]))' \
		- compare "want$n.json" "got$n.json" "$name version $v" >>spec.jsonl
done
"$MLGATE_TEST_PYTHON" "$here/sqlite_mlflow.py" batch spec.jsonl 2>batch.log || {
	tail -n 20 batch.log
	exit 1
}
echo ok
