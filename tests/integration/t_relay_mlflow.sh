#!/usr/bin/env bash
# mlgate-relay end to end with a real MLflow server's webhooks: MLflow's own
# client creates a webhook (with a secret) pointing at the relay; registering
# a version and setting the champion alias make the server sign and send
# model_version.created and model_version_alias.created; the relay verifies,
# queues and forwards them to a loopback GitHub API stand-in, which must get
# a repository_dispatch and a workflow_dispatch with the right payload and
# token. MLflow only delivers to loopback over http with both settings below.
# harness: server-env MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS=true
# harness: server-env MLFLOW_WEBHOOK_ALLOWED_SCHEMES=http,https
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testlib.sh"
. "$here/relay_lib.sh"

model=relay-it-$$-$RANDOM
export RELAY_IT_SECRET=relay-it-secret-$RANDOM$RANDOM RELAY_IT_TOKEN=ghp_relayIt$RANDOM$RANDOM
relay_stub "$T_DIR/gh" --token "$RELAY_IT_TOKEN"
port=$(free_port)
relay_url=http://127.0.0.1:$port
cat >"$T_DIR/relay.json" <<JSON
{"version": 1, "listen": {"port": $port}, "queue": {"path": "$T_DIR/relay.db"},
 "sources": {"mlflow": {"type": "mlflow", "secrets": [{"env": "RELAY_IT_SECRET"}]}},
 "targets": {
   "gh": {"type": "github", "repo": "acme/models", "event_type": "model-promotion-gate",
          "token_env": "RELAY_IT_TOKEN", "api_url": "$stub_url"},
   "wf": {"type": "github-workflow", "repo": "acme/models", "workflow": "smoke.yml",
          "ref": "main", "token_env": "RELAY_IT_TOKEN", "api_url": "$stub_url",
          "inputs": {"model": "{model}", "version": "{version}"}}},
 "routes": [
   {"models": ["relay-it-*"], "events": ["model_version_alias.created"], "aliases": ["champion"],
    "targets": ["gh"]},
   {"models": ["relay-it-*"], "events": ["model_version.created"], "targets": ["wf"]}]}
JSON
relay_start "$T_DIR/relay.json"

expect_rc 0 "$MLGATE_TEST_PYTHON" "$here/relay_mlflow.py" "$MLGATE_TEST_MLFLOW_URI" \
	"$relay_url/hooks/mlflow" "$RELAY_IT_SECRET" "$model"
# MLflow's test delivery was verified and answered "ignored" (its model matches no route)
assert_match "$OUT" '^webhook-test 200 True$'
assert_match "$OUT" '^version 1$'

# both dispatches arrive, once each, with the token
wait_for 20 'test "$(stub_count "$T_DIR/gh" "True")" = 2'
[ "$(stub_count "$T_DIR/gh" 'r["auth_ok"] and r["accept"] == "application/vnd.github+json" and r["api_version"] == "2022-11-28"')" = 2 ] ||
	fail "a dispatch came without the token or GitHub's headers: $(cat "$T_DIR/gh/requests.jsonl")"
[ "$(stub_count "$T_DIR/gh" "r['path'] == '/repos/acme/models/dispatches' and r['body']['event_type'] == 'model-promotion-gate' and r['body']['client_payload']['model'] == '$model' and r['body']['client_payload']['version'] == '1' and r['body']['client_payload']['alias'] == 'champion' and r['body']['client_payload']['event'] == 'model_version_alias.created' and r['body']['client_payload']['source'] == 'mlflow' and r['body']['client_payload']['dedupe_key'].startswith('mlflow:') and r['key'] == r['body']['client_payload']['dedupe_key']")" = 1 ] ||
	fail "no repository_dispatch with the alias payload: $(cat "$T_DIR/gh/requests.jsonl")"
[ "$(stub_count "$T_DIR/gh" "r['path'] == '/repos/acme/models/actions/workflows/smoke.yml/dispatches' and r['body'] == {'ref': 'main', 'inputs': {'model': '$model', 'version': '1'}}")" = 1 ] ||
	fail "no workflow_dispatch with the version's inputs: $(cat "$T_DIR/gh/requests.jsonl")"

# the relay's record: two deliveries queued and forwarded, the test one ignored, none refused
wait_for 5 'test "$(metric mlgate_relay_forwarded_total)" = 2'
[ "$(metric mlgate_relay_received_total)" = 3 ] || fail "received $(metric mlgate_relay_received_total), expected 3"
[ "$(metric mlgate_relay_ignored_total)" = 1 ] || fail "the test delivery was not ignored"
curl -s --noproxy '*' "$relay_url/metrics" | grep '^mlgate_relay_rejected_total' | grep -v ' 0$' &&
	fail "a delivery of MLflow's was rejected"
assert_match "$T_DIR/relay.err" "\"msg\":\"delivery\",\"source\":\"mlflow\",\"key\":\"mlflow:[0-9a-f-]+\",\"event\":\"model_version_alias.created\",\"model\":\"$model\",\"version\":\"1\",\"alias\":\"champion\",\"outcome\":\"queued\",\"status\":202"
assert_no_match "$T_DIR/relay.err" "$RELAY_IT_SECRET|$RELAY_IT_TOKEN"
expect_rc 0 "$relay_bin" status --all --json --config "$T_DIR/relay.json"
[ "$(grep -c '"state":"done"' "$OUT")" = 2 ] || fail "the queue does not record both as done: $(cat "$OUT")"
relay_stop
echo "ok: MLflow's signed webhooks reached the GitHub stand-in through the relay"
