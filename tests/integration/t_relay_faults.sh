#!/usr/bin/env bash
# mlgate-relay under faults, on loopback (no MLflow needed: signed deliveries
# are made by relay_send.py as MLflow signs them). Senders' faults: a bad
# signature, an old timestamp, a replayed delivery id, an oversize body,
# a wrong content type, a slow client, more connections than allowed.
# Targets' faults: 500s, 429 with Retry-After, a hang, a target that is down,
# one that keeps failing (dead, then replayed). And the relay SIGKILLed in
# the middle of a forward and restarted: every delivery reaches the
# acknowledging target exactly once.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testlib.sh"
. "$here/relay_lib.sh"

export RELAY_F_SECRET=relay-faults-secret-$RANDOM$RANDOM RELAY_F_TOKEN=ghp_relayFaults$RANDOM
relay_stub "$T_DIR/gh" --token "$RELAY_F_TOKEN"
port=$(free_port)
down=http://127.0.0.1:$(free_port)
relay_url=http://127.0.0.1:$port
cat >"$T_DIR/relay.json" <<JSON
{"version": 1,
 "listen": {"port": $port, "timeout_s": 2, "max_connections": 40, "max_body": 4096},
 "queue": {"path": "$T_DIR/relay.db", "max_tries": 3, "backoff_s": 0.2, "backoff_max_s": 1,
           "forward_timeout_s": 1},
 "sources": {"mlflow": {"type": "mlflow", "secrets": [{"env": "RELAY_F_SECRET"}]}},
 "targets": {
   "gh": {"type": "github", "repo": "acme/models", "event_type": "gate",
          "token_env": "RELAY_F_TOKEN", "api_url": "$stub_url"},
   "down": {"type": "github", "repo": "acme/models", "event_type": "gate",
            "token_env": "RELAY_F_TOKEN", "api_url": "$down"}},
 "routes": [{"models": ["down"], "targets": ["down"]},
            {"models": ["m-*"], "targets": ["gh"]}]}
JSON
relay_start "$T_DIR/relay.json"

# deliver MODEL [relay_send.py options]: one signed alias event for MODEL; the answer in $OUT
deliver() {
	local m=$1
	shift
	printf '{"entity": "model_version_alias", "action": "created", "timestamp": "%s", "data": {"name": "%s", "alias": "champion", "version": "3"}}' \
		"$(date -u +%FT%T+00:00)" "$m" >"$T_DIR/body.json"
	expect_rc 0 python3 "$here/relay_send.py" mlflow "$relay_url/hooks/mlflow" "$RELAY_F_SECRET" \
		"$T_DIR/body.json" "$@"
}
answer_is() { grep -Eq "^$1( |$)" "$OUT" || fail "answer $(cat "$OUT"), expected $1"; }
acks() { stub_count "$T_DIR/gh" "r['body']['client_payload']['model'] == '$1' and r['acked']"; }
tries() { stub_count "$T_DIR/gh" "r['body']['client_payload']['model'] == '$1'"; }

# --- the senders' faults: refused, counted by reason, nothing queued ---------
deliver m-bad --tamper
answer_is 401
deliver m-old --ts $(($(date +%s) - 3600))
answer_is 401
deliver m-once --id 5f0c1d2e-0000-4000-8000-00000000abcd
answer_is 202
deliver m-once --id 5f0c1d2e-0000-4000-8000-00000000abcd
answer_is 409
deliver m-type --content-type text/plain
answer_is 415
[ "$(metric 'mlgate_relay_rejected_total{reason="bad_signature"}')" = 1 ] || fail "bad signature not counted"
[ "$(metric 'mlgate_relay_rejected_total{reason="stale"}')" = 1 ] || fail "old timestamp not counted"
[ "$(metric 'mlgate_relay_rejected_total{reason="replay"}')" = 1 ] || fail "replay not counted"
[ "$(metric 'mlgate_relay_rejected_total{reason="content_type"}')" = 1 ] || fail "content type not counted"
# oversize, announced by Content-Length and sent chunked
head -c 5000 /dev/zero | tr '\0' ' ' >"$T_DIR/big.json"
code=$(curl -s --noproxy '*' -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
	--data-binary @"$T_DIR/big.json" "$relay_url/hooks/mlflow")
[ "$code" = 413 ] || fail "oversize body: $code, expected 413"
code=$(curl -s --noproxy '*' -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
	-H 'Transfer-Encoding: chunked' --data-binary @"$T_DIR/big.json" "$relay_url/hooks/mlflow")
[ "$code" = 413 ] || fail "oversize chunked body: $code, expected 413"
wait_for 5 'test "$(acks m-once)" = 1'

# a slow client is cut off after listen.timeout_s; 10,000 connections against 40 allowed:
# the surplus is closed at once (counted as busy); the relay answers throughout
python3 - "$port" <<'PY' || fail "slow or surplus connections were not cut off"
import resource, socket, sys, time, urllib.request
port = int(sys.argv[1])
slow = socket.create_connection(("127.0.0.1", port))
slow.sendall(b"POST /hooks/mlflow HTTP/1.1\r\nHost: x\r\nContent-Type: appl")
t0 = time.time()
slow.settimeout(10)
assert slow.recv(1) == b"", "the slow client got an answer"
took = time.time() - t0
assert 1.5 <= took <= 5, f"the slow client was cut off after {took:.1f} s"
# 10,000 connections at once (as many as the descriptor limit allows) against max_connections 40
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 10100), hard))
n = min(10000, resource.getrlimit(resource.RLIMIT_NOFILE)[0] - 100)
t1 = time.time()
socks = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(n)]
opened = time.time() - t1
time.sleep(0.5)
closed = 0
for s in socks:
    s.setblocking(False)
    try:
        closed += s.recv(1) == b""
    except BlockingIOError:
        pass
    except ConnectionResetError:
        closed += 1
for s in socks:
    s.close()
assert closed >= n - 40 - 1, f"only {closed} of {n} connections closed"
assert urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5).status == 200
print(f"slow client cut off after {took:.1f} s; {closed} of {n} connections opened in {opened:.1f} s refused")
PY
busy=$(metric 'mlgate_relay_rejected_total{reason="busy"}')
[ "$busy" -ge 80 ] || fail "the surplus connections were not counted as busy ($busy)"

# --- the targets' faults ----------------------------------------------------
cat >"$T_DIR/gh/plan.json" <<'JSON'
{"m-500": ["500", "503"], "m-429": ["429:1"], "m-hang": ["hang:2"],
 "m-dead": ["500", "500", "500"], "m-kill": ["hang:2.5"]}
JSON
deliver m-500
answer_is 202
deliver m-429
answer_is 202
deliver m-hang
answer_is 202
deliver down
answer_is 202
deliver m-dead
answer_is 202
wait_for 20 'test "$(acks m-500)$(acks m-429)$(acks m-hang)" = 111'
[ "$(tries m-500)" = 3 ] || fail "m-500: $(tries m-500) tries, expected 3 (500, 503, 204)"
# (the stub records the hung request when its 2 s are over)
wait_for 5 'test "$(tries m-hang)" = 2'
python3 - "$T_DIR/gh/requests.jsonl" <<'PY' || fail "Retry-After was not honoured"
import json, sys
t = [json.loads(l)["t"] for l in open(sys.argv[1]) if '"m-429"' in l]
assert len(t) == 2 and t[1] - t[0] >= 0.95, t
PY
# the down target and the failing one are parked as dead after max_tries
wait_for 20 'test "$(metric mlgate_relay_dead_total)" = 2'
expect_rc 0 "$relay_bin" status --config "$T_DIR/relay.json"
assert_match "$OUT" '^[0-9]+ +dead +3 down .*mlflow:.* / POST http://127\.0\.0\.1:[0-9]+/repos/acme/models/dispatches failed'
assert_match "$OUT" '^[0-9]+ +dead +3 gh +500 .* / HTTP 500$'
[ "$(tries m-dead)" = 3 ] || fail "m-dead: $(tries m-dead) tries, expected 3"
# replay the dead gh job: the target now answers 204
expect_rc 0 "$relay_bin" status --json --config "$T_DIR/relay.json"
dead_id=$(python3 -c 'import json,sys; print([j["id"] for j in json.load(open(sys.argv[1])) if j["target"] == "gh"][0])' "$OUT")
expect_rc 0 "$relay_bin" replay "$dead_id" --config "$T_DIR/relay.json"
assert_match "$OUT" "^job $dead_id queued again$"
wait_for 10 'test "$(acks m-dead)" = 1'
expect_rc 2 "$relay_bin" replay "$dead_id" --config "$T_DIR/relay.json"
assert_match "$ERR" "job $dead_id was delivered"

# --- SIGKILL in the middle of a forward, and restart ------------------------
rm -f "$T_DIR/gh/hanging"
deliver m-kill
answer_is 202
deliver m-after
answer_is 202
wait_for 10 'test -e "$T_DIR/gh/hanging"'
relay_kill
relay_start "$T_DIR/relay.json"
wait_for 20 'test "$(acks m-kill)$(acks m-after)" = 11'
relay_kill
relay_start "$T_DIR/relay.json"
# killed mid-forward, then 204 (the stub records the hung request when its 2.5 s are over)
wait_for 10 'test "$(tries m-kill)" = 2'
sleep 1
# exactly once at the acknowledging target, for every delivery, across two kills
python3 - "$T_DIR/gh/requests.jsonl" <<'PY' || fail "a delivery was acknowledged other than once"
import collections, json, sys
acked = collections.Counter()
keys = set()
for line in open(sys.argv[1]):
    r = json.loads(line)
    keys.add(r["key"])
    acked[r["key"]] += r["acked"]
bad = {k: acked[k] for k in keys if acked[k] != 1}
assert not bad, bad
print(f"{len(keys)} deliveries, each acknowledged exactly once")
PY
expect_rc 0 "$relay_bin" status --config "$T_DIR/relay.json"
assert_no_match "$OUT" ' queued '
assert_no_match "$T_DIR/relay.err" "$RELAY_F_SECRET|$RELAY_F_TOKEN"
relay_stop
echo "ok: every fault refused, retried or parked as documented; nothing lost or doubled across SIGKILL"
