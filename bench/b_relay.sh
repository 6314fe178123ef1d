#!/usr/bin/env bash
# Benchmark: mlgate-relay taking signed MLflow deliveries on loopback (HMAC
# check, replay check, a job fsync'd in the SQLite queue before each 202),
# side by side with a minimal Python relay doing the same (FastAPI + uvicorn,
# the same SQLite queue, one commit per delivery: bench/relay_peer.py).
# Load: bench/relay_load.c, keep-alive connections sending one after another.
# The relays' forwarding target accepts and never answers, so no forwarding
# competes for the CPU (the C relay's worker waits on its first job).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
T=$MLGATE_TEST_TMP
load=$MLGATE_BENCH_BIN/relay_load
py=$MLGATE_TEST_PYTHON
n=${MLGATE_BENCH_RELAY_N:-100000}
pn=${MLGATE_BENCH_RELAY_PEER_N:-10000}
export RELAY_BENCH_SECRET=relay-bench-secret RELAY_BENCH_TOKEN=unused
pids=()
trap 'for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done' EXIT

free_port() {
	python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
wait_port() {
	for _ in $(seq 200); do
		python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])))' "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "nothing listens on port $1" >&2
	exit 1
}

sink=$(free_port)
python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(64); time.sleep(3600)' "$sink" &
pids+=($!)
port=$(free_port)
cat >"$T/relay.json" <<JSON
{"version": 1, "listen": {"port": $port}, "queue": {"path": "$T/relay.db", "forward_timeout_s": 600},
 "sources": {"mlflow": {"type": "mlflow", "secrets": [{"env": "RELAY_BENCH_SECRET"}]}},
 "targets": {"gh": {"type": "github", "repo": "acme/models", "event_type": "gate",
                    "token_env": "RELAY_BENCH_TOKEN", "api_url": "http://127.0.0.1:$sink"}},
 "routes": [{"targets": ["gh"]}]}
JSON
"$MLGATE_BIN/mlgate-relay" serve --config "$T/relay.json" 2>"$T/relay.err" &
relay=$!
pids+=("$relay")
wait_port "$port"

pport=$(free_port)
"$py" "$here/relay_peer.py" "$pport" "$T/peer.db" "$RELAY_BENCH_SECRET" 2>"$T/peer.err" &
peer=$!
pids+=("$peer")
wait_port "$pport"

echo "== signed MLflow deliveries, verified and fsync'd before the 202 (2 shared cores)"
printf '%-30s %s\n' "mlgate-relay (C, 16 conns):" "$("$load" "$port" /hooks/mlflow "$RELAY_BENCH_SECRET" "$n" 16 "$relay")"
printf '%-30s %s\n' "FastAPI peer (16 conns):" "$("$load" "$pport" /hooks/mlflow "$RELAY_BENCH_SECRET" "$pn" 16 "$peer")"
printf '%-30s %s\n' "mlgate-relay (C, 1 conn):" "$("$load" "$port" /hooks/mlflow "$RELAY_BENCH_SECRET" 5000 1 "$relay")"
printf '%-30s %s\n' "FastAPI peer (1 conn):" "$("$load" "$pport" /hooks/mlflow "$RELAY_BENCH_SECRET" 2000 1 "$peer")"
python3 - "$T/relay.db" "$T/peer.db" "$n" "$pn" <<'PY'
import sqlite3, sys
for db, want in ((sys.argv[1], int(sys.argv[3]) + 5000), (sys.argv[2], int(sys.argv[4]) + 2000)):
    got = sqlite3.connect(db).execute("SELECT count(*) FROM jobs").fetchone()[0]
    assert got == want, f"{db}: {got} jobs queued, expected {want}"
print("queues: every acknowledged delivery is a queued job in both")
PY
