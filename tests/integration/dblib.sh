# shellcheck shell=bash
# Shared helpers for the Databricks scenario tests (source it after testlib.sh): one loopback
# Databricks emulator (dbemu.py) per test file, seeded per scenario with db_seed.py.
#   emu_start ARGS...           start dbemu.py (ARGS: --token, --client, ...); sets $EMU (its
#                               URL); stopped when the test exits
#   emu_post PATH JSON          POST to the emulator's control API (/_emu/...), answer on stdout
#   emu_seed MODEL ARGS...      db_seed.py into the emulator (ARGS: --uc, --request V:STAGE ...)
#   emu_state EXPR [MODEL]      evaluate a python expression over /_emu/state: s is the state,
#                               m the model MODEL (default $model), v(N) its version N,
#                               tags(N) that version's tags, acts(N, KIND) its activities of a
#                               kind, reqs(N, STATUS) the requests of version N with a status
#   emu_log_count METHOD PATH   how many requests the emulator received for METHOD PATH

EMU_PY=${MLGATE_TEST_PYTHON:?}
emu_pid=
emu_stop() {
	if [ -n "$emu_pid" ]; then
		kill "$emu_pid" 2>/dev/null || true
		wait "$emu_pid" 2>/dev/null || true
		emu_pid=
	fi
}
trap emu_stop EXIT

emu_start() {
	local here_
	here_=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
	rm -f "$T_DIR/emu.port"
	"$EMU_PY" "$here_/dbemu.py" --port 0 --port-file "$T_DIR/emu.port" "$@" \
		>"$T_DIR/emu.log" 2>&1 &
	emu_pid=$!
	for _ in $(seq 150); do
		if [ -s "$T_DIR/emu.port" ]; then
			EMU=http://127.0.0.1:$(cat "$T_DIR/emu.port")
			return 0
		fi
		kill -0 "$emu_pid" 2>/dev/null || break
		sleep 0.1
	done
	cat "$T_DIR/emu.log" >&2
	fail "the Databricks emulator did not start"
}

emu_post() {
	curl --noproxy '*' -sS --fail-with-body -X POST -H 'Content-Type: application/json' \
		--data "$2" "$EMU$1" || fail "POST $1 $2 to the emulator failed"
}

emu_seed() {
	local m=$1 here_
	shift
	here_=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
	"$EMU_PY" "$here_/db_seed.py" "$EMU" --model "$m" "$@" >"$T_DIR/seed.json" 2>"$T_DIR/seed.err" ||
		{ cat "$T_DIR/seed.err" >&2; fail "seeding $m failed"; }
}

emu_state() {
	"$EMU_PY" -I -S - "$EMU" "${2:-${model:-}}" "$1" <<'PY' || fail "evaluating $1 over /_emu/state"
import json, sys, urllib.request
s = json.load(urllib.request.urlopen(sys.argv[1] + "/_emu/state", timeout=30))
m = next((x for x in s["models"] if x["name"] == sys.argv[2]), None)
def v(n):
    return next(x for x in m["versions"] if x["version"] == str(n))
def tags(n):
    return {t["key"]: t["value"] for t in v(n).get("tags", [])}
def acts(n, kind):
    return [a for a in v(n)["activities"] if a["activity_type"] == kind]
def reqs(n, status):
    return [r for r in s["requests"] if r["name"] == sys.argv[2] and r["version"] == n
            and r["status"] == status]
r = eval(sys.argv[3])
print(r if isinstance(r, (str, bool)) else json.dumps(r, sort_keys=True))
PY
}

emu_log_count() {
	curl --noproxy '*' -sS --fail "$EMU/_emu/log" | "$EMU_PY" -c '
import json, sys
print(sum(1 for e in json.load(sys.stdin) if e["method"] == sys.argv[1] and e["path"] == sys.argv[2]))' "$1" "$2"
}
