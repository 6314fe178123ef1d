#!/usr/bin/env bash
# The REST backend against a misbehaving loopback server (faultserver.py, a
# mock: a real MLflow server cannot fail on demand). Every fault ends in the
# documented error, in bounded time, and no write follows a failed read.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testlib.sh"
compare="$MLGATE_BIN/mlgate-compare"

python3 "$here/faultserver.py" "$T_DIR/port" "$T_DIR/requests.log" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -s "$T_DIR/port" ] && break; sleep 0.1; done
base="http://127.0.0.1:$(cat "$T_DIR/port")"

# fast retries for the test; the secret must never be printed
export MLFLOW_HTTP_REQUEST_MAX_RETRIES=2 MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR=0
export MLFLOW_HTTP_REQUEST_BACKOFF_JITTER=0 MLFLOW_HTTP_REQUEST_TIMEOUT=2
export MLFLOW_TRACKING_TOKEN=s3cr3t-t0ken-123

elapsed() { python3 -c "import time,sys; print(time.time() - float(sys.argv[1]))" "$1"; }

# healthy: every field parsed, int64 as string or number
expect_rc 0 "$regtool" "$base/ok" get-version m 7
assert_match "$OUT" '"version":"7".*"current_stage":"Production"'
assert_match "$OUT" '"creation_timestamp":1700000000000,"last_updated_timestamp":1700000000001'
assert_match "$OUT" '"tags":\{"owner":"a@b.c"\},"aliases":\["champion"\]'

# 503 once: retried, succeeds
expect_rc 0 "$regtool" "$base/s503once" get-version m 7
[ "$(grep -c 's503once' "$T_DIR/requests.log")" = 2 ] || fail "503 was not retried exactly once"
# each retry is said on stderr, with the wait and the reason
assert_match "$ERR" 'warning: GET .*/s503once/api/2.0/mlflow/model-versions/get\?name=m&version=7: retrying in 0\.0 s \(attempt 1 of 2\): HTTP 503$'

# 429 with Retry-After: 1 is waited for even with no backoff configured
start=$(date +%s.%N)
expect_rc 0 "$regtool" "$base/s429" get-version m 7
python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) >= 0.95 else 1)" "$(elapsed "$start")" ||
	fail "Retry-After: 1 was not honoured"
assert_match "$ERR" 'retrying in 1\.0 s \(attempt 1 of 2\): HTTP 429$'
# Retry-After as an HTTP date (parsed by libcurl) is honoured too
start=$(date +%s.%N)
expect_rc 0 "$regtool" "$base/s429date" get-version m 7
python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) >= 0.95 else 1)" "$(elapsed "$start")" ||
	fail "Retry-After as an HTTP date was not honoured"
assert_match "$ERR" 'retrying in [12]\.0 s \(attempt 1 of 2\): HTTP 429$'

# permanent 500: gives up after 1 + 2 retries, names the status and MLflow's error
expect_rc 3 "$regtool" "$base/s500" get-version m 7
assert_match "$ERR" 'HTTP 500 after 3 attempts: INTERNAL_ERROR: database is on fire'
[ "$(grep -c 'retrying in' "$ERR")" = 2 ] || fail "two retries, not two retry lines"
[ "$(grep -c '/s500/' "$T_DIR/requests.log")" = 3 ] || fail "500 not tried exactly 3 times"

# truncated JSON and a body shorter than announced
expect_rc 3 "$regtool" "$base/truncated" get-version m 7
assert_match "$ERR" "the answer of registry '.*/truncated' to GET /model-versions/get is not valid JSON"
expect_rc 3 "$regtool" "$base/shortbody" get-version m 7
assert_match "$ERR" 'failed after 3 attempts: transfer closed'

# an HTML page from a proxy, MLflow's host-header guard (text/plain)
expect_rc 3 "$regtool" "$base/html502" get-version m 7
assert_match "$ERR" 'HTTP 502 after 3 attempts: HTML page: 502 Bad Gateway'
expect_rc 3 "$regtool" "$base/hostguard" get-version m 7
assert_match "$ERR" 'HTTP 403: Invalid Host header - possible DNS rebinding attack detected'

# a body over the cap
MLGATE_HTTP_MAX_BODY=65536 expect_rc 3 "$regtool" "$base/big" get-version m 7
assert_match "$ERR" 'larger than the limit of 65536 bytes'

# dropped connections, and a server that never answers: bounded by timeout x attempts
expect_rc 3 "$regtool" "$base/drop" get-version m 7
assert_match "$ERR" 'failed after 3 attempts: Empty reply from server'
start=$(date +%s.%N)
MLFLOW_HTTP_REQUEST_MAX_RETRIES=1 expect_rc 3 "$regtool" "$base/hang" get-version m 7
assert_match "$ERR" 'failed after 2 attempts: .*[Tt]imed? ?out'
python3 -c "import sys; t=float(sys.argv[1]); sys.exit(0 if 3.5 < t < 10 else 1)" "$(elapsed "$start")" ||
	fail "hang did not end in about 2 x 2 s"

# no write after a failed read: the chained set-tag must never reach the server
: >"$T_DIR/requests.log"
expect_rc 3 "$regtool" "$base/s500" get-version m 7 -- set-tag m 7 k v
assert_no_match "$T_DIR/requests.log" '^POST'

# writes carry JSON with Content-Type, DELETE too; the token goes in the header
: >"$T_DIR/requests.log"
expect_rc 0 "$regtool" "$base/auth" set-tag m 7 k v -- delete-tag m 7 k -- describe m 7 d
assert_match "$T_DIR/requests.log" '^POST /auth/api/2.0/mlflow/model-versions/set-tag conn=[0-9]+ auth=Bearer s3cr3t-t0ken-123 ctype=application/json'
assert_match "$T_DIR/requests.log" '^DELETE /auth/api/2.0/mlflow/model-versions/delete-tag .*ctype=application/json'
assert_match "$T_DIR/requests.log" '^PATCH /auth/api/2.0/mlflow/model-versions/update'
# one connection for the whole chain (keep-alive)
[ "$(grep -o 'conn=[0-9]*' "$T_DIR/requests.log" | sort -u | wc -l)" = 1 ] ||
	fail "chained requests used more than one connection"

# a wrong token: 401 is an infrastructure error, and the token is never printed
MLFLOW_TRACKING_TOKEN=wrong-t0ken-456 expect_rc 3 "$regtool" "$base/auth" get-version m 7
assert_match "$ERR" 'HTTP 401: UNAUTHENTICATED: bad token'
for f in "$OUT" "$ERR"; do
	assert_no_match "$f" 's3cr3t-t0ken-123|wrong-t0ken-456'
done

# a server echoing a credential: no 16-byte piece of it in any form reaches stderr or the
# --json/--junit outputs, however the message is cut (a 431-byte token, a password with '"' and
# '\', echoed raw, JSON-escaped, URL-encoded, decoded from Basic)
leaks() { # FILE SECRET...: fail when FILE holds 16 bytes of a secret in any form
	python3 - "$@" <<'PY'
import base64, json, sys, urllib.parse
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
for secret in sys.argv[2:]:
    forms = {secret, json.dumps(secret)[1:-1], urllib.parse.quote(secret, safe=""),
             urllib.parse.quote(urllib.parse.quote(secret, safe=""), safe="")}
    for form in forms:
        for i in range(len(form) - 15):
            if form[i:i + 16] in text:
                sys.exit(f"{sys.argv[1]} holds {form[i:i + 16]!r} of a secret")
PY
}
policy_echo="$T_DIR/p.json"
printf '{"version":1,"compare":{"metrics":[{"name":"auc","greater_is_better":true,"threshold":0.8}]}}' >"$policy_echo"
long_token=$(python3 -c "import random; r=random.Random(7); print(''.join(r.choice('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=') for _ in range(431)))")
for scenario in echo echotext; do
	MLFLOW_TRACKING_TOKEN=$long_token expect_rc 3 "$regtool" "$base/$scenario" get-version m 7
	leaks "$ERR" "$long_token" || fail "$scenario: the 431-byte token leaked"
	MLFLOW_TRACKING_TOKEN=$long_token expect_rc 3 "$compare" --registry "$base/$scenario" --model m \
		--version 7 --policy "$policy_echo" --json "$T_DIR/echo.json" --junit "$T_DIR/echo.xml"
	for f in "$OUT" "$ERR" "$T_DIR/echo.json" "$T_DIR/echo.xml"; do
		leaks "$f" "$long_token" || fail "$scenario: the 431-byte token leaked into $f"
	done
	junit_valid "$T_DIR/echo.xml"
	assert_match "$ERR" 'HTTP 40[13]: .*\*\*\*'
done
password='pa"ss\word-with-quote-and-backslash'
MLFLOW_TRACKING_USERNAME=alice MLFLOW_TRACKING_PASSWORD=$password expect_rc 3 "$compare" \
	--registry "$base/echo" --model m --version 7 --policy "$policy_echo" --json "$T_DIR/echo.json" --junit "$T_DIR/echo.xml"
for f in "$OUT" "$ERR" "$T_DIR/echo.json" "$T_DIR/echo.xml"; do
	leaks "$f" "$password" "$(printf 'alice:%s' "$password" | base64 -w0)" ||
		fail "the password leaked into $f"
done
assert_match "$ERR" 'rejected Basic \*\*\* with password \*\*\*'

# configuration mistakes are usage errors naming the variable
MLFLOW_HTTP_REQUEST_MAX_RETRIES=11 expect_rc 2 "$regtool" "$base/ok" get-version m 7
assert_match "$ERR" 'MLFLOW_HTTP_REQUEST_MAX_RETRIES: must be between 0 and 10'
MLFLOW_HTTP_REQUEST_TIMEOUT=soon expect_rc 2 "$regtool" "$base/ok" get-version m 7
assert_match "$ERR" "invalid value 'soon' for environment variable MLFLOW_HTTP_REQUEST_TIMEOUT"
MLFLOW_TRACKING_INSECURE_TLS=true MLFLOW_TRACKING_SERVER_CERT_PATH=/etc/ssl/ca.pem \
	expect_rc 2 "$regtool" "$base/ok" get-version m 7
assert_match "$ERR" 'cannot both be set'
MLFLOW_TRACKING_USERNAME=alice expect_rc 2 "$regtool" "$base/ok" get-version m 7
assert_match "$ERR" 'must be set together'
expect_rc 2 "$regtool" "http://bob:pw@127.0.0.1:1" get-version m 7
assert_match "$ERR" 'credentials in the URI are not accepted'
assert_no_match "$ERR" 'pw@'
echo "rest faults: all checks passed"
