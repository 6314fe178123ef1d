#!/usr/bin/env bash
# mlgate-relay with Databricks workspace registry webhooks (recorded-style
# payloads in fixtures/relay/, signed as Databricks signs: hex HMAC-SHA256 of
# the body, plus the Authorization the webhook's http_url_spec sets) forwarded
# to Azure DevOps incoming webhooks (a loopback stand-in that checks the
# HMAC-SHA1 checksum header, bare and "sha1="-prefixed).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testlib.sh"
. "$here/relay_lib.sh"
fixtures=$(cd "$here/../../fixtures/relay" && pwd)

export RELAY_DB_SECRET=relay-db-secret-$RANDOM$RANDOM RELAY_DB_AUTH="Bearer relay-db-auth-$RANDOM$RANDOM"
export RELAY_ADO_SECRET=relay-ado-secret-$RANDOM$RANDOM RELAY_DB_OLD=relay-db-old-$RANDOM$RANDOM
relay_stub "$T_DIR/ado" --azure-secret "$RELAY_ADO_SECRET"
port=$(free_port)
relay_url=http://127.0.0.1:$port
cat >"$T_DIR/relay.json" <<JSON
{"version": 1, "listen": {"port": $port}, "queue": {"path": "$T_DIR/relay.db"},
 "sources": {"databricks": {"type": "databricks", "window_s": 900,
   "secrets": [{"env": "RELAY_DB_SECRET"}, {"env": "RELAY_DB_OLD"}],
   "authorization_env": "RELAY_DB_AUTH"}},
 "targets": {
   "deploy": {"type": "azure", "secret_env": "RELAY_ADO_SECRET",
              "url": "$stub_url/_apis/public/distributedtask/webhooks/ModelDeploy?api-version=6.0-preview"},
   "review": {"type": "azure", "secret_env": "RELAY_ADO_SECRET", "sha1_prefix": true,
              "url": "$stub_url/_apis/public/distributedtask/webhooks/ModelReview?api-version=6.0-preview"}},
 "routes": [
   {"events": ["MODEL_VERSION_TRANSITIONED_STAGE"], "stages": ["Production"], "targets": ["deploy"]},
   {"models": ["churn_*"], "events": ["TRANSITION_REQUEST_*"], "targets": ["review"]}]}
JSON
relay_start "$T_DIR/relay.json"
# one serve per queue: a second would send the same jobs
expect_rc 3 "$relay_bin" serve --config "$T_DIR/relay.json"
assert_match "$ERR" "another mlgate-relay serve uses the queue"

# send FIXTURE SECRET [options]: the fixture stamped with the current time, signed with SECRET
send() {
	sed "s/@TS@/$(date +%s)000/" "$fixtures/$1" >"$T_DIR/$1"
	expect_rc 0 python3 "$here/relay_send.py" databricks "$relay_url/hooks/databricks" "$2" \
		"$T_DIR/$1" "${@:3}"
}
answer_is() { grep -Eq "^$1( |$)" "$OUT" || fail "answer $(cat "$OUT"), expected $1"; }

send databricks-transitioned.json "$RELAY_DB_SECRET" --authorization "$RELAY_DB_AUTH"
answer_is 202
cp "$T_DIR/databricks-transitioned.json" "$T_DIR/sent-transitioned.json"
# the rotated-out secret is still accepted
send databricks-request.json "$RELAY_DB_OLD" --authorization "$RELAY_DB_AUTH"
answer_is 202
# a comment matches no route: verified, answered 200, nothing forwarded
send databricks-comment.json "$RELAY_DB_SECRET" --authorization "$RELAY_DB_AUTH"
answer_is 200
# the same body again (Databricks has no delivery id: the body's hash is the key)
expect_rc 0 python3 "$here/relay_send.py" databricks "$relay_url/hooks/databricks" \
	"$RELAY_DB_SECRET" "$T_DIR/sent-transitioned.json" --authorization "$RELAY_DB_AUTH"
answer_is 409
# no or the wrong Authorization, a wrong secret, a tampered body, an old event
send databricks-transitioned.json "$RELAY_DB_SECRET"
answer_is 401
send databricks-transitioned.json "$RELAY_DB_SECRET" --authorization "Bearer nope"
answer_is 401
send databricks-transitioned.json wrong-secret --authorization "$RELAY_DB_AUTH"
answer_is 401
send databricks-transitioned.json "$RELAY_DB_SECRET" --authorization "$RELAY_DB_AUTH" --tamper
answer_is 401
sed 's/@TS@/1589859029343/' "$fixtures/databricks-transitioned.json" >"$T_DIR/old.json"
expect_rc 0 python3 "$here/relay_send.py" databricks "$relay_url/hooks/databricks" \
	"$RELAY_DB_SECRET" "$T_DIR/old.json" --authorization "$RELAY_DB_AUTH"
answer_is 401
[ "$(metric 'mlgate_relay_rejected_total{reason="stale"}')" = 1 ] || fail "the old event was not refused as stale"
[ "$(metric 'mlgate_relay_rejected_total{reason="bad_signature"}')" = 4 ] || fail "bad signatures not counted"

wait_for 10 'test "$(stub_count "$T_DIR/ado" True)" = 2'
[ "$(stub_count "$T_DIR/ado" "r['sig_ok'] and r['acked']")" = 2 ] ||
	fail "a checksum was wrong: $(cat "$T_DIR/ado/requests.jsonl")"
[ "$(stub_count "$T_DIR/ado" "'ModelDeploy' in r['path'] and not r['sig_prefixed'] and r['body']['event'] == 'MODEL_VERSION_TRANSITIONED_STAGE' and r['body']['model'] == 'churn_classifier' and r['body']['version'] == '12' and r['body']['stage'] == 'Production' and r['body']['source'] == 'databricks' and r['body']['dedupe_key'] == r['key'] and r['key'].startswith('databricks:')")" = 1 ] ||
	fail "no deploy webhook with the transition: $(cat "$T_DIR/ado/requests.jsonl")"
[ "$(stub_count "$T_DIR/ado" "'ModelReview' in r['path'] and r['sig_prefixed'] and r['body']['event'] == 'TRANSITION_REQUEST_CREATED' and r['body']['version'] == '13'")" = 1 ] ||
	fail "no review webhook with the request: $(cat "$T_DIR/ado/requests.jsonl")"
# the key is the SHA-256 of the exact body Databricks signed
key=$(sha256sum "$T_DIR/sent-transitioned.json" | cut -d' ' -f1)
[ "$(stub_count "$T_DIR/ado" "r['key'] == 'databricks:$key'")" = 1 ] || fail "the dedupe key is not the body's SHA-256"
assert_no_match "$T_DIR/relay.err" "$RELAY_DB_SECRET|$RELAY_ADO_SECRET|relay-db-auth"
relay_stop
echo "ok: Databricks deliveries verified and forwarded to Azure DevOps with their checksums"
