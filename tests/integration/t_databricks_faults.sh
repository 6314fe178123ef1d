#!/usr/bin/env bash
# Databricks authentication and faults on the emulator (dbemu.py), as docs/databricks.md
# promises them: OAuth M2M (DATABRICKS_CLIENT_ID/SECRET) with the token fetched once, an
# access token expiring mid-run refreshed once and the run succeeding, a token endpoint that
# keeps refusing and a workspace that refuses a fresh token (exit 3), 429 with Retry-After
# (retried, the wait said on stderr), 403 PERMISSION_DENIED on the approval (exit 3,
# Databricks' message naming the permission, nothing changed), a wrong token (exit 3); and no
# token, secret or access token in any output (stdout, stderr, JUnit, JSON, Markdown, the
# GitHub step summary), debug logging included. The harness's MLflow server is not used.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testlib.sh"
. "$here/dblib.sh"
repo_root=$(cd "$here/../.." && pwd)
py=$MLGATE_TEST_PYTHON
pat=dapi-faults-ci-4e5f6a7b8c
editor_pat=dapi-faults-editor-9d8c7b
wrong_pat=dapi-faults-wrong-1a2b3c
secret=sp-secret-Faults-Qx81z
emu_start --token "ci@example.com=$pat" --token "editor@example.com=$editor_pat" \
	--client "sp-ci:$secret"
unset DATABRICKS_TOKEN DATABRICKS_CONFIG_PROFILE MLFLOW_REGISTRY_URI MLFLOW_TRACKING_URI \
	GITHUB_ACTIONS TF_BUILD MLGATE_DEBUG 2>/dev/null || true
export DATABRICKS_HOST=$EMU DATABRICKS_CONFIG_FILE=$T_DIR/no-databrickscfg
export DATABRICKS_CLIENT_ID=sp-ci DATABRICKS_CLIENT_SECRET=$secret
export MLFLOW_HTTP_REQUEST_BACKOFF_JITTER=0
"$repo_root/scripts/demo-repo.sh" "$T_DIR/repo" >/dev/null
"$py" - "$repo_root/fixtures/demo/policy.json" "$T_DIR/policy.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
p["compliance"]["model_card"]["path"] = "models/fraud-detector/MODEL_CARD.md"
json.dump(p, open(sys.argv[2], "w"))
PY
O=$T_DIR/out
mkdir -p "$O"

# gate NAME EXIT GATE ARGS...: mlgate-GATE on databricks/$model, every output kept in $O/NAME.*
gate() {
	local name=$1 want=$2 g=$3
	shift 3
	expect_rc "$want" "$MLGATE_BIN/mlgate-$g" --registry databricks --model "$model" \
		--policy "$T_DIR/policy.json" --ci none --junit "$O/$name.xml" --json "$O/$name.json" \
		--summary "$O/$name.md" "$@"
	cp "$OUT" "$O/$name.stdout"
	cp "$ERR" "$O/$name.stderr"
}
comply() { # NAME EXIT VERSION [ARGS]
	local name=$1 want=$2 v=$3
	shift 3
	gate "$name" "$want" comply --version "$v" --repo "$T_DIR/repo" "$@"
}
# the emulator's log since the last log_clear, as a python expression over l (the entries)
log_clear() { emu_post /_emu/log/clear '{}' >/dev/null; }
log_eval() {
	curl --noproxy '*' -sS --fail "$EMU/_emu/log" | "$py" -c '
import json, sys
l = json.load(sys.stdin)
r = eval(sys.argv[1])
print(r if isinstance(r, (str, bool)) else json.dumps(r))' "$1"
}
log_check() { # EXPR WANT WHAT
	local got
	got=$(log_eval "$1")
	[ "$got" = "$2" ] || fail "$3: $1 is '$got', expected '$2'"
}
# with_pat TOKEN CMD...: CMD authenticated by a personal access token instead of OAuth
with_pat() (
	unset DATABRICKS_CLIENT_ID DATABRICKS_CLIENT_SECRET
	export DATABRICKS_TOKEN=$1
	shift
	"$@"
)
tokens='[e for e in l if e["path"] == "/oidc/v1/token"]'
# wait_for EXPR: until the log expression is true (10 s at most)
wait_for() {
	for _ in $(seq 100); do
		[ "$(log_eval "$1")" = True ] && return 0
		sleep 0.1
	done
	fail "the emulator never saw: $1"
}

# 1. OAuth M2M: one client-credentials grant, every API call with that access token
model=fd-oauth
emu_seed "$model" --only 1
log_clear
comply oauth 0 1
log_check "[(e['auth'], e['principal'], e['body'].get('grant_type'), e['body'].get('scope'), e['status']) for e in $tokens]" \
	'[["basic", "sp-ci", "client_credentials", "all-apis", 200]]' "the token request"
log_check "sorted({(e['auth'], e['principal']) for e in l if e['path'].startswith('/api/')})" \
	'[["oauth", "sp-ci"]]' "the API calls' authentication"
[ "$(emu_state "tags(1)['mlgate.comply.verdict']")" = passed ] || fail "OAuth comply did not record its verdict"
echo "ok: OAuth M2M"

# 2. the access token expires mid-run: refused once (401), fetched again, the run succeeds.
# runs/get answers after 5 s; the emulator expires every token while it waits, so the
# request is judged with an expired token.
model=fd-expire
emu_seed "$model" --only 1
log_clear
emu_post /_emu/faults '{"path": "/api/2.0/mlflow/runs/get", "delay": 5, "count": 1}' >/dev/null
(
	cd "$T_DIR"
	exec "$MLGATE_BIN/mlgate-comply" --registry databricks --model "$model" --version 1 \
		--repo "$T_DIR/repo" --policy "$T_DIR/policy.json" --ci none --junit "$O/expire.xml" \
		--json "$O/expire.json" --summary "$O/expire.md" >"$O/expire.stdout" 2>"$O/expire.stderr"
) &
gate_pid=$!
wait_for "any(e['path'] == '/api/2.0/mlflow/runs/get' and e['status'] is None for e in l)"
emu_post /_emu/expire-tokens '{}' >/dev/null
rc=0
wait "$gate_pid" || rc=$?
[ "$rc" = 0 ] || { cat "$O/expire.stderr" >&2; fail "comply with a token expiring mid-run: exit $rc"; }
log_check "[e['status'] for e in $tokens]" '[200, 200]' "token requests (the first, the refresh)"
log_check "[(e['auth'], e['status']) for e in l if e['path'] == '/api/2.0/mlflow/runs/get'][:2]" \
	'[["expired", 401], ["oauth", 200]]' "runs/get refused with the expired token, then sent again"
log_check "sum(e['status'] == 401 for e in l)" 1 "401 answers"
[ "$(emu_state "tags(1)['mlgate.comply.verdict']")" = passed ] || fail "comply after the refresh did not record its verdict"
echo "ok: token expired mid-run, refreshed once"

# 3. the token endpoint refuses the refresh: exit 3, nothing written
model=fd-tokfail
emu_seed "$model" --only 1
log_clear
emu_post /_emu/faults '{"path": "/api/2.0/mlflow/runs/get", "delay": 5, "count": 1}' >/dev/null
(
	cd "$T_DIR"
	exec "$MLGATE_BIN/mlgate-comply" --registry databricks --model "$model" --version 1 \
		--repo "$T_DIR/repo" --policy "$T_DIR/policy.json" --ci none --junit "$O/tokfail.xml" \
		--json "$O/tokfail.json" --summary "$O/tokfail.md" >"$O/tokfail.stdout" 2>"$O/tokfail.stderr"
) &
gate_pid=$!
wait_for "any(e['path'] == '/api/2.0/mlflow/runs/get' and e['status'] is None for e in l)"
emu_post /_emu/faults '{"path": "/oidc/v1/token", "status": 401, "count": 20, "body": {"error": "invalid_client", "error_description": "Client authentication failed"}}' >/dev/null
emu_post /_emu/expire-tokens '{}' >/dev/null
rc=0
wait "$gate_pid" || rc=$?
[ "$rc" = 3 ] || { cat "$O/tokfail.stderr" >&2; fail "comply whose token refresh is refused: exit $rc, expected 3"; }
assert_match "$O/tokfail.stderr" "oidc/v1/token"
assert_match "$O/tokfail.stderr" "invalid_client"
log_check "[e['status'] for e in $tokens][:2]" '[200, 401]' "token requests"
[ "$(emu_state "sorted(k for k in tags(1) if k.startswith('mlgate.'))")" = "[]" ] ||
	fail "comply wrote to the registry although its token was refused"
emu_post /_emu/faults '{"clear": true}' >/dev/null
echo "ok: the token endpoint refusing a refresh is exit 3"

# 4. the workspace refuses a fresh token too: refreshed once, then exit 3
model=fd-refused
emu_seed "$model" --only 1
log_clear
emu_post /_emu/faults '{"path": "/api/2.0/mlflow/model-versions/get", "status": 401, "count": 2, "error_code": "UNAUTHENTICATED", "message": "Token is expired."}' >/dev/null
comply refused 3 1
assert_match "$ERR" "UNAUTHENTICATED"
log_check "[e['status'] for e in $tokens]" '[200, 200]' "token requests (one refresh only)"
log_check "[e['status'] for e in l if e['path'] == '/api/2.0/mlflow/model-versions/get']" '[401, 401]' \
	"model-versions/get: refused, refreshed, refused, no third try"
emu_post /_emu/faults '{"clear": true}' >/dev/null
echo "ok: a token refused after its refresh is exit 3"

# 5. 429 with Retry-After: retried after the wait Databricks asks for, said on stderr
model=fd-429
emu_seed "$model" --only 1
log_clear
emu_post /_emu/faults '{"path": "/api/2.0/mlflow/model-versions/get", "status": 429, "retry_after": 2, "count": 1}' >/dev/null
comply ratelimit 0 1
assert_match "$ERR" "model-versions/get.*: retrying in 2.0 s \(attempt 1 of [0-9]+\):.*429"
log_check "[e['status'] for e in l if e['path'] == '/api/2.0/mlflow/model-versions/get'][:2]" '[429, 200]' \
	"model-versions/get after the 429"
echo "ok: 429 with Retry-After"

# 6. 403 on the approval: a principal with CAN_EDIT only cannot approve a Staging request
model=fd-403
emu_seed "$model" --only 1 --request 1:Staging:trainer@example.com
comply comply-403 0 1
emu_post /_emu/permission "{\"principal\": \"editor@example.com\", \"model\": \"$model\", \"level\": \"CAN_EDIT\"}" >/dev/null
before=$(emu_state "v(1)")
log_clear
with_pat "$editor_pat" gate approve-403 3 promote --version 1 --to-stage Staging --evidence "$O/comply-403.xml"
assert_match "$ERR" "PERMISSION_DENIED"
assert_match "$ERR" "CAN_MANAGE_STAGING_VERSIONS"
[ "$(emu_state "v(1)")" = "$before" ] || fail "the refused approval changed version 1"
log_check "[(e['path'], e['status']) for e in l if e['method'] != 'GET']" \
	'[["/api/2.0/mlflow/transition-requests/approve", 403]]' "writes of the refused approval"
# and to Production a principal needs CAN_MANAGE_PRODUCTION_VERSIONS (Staging's is not enough)
emu_post /_emu/permission "{\"principal\": \"editor@example.com\", \"model\": \"$model\", \"level\": \"CAN_MANAGE_STAGING_VERSIONS\"}" >/dev/null
curl --noproxy '*' -sS --fail -X POST -H "Authorization: Bearer $editor_pat" -H 'Content-Type: application/json' \
	--data "{\"name\": \"$model\", \"version\": \"1\", \"stage\": \"Production\"}" \
	"$EMU/api/2.0/mlflow/transition-requests/create" >/dev/null || fail "requesting Production"
before=$(emu_state "v(1)")
with_pat "$editor_pat" gate approve-403-prod 3 promote --version 1 --to-stage Production --require comply \
	--evidence "$O/comply-403.xml"
assert_match "$ERR" "PERMISSION_DENIED: .*CAN_MANAGE_PRODUCTION_VERSIONS"
[ "$(emu_state "v(1)")" = "$before" ] || fail "the refused Production approval changed version 1"
echo "ok: 403 on the approval"

# 7. a wrong token: exit 3, with the GitHub outputs too
model=fd-wrong
emu_seed "$model" --only 1
export GITHUB_STEP_SUMMARY=$O/wrong.step-summary.md GITHUB_OUTPUT=$O/wrong.github-output
: >"$GITHUB_STEP_SUMMARY"
: >"$GITHUB_OUTPUT"
with_pat "$wrong_pat" expect_rc 3 "$MLGATE_BIN/mlgate-comply" --registry databricks --model "$model" --version 1 \
	--repo "$T_DIR/repo" --policy "$T_DIR/policy.json" --ci github --junit "$O/wrong.xml" \
	--json "$O/wrong.json" --summary "$O/wrong.md"
cp "$OUT" "$O/wrong.stdout"
cp "$ERR" "$O/wrong.stderr"
unset GITHUB_STEP_SUMMARY GITHUB_OUTPUT
assert_match "$O/wrong.stderr" "UNAUTHENTICATED"
# GitHub masks what it is told to mask: the token is registered, as its only appearance
assert_match "$O/wrong.stdout" "^::add-mask::$wrong_pat\$"
assert_match "$O/wrong.stderr" "Invalid access token"
echo "ok: a wrong token"

# 8. with debug logging (every request, the token request included), OAuth and a PAT
model=fd-debug
emu_seed "$model" --only 1
MLGATE_DEBUG=1 comply debug-oauth 0 1
MLGATE_DEBUG=1 with_pat "$pat" comply debug-pat 0 1 --dry-run
assert_match "$O/debug-oauth.stderr" "oidc/v1/token"
# on GitHub the client secret and the access token obtained are registered for masking
expect_rc 0 "$MLGATE_BIN/mlgate-comply" --registry databricks --model "$model" --version 1 \
	--repo "$T_DIR/repo" --policy "$T_DIR/policy.json" --ci github --dry-run
cp "$OUT" "$O/github-oauth.stdout"
cp "$ERR" "$O/github-oauth.stderr"
assert_match "$O/github-oauth.stdout" "^::add-mask::$secret\$"
assert_match "$O/github-oauth.stdout" '^::add-mask::dbemu-[A-Za-z0-9_-]{8,}$'

# 9. a version Databricks does not have (RESOURCE_DOES_NOT_EXIST): exit 2, as on every backend
comply notfound 2 9
assert_match "$ERR" "RESOURCE_DOES_NOT_EXIST: Model Version \\(name=fd-debug, version=9\\) not found"
echo "ok: RESOURCE_DOES_NOT_EXIST"

# 10. an access token living less than the refresh margin (60 s) is fetched again before
# each request instead of being sent to be refused
emu_post /_emu/seed '{"token_ttl": 30}' >/dev/null
log_clear
comply short-ttl 0 1 --dry-run
log_check "(len($tokens) >= 2, len($tokens) == sum(e['path'].startswith('/api/') for e in l), sum(e['status'] == 401 for e in l))" \
	'[true, true, 0]' "token requests for a token living 30 s"
emu_post /_emu/seed '{"token_ttl": 3600}' >/dev/null
echo "ok: a token about to expire is fetched again first"

# 11. a profile of DATABRICKS_CONFIG_FILE named in the URI (the environment has nothing)
printf '[DEFAULT]\nhost = https://elsewhere.invalid\n\n[ci]\nhost = %s\nclient_id = sp-ci\nclient_secret = %s\n' "$EMU" "$secret" \
	>"$T_DIR/databrickscfg"
log_clear
(
	unset DATABRICKS_HOST DATABRICKS_CLIENT_ID DATABRICKS_CLIENT_SECRET
	export DATABRICKS_CONFIG_FILE=$T_DIR/databrickscfg
	expect_rc 0 "$MLGATE_BIN/mlgate-comply" --registry databricks://ci --model "$model" --version 1 \
		--repo "$T_DIR/repo" --policy "$T_DIR/policy.json" --ci github --dry-run
	cp "$OUT" "$O/profile.stdout"
	cp "$ERR" "$O/profile.stderr"
)
assert_match "$O/profile.stdout" "^::add-mask::$secret\$"
log_check "[(e['principal'], e['status']) for e in $tokens]" '[["sp-ci", 200]]' "the profile's token request"
echo "ok: databricks://PROFILE"

# no secret anywhere: the PATs, the client secret, any access token the emulator issued
# (dbemu- followed by its random part), in every file a gate wrote
ls "$O"/* >/dev/null
# (but GitHub's ::add-mask:: lines, which register them for masking and are never shown)
mkdir -p "$T_DIR/scan"
for f in "$O"/*; do
	grep -v '^::add-mask::' "$f" >"$T_DIR/scan/$(basename "$f")" || true
done
for s in "$pat" "$editor_pat" "$wrong_pat" "$secret"; do
	if grep -rlF -- "$s" "$T_DIR/scan"; then
		fail "a secret ('${s:0:10}...') appears in the files above"
	fi
done
if grep -rlE 'dbemu-[A-Za-z0-9_-]{8,}' "$T_DIR/scan"; then
	fail "an OAuth access token appears in the files above"
fi
n=$(find "$O" -type f | wc -l)
echo "ok: no token or secret in any of the $n outputs"
junit_valid "$O"/*.xml
