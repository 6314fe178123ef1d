#!/usr/bin/env bash
# The harness works end to end: MLflow's own Python client seeds a model
# version on the real server, the C helper read_version reads it back over
# REST, and both views agree. A version that does not exist is exit 3 with a
# message naming it. Run by tests/integration/run.sh (see its header).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${MLGATE_TEST_MLFLOW_URI:?run me through tests/integration/run.sh}"
: "${MLGATE_TEST_PYTHON:?run me through tests/integration/run.sh}"
: "${MLGATE_TEST_TMP:?run me through tests/integration/run.sh}"
: "${MLGATE_TEST_BIN:?run me through tests/integration/run.sh}"
read_version=$MLGATE_TEST_BIN/read_version
[ -x "$read_version" ] || {
	echo "missing $read_version (make tests)"
	exit 1
}
cd "$MLGATE_TEST_TMP"

echo "# seeding through MLflow's Python client"
"$MLGATE_TEST_PYTHON" "$here/mlflow_seed.py" --uri "$MLGATE_TEST_MLFLOW_URI" >seed.json
cat seed.json
field() {
	"$MLGATE_TEST_PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' \
		seed.json "$1"
}
name=$(field name)
version=$(field version)

echo "# reading model '$name' version $version back with read_version"
"$read_version" "$MLGATE_TEST_MLFLOW_URI" "$name" "$version" >c.json
cat c.json

echo "# comparing"
"$MLGATE_TEST_PYTHON" - seed.json c.json <<'EOF'
import difflib
import json
import sys

want_path, got_path = sys.argv[1:3]
with open(want_path) as f:
    want = json.load(f)
with open(got_path) as f:
    got = json.load(f)
if want == got:
    print("same %d fields" % len(want))
    sys.exit(0)
print("MISMATCH between MLflow's Python client (-) and read_version (+):")
for key in sorted(set(want) | set(got)):
    if want.get(key, "<missing>") != got.get(key, "<missing>"):
        print("  %s: %r != %r" % (key, want.get(key, "<missing>"), got.get(key, "<missing>")))
dump = lambda d: json.dumps(d, indent=2, sort_keys=True, ensure_ascii=False).splitlines()
sys.stdout.writelines(line + "\n" for line in difflib.unified_diff(
    dump(want), dump(got), "mlflow_seed.py", "read_version", lineterm=""))
sys.exit(1)
EOF

missing=$((version + 1000))
echo "# a version that does not exist: $missing"
rc=0
"$read_version" "$MLGATE_TEST_MLFLOW_URI" "$name" "$missing" >missing.out 2>missing.err || rc=$?
cat missing.err
if ((rc != 3)); then
	echo "FAIL: read_version exited $rc for a missing version, want 3"
	exit 1
fi
if [ -s missing.out ]; then
	echo "FAIL: read_version printed on stdout for a missing version:"
	cat missing.out
	exit 1
fi
if ! grep -q "version '$missing'" missing.err; then
	echo "FAIL: the message does not name version '$missing'"
	exit 1
fi
echo "ok"
