# Helpers for the relay's integration tests (t_relay_*.sh; source after testlib.sh).
#   relay_stub DIR [ARGS]     start relay_stub.py (GitHub/Azure stand-in) on a free port: $stub_url
#   relay_start CONFIG        start mlgate-relay serve (stderr to $T_DIR/relay.err): $relay_pid
#   relay_stop                SIGTERM it and require exit 0
#   relay_kill                SIGKILL it
#   wait_for SECONDS 'SHELL'  poll SHELL (evaluated anew each time) until it succeeds, else fail
#   stub_count DIR JQ_FILTER  how many recorded requests the Python filter accepts
#   free_port                 a free loopback port
relay_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
relay_bin=$MLGATE_BIN/mlgate-relay
relay_pid=
stub_pids=()

relay_cleanup() {
	[ -z "$relay_pid" ] || kill -KILL "$relay_pid" 2>/dev/null || true
	for p in "${stub_pids[@]}"; do kill "$p" 2>/dev/null || true; done
}
trap relay_cleanup EXIT

free_port() {
	python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

wait_for() {
	local secs=$1 i
	shift
	for ((i = 0; i < secs * 20; i++)); do
		eval "$*" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	fail "not within $secs s: $*"
}

relay_stub() {
	local dir=$1
	shift
	mkdir -p "$dir"
	python3 "$relay_here/relay_stub.py" "$dir" "$@" &
	stub_pids+=($!)
	wait_for 10 'test -s "$dir/port"'
	stub_url=http://127.0.0.1:$(cat "$dir/port")
}

relay_start() {
	"$relay_bin" serve --config "$1" 2>>"$T_DIR/relay.err" &
	relay_pid=$!
	wait_for 10 'curl -sf --noproxy "*" "$relay_url/healthz"'
}

relay_stop() {
	kill -TERM "$relay_pid"
	local rc=0
	wait "$relay_pid" || rc=$?
	relay_pid=
	[ "$rc" = 0 ] || fail "mlgate-relay serve exited $rc on SIGTERM"
}

relay_kill() {
	kill -KILL "$relay_pid"
	wait "$relay_pid" 2>/dev/null || true
	relay_pid=
}

# stub_count DIR EXPR: the requests (r, a dict per line of requests.jsonl) for which EXPR is true
stub_count() {
	python3 - "$1/requests.jsonl" "$2" <<'PY'
import json, sys
n = 0
try:
    lines = open(sys.argv[1]).read().splitlines()
except FileNotFoundError:
    lines = []
for line in lines:
    r = json.loads(line)
    if eval(sys.argv[2], {}, {"r": r}):
        n += 1
print(n)
PY
}

# metric NAME: its value from /metrics ("" when absent)
metric() {
	curl -s --noproxy '*' "$relay_url/metrics" | awk -v m="$1" '$1 == m { print $2 }'
}
