#!/usr/bin/env bash
# SQLite backend, pagination: MLflow's client registers 150 versions (most
# created within the same milliseconds, so ties in the ordering are broken by
# name and version as MLflow does); regtool's streamed search with pages of
# 1, 7, 64 and 1000 versions must return exactly MLflow's result, in MLflow's
# order, for the default ordering, several explicit ones and some filters.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/testlib.sh"
cd "$MLGATE_TEST_TMP"
py() { "$MLGATE_TEST_PYTHON" "$here/sqlite_mlflow.py" "$@"; }
uri=sqlite:///mlflow.db

echo "# registering 150 versions of two models with MLflow's client"
"$MLGATE_TEST_PYTHON" - "$here" <<'PY' 2>many.log || { tail -n 20 many.log; exit 1; }
import sys
sys.path.insert(0, sys.argv[1])
import sqlite_mlflow as s
s.many("sqlite:///mlflow.db", "paged model", 120)
s.many("sqlite:///mlflow.db", "paged model 2", 30)
c = s.client("sqlite:///mlflow.db")
c.set_model_version_tag("paged model", "7", "parity", "changed")  # a later update time
c.update_model_version("paged model 2", "3", description="touched")
PY

: >spec.jsonl
n=0
check() { # FILTER ORDER PAGE_SIZE
	local f=$1 o=$2 p=$3
	n=$((n + 1))
	"$MLGATE_TEST_PYTHON" -c 'import json, sys; print(json.dumps(sys.argv[1:]))' \
		"want$n.json" search "$uri" "$f" 1000 ${o:+"$o"} >>spec.jsonl
	"$MLGATE_TEST_PYTHON" -c 'import json, sys; print(json.dumps(sys.argv[1:]))' \
		- compare "want$n.json" "got$n.json" "search [$f] order [$o] page $p" >>spec.jsonl
	"$regtool" "$uri" search "$f" "$p" ${o:+"$o"} >"got$n.json"
}
for p in 1 7 64 1000; do
	check "" "" $p
	check "" "version_number ASC" $p
	check "" "name DESC" $p
	check "" "creation_timestamp ASC, name DESC" $p
	check "tags.parity = 'even'" "last_updated_timestamp ASC" $p
	check "version_number > 100 AND name LIKE 'paged%'" "" $p
	check "source_path LIKE 's3://b/3/%'" "version_number DESC" $p
done
py batch spec.jsonl 2>batch.log || {
	tail -n 30 batch.log
	exit 1
}
got=$("$regtool" "$uri" count "" 1)
[ "$got" = 150 ] || {
	echo "FAIL: count with pages of 1 gave $got, want 150"
	exit 1
}
echo "ok"
