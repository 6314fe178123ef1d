#!/usr/bin/env bash
# SQLite backend, writes: what lib/registry/registry_sqlite.c writes must be exactly
# what MLflow writes. MLflow's Python client seeds a registry; the database
# is copied; the same sequence of writes (version tags set, overwritten and
# deleted, a description, stage transitions with and without archiving,
# aliases set, moved and deleted, an experiment, a run, two log_batch calls
# with NaN/+-Inf metrics, an over-long param, a run rename and a repeated
# param, the run ended) is made through regtool on one copy and through
# MlflowClient on the other, and both databases must hold the same rows
# (times and run ids masked). Then a real `mlflow server` on the regtool copy
# must read back through its REST API what regtool reads. Last, the refusals:
# missing versions, models, runs and experiments, reserved aliases, bad tag
# keys, a changed param (and nothing of that batch written).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/testlib.sh"
venv=$(dirname "$(dirname "$MLGATE_TEST_PYTHON")")
cd "$MLGATE_TEST_TMP"
py() { "$MLGATE_TEST_PYTHON" "$here/sqlite_mlflow.py" "$@"; }

server_pid=
cleanup() {
	if [ -n "$server_pid" ]; then
		kill -TERM -- "-$server_pid" 2>/dev/null || kill -TERM "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
}
trap cleanup EXIT

echo "# seeding with MLflow's Python client, then copying the database"
py seed sqlite:///seed.db >seed.json 2>seed.log || {
	cat seed.log
	exit 1
}
cat seed.json
model=$("$MLGATE_TEST_PYTHON" -c 'import json; print(json.load(open("seed.json"))["model"])')
seed_run=$("$MLGATE_TEST_PYTHON" -c 'import json; print(json.load(open("seed.json"))["run_id"])')
cp seed.db mlgate.db
cp seed.db mlflow.db
uri=sqlite:///mlgate.db

echo "# the writes, through regtool (one connection for the registry part)"
"$regtool" "$uri" \
	set-tag "$model" 1 "key with spaces" v1 -- \
	set-tag "$model" 1 "key with spaces" v2 -- \
	set-tag "$model" 1 "new/ü.key" x -- \
	set-tag "$model" 4 gate passed -- \
	delete-tag "$model" 1 owner -- \
	delete-tag "$model" 1 not-there -- \
	describe "$model" 4 "checked by mlgate
line 2 ü" -- \
	transition "$model" 1 staging keep -- \
	transition "$model" 4 Production archive -- \
	transition "$model" 3 Staging archive -- \
	set-alias "$model" champion 4 -- \
	set-alias "$model" chällenger 1 -- \
	set-alias "$model" new-alias 2 -- \
	delete-alias "$model" b-2_x -- \
	delete-alias "$model" never-set -- \
	experiment "twin exp ü" create >exp.out
exp_id=$(cat exp.out)
echo "experiment $exp_id"
run_id=$("$regtool" "$uri" create-run "$exp_id" "compare ü" mlflow.user=gate k=v)
echo "run $run_id"
[[ $run_id =~ ^[0-9a-f]{32}$ ]] && [ "${run_id:12:1}" = 4 ] || {
	echo "FAIL: run id '$run_id' is not a uuid4 hex"
	exit 1
}
long=$(printf 'x%.0s' $(seq 7000))
"$regtool" "$uri" log-batch "$run_id" \
	metric:acc=0.5@1000@0 metric:acc=0.7@2000@1 metric:acc=0.6@3000@1 \
	metric:nan=NaN@1000@0 metric:inf=Infinity@1000@0 metric:ninf=-Infinity@1000@0 \
	metric:zero=0@0@0 param:p=1 "param:long=$long" tag:t=v "tag:mlflow.runName=renamed ü" \
	2>batch.err
cat batch.err
grep -q "truncated to 6000 characters" batch.err || {
	echo "FAIL: no warning for the truncated param"
	exit 1
}
"$regtool" "$uri" log-batch "$run_id" metric:acc=0.7@2000@1 metric:acc=0.1@500@3 param:p=1 \
	tag:t=v2 -- end-run "$run_id" FINISHED

echo "# the same writes, through MLflow's client on the other copy"
mlflow_run=$(py writes sqlite:///mlflow.db "$model" "twin exp ü" 2>writes.log) || {
	cat writes.log
	exit 1
}
echo "run $mlflow_run"

echo "# both databases must hold the same rows"
py tables mlflow.db "$seed_run" "$mlflow_run" >want.tables.json
py tables mlgate.db "$seed_run" "$run_id" >got.tables.json
py compare want.tables.json got.tables.json "all MLflow tables after the writes"

echo "# one transition, one time: the archived version, the moved one and the model"
"$MLGATE_TEST_PYTHON" - mlgate.db "$model" <<'EOF'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
name = sys.argv[2]
v3, v4 = (con.execute("SELECT current_stage, last_updated_time FROM model_versions "
                      "WHERE name = ? AND version = ?", (name, v)).fetchone() for v in (3, 4))
v1 = con.execute("SELECT current_stage, last_updated_time FROM model_versions "
                 "WHERE name = ? AND version = 1", (name,)).fetchone()
v2 = con.execute("SELECT current_stage, last_updated_time FROM model_versions "
                 "WHERE name = ? AND version = 2", (name,)).fetchone()
model = con.execute("SELECT last_updated_time FROM registered_models WHERE name = ?",
                    (name,)).fetchone()
print("v1", v1, "v2", v2, "v3", v3, "v4", v4, "model", model)
# 4 -> Production archived 2; then 3 -> Staging archived 1 (staging since "transition 1 staging")
assert v4[0] == "Production" and v2[0] == "Archived" and v3[0] == "Staging", "stages"
assert v1[0] == "Archived", "version 1 should have been archived by 3 -> Staging"
assert v3[1] == v1[1] == model[0], "3 -> Staging: one time for 3, the archived 1 and the model"
assert v4[1] == v2[1], "4 -> Production: one time for 4 and the archived 2"
EOF

echo "# a real MLflow server on the regtool-written database reads the same"
port=$("$MLGATE_TEST_PYTHON" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()')
setsid "$venv/bin/mlflow" server --backend-store-uri "sqlite:///$PWD/mlgate.db" \
	--default-artifact-root "$PWD/artifacts" --host 127.0.0.1 --port "$port" --workers 1 \
	</dev/null >server.log 2>&1 &
server_pid=$!
for ((i = 0; ; i++)); do
	if [ "$(curl --noproxy '*' -s --max-time 5 "http://127.0.0.1:$port/health" || true)" = OK ]; then
		break
	fi
	if ((i > 600)) || ! kill -0 "$server_pid" 2>/dev/null; then
		tail -n 30 server.log
		echo "FAIL: the MLflow server on mlgate.db did not start"
		exit 1
	fi
	sleep 0.25
done
rest=http://127.0.0.1:$port
: >spec.jsonl
n=0
check() { # WHAT MLFLOW_COMMAND ARGS...: the same read by regtool and by the server
	local what=$1 cmd=$2 tcmd
	shift 2
	n=$((n + 1))
	case $cmd in
	version) tcmd=get-version ;;
	model) tcmd=get-model ;;
	alias) tcmd=by-alias ;;
	run) tcmd=get-run ;;
	*) tcmd=$cmd ;;
	esac
	"$regtool" "$uri" "$tcmd" "$@" >"got$n.json"
	"$MLGATE_TEST_PYTHON" -c 'import json, sys; print(json.dumps(sys.argv[1:]))' \
		"want$n.json" "$cmd" "$rest" "$@" >>spec.jsonl
	"$MLGATE_TEST_PYTHON" -c 'import json, sys; print(json.dumps(sys.argv[1:]))' \
		- compare "want$n.json" "got$n.json" "$what" >>spec.jsonl
}
for v in 1 2 3 4; do
	check "version $v over REST" version "$model" $v
done
check "model over REST" model "$model"
check "alias champion over REST" alias "$model" champion
check "alias chällenger over REST" alias "$model" chällenger
check "run over REST" run "$run_id"
check "acc history over REST" history "$run_id" acc
check "nan history over REST" history "$run_id" nan
check "search over REST" search "tags.gate = 'passed'" 1
py batch spec.jsonl 2>rest.log || {
	tail -n 30 rest.log
	exit 1
}

# expect_fail WANT_EXIT WANT_REASON WANT_TEXT REGTOOL_ARGS...
expect_fail() {
	local code=$1 reason=$2 text=$3 rc=0
	shift 3
	"$regtool" "$uri" "$@" >fail.out 2>fail.err || rc=$?
	if ((rc != code)) || ! grep -qF "[$reason]" fail.err || ! grep -qF -- "$text" fail.err; then
		echo "FAIL: regtool $* exited $rc, want $code [$reason] with '$text':"
		cat fail.err
		exit 1
	fi
	echo "refused as expected: $(cat fail.err)"
}

echo "# refusals, and nothing written by them"
py tables mlgate.db >before.json
expect_fail 2 not_found "version '5' of model '$model' not found" set-tag "$model" 5 k v
expect_fail 2 not_found "version '9' of model '$model' not found" delete-tag "$model" 9 k
expect_fail 2 not_found "version '9' of model '$model' not found" describe "$model" 9 d
expect_fail 2 not_found "version '9' of model '$model' not found" \
	transition "$model" 9 Production archive
expect_fail 2 not_found "version '9' of model '$model' not found" set-alias "$model" a 9
expect_fail 2 not_found "registered model 'nope' not found" delete-alias nope champion
expect_fail 2 none "'latest' (any case) is reserved" set-alias "$model" Latest 1
expect_fail 2 none "version aliases (v1, V2, ...) are reserved" set-alias "$model" v2 1
expect_fail 2 none "invalid alias 'a.b'" set-alias "$model" a.b 1
expect_fail 2 none "invalid tag key 'a&b'" set-tag "$model" 1 "a&b" v
expect_fail 2 none "invalid tag key '../x'" set-tag "$model" 1 "../x" v
expect_fail 2 none "invalid tag key 'a//b'" set-tag "$model" 1 "a//b" v
expect_fail 2 none "invalid model name 'a:b'" set-tag "a:b" 1 k v
expect_fail 2 none "changing param values is not allowed" log-batch "$run_id" \
	metric:never=1@1 param:p=2
expect_fail 2 not_found "run '0123456789abcdef0123456789abcdef' not found" \
	end-run 0123456789abcdef0123456789abcdef FINISHED
expect_fail 2 not_found "experiment '999' not found" create-run 999 r
expect_fail 2 not_found "experiment 'no such exp' not found" experiment "no such exp" get
expect_fail 2 none "invalid run id" log-batch "bad id!" metric:x=1
expect_fail 2 none "invalid metric name" log-batch "$run_id" "metric:a&b=1"
py tables mlgate.db >after.json
py compare before.json after.json "the database after the refused writes"
echo "ok"
