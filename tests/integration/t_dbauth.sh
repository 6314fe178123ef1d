#!/usr/bin/env bash
# Databricks authentication (lib/registry/dbauth.c) end to end, through
# dbauth_probe, against a loopback OAuth token endpoint (oauth_stub.py, a mock of
# the two endpoints involved): a PAT from the environment and from [DEFAULT], an
# OAuth service principal from a profile (token fetched once, cached, refreshed
# before expiry and on a forced refresh, one refresh after a 401 then exit 3),
# refused credentials and malformed answers exit 3, ambiguous configuration
# exit 2, and no secret or issued token in any output.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testlib.sh"
probe=$MLGATE_TEST_BIN/dbauth_probe
[ -x "$probe" ] || fail "missing $probe (make tests)"

# a clean slate: nothing from the runner's environment or home
for v in $(env | sed -n 's/^\(DATABRICKS_[A-Z_]*\|ARM_[A-Z_]*\|GOOGLE_CREDENTIALS\)=.*/\1/p'); do
	unset "$v"
done
export HOME="$T_DIR/home"
mkdir -p "$HOME"
export MLFLOW_HTTP_REQUEST_MAX_RETRIES=0 MLFLOW_HTTP_REQUEST_TIMEOUT=10

rand() { python3 -c 'import secrets; print(secrets.token_hex(12))'; }
client_id=mlgate-ci-sp
client_secret=dose$(rand)
wrong_secret=dose$(rand)
pat=dapi$(rand)

python3 "$here/oauth_stub.py" "$T_DIR/port" "$T_DIR/stub.log" "$client_id" "$client_secret" "$pat" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$T_DIR/port" ] && break; sleep 0.1; done
[ -s "$T_DIR/port" ] || fail "oauth_stub.py did not start"
base="http://127.0.0.1:$(cat "$T_DIR/port")"

cfg="$T_DIR/databrickscfg"
{
	printf '# written by t_dbauth.sh\n[DEFAULT]\nhost = %s/ok\ntoken = %s\n\n' "$base" "$pat"
	for s in ok short revoke revokeall denied notoken echo; do
		printf '[%s]\nhost = %s/%s/\nclient_id = %s\nclient_secret = %s\n\n' \
			"$s" "$base" "$s" "$client_id" "$client_secret"
	done
	printf '[wrong]\nhost = %s/ok\nclient_id = %s\nclient_secret = %s\n' "$base" "$client_id" "$wrong_secret"
} >"$cfg"
export DATABRICKS_CONFIG_FILE="$cfg"

# every run's output is kept: no secret may appear in any of it
probe_rc() {
	expect_rc "$@"
	cat "$OUT" "$ERR" >>"$T_DIR/all-output"
}
token_posts() { grep -c "^POST /$1/oidc/v1/token -> 200" "$T_DIR/stub.log" || true; }

# --- a PAT ------------------------------------------------------------------
probe_rc 0 env DATABRICKS_HOST="$base/ok/" DATABRICKS_TOKEN="$pat" "$probe" - header api
assert_match "$OUT" "^kind=pat host=$base/ok source=the environment$"
assert_match "$OUT" '^header: Bearer \*\*\* requests=0$'
assert_match "$OUT" '^api: HTTP 200 \{"token": "pat"\}$'
# the same token from [DEFAULT] when the environment configures nothing
probe_rc 0 "$probe" - api
assert_match "$OUT" "^kind=pat host=$base/ok source=profile 'DEFAULT' of '$cfg'$"
assert_match "$OUT" '^api: HTTP 200 \{"token": "pat"\}$'

# --- OAuth M2M: fetched on first use, cached, refreshed when forced ------------
probe_rc 0 "$probe" ok header header api force api
assert_match "$OUT" "^kind=oauth-m2m host=$base/ok source=profile 'ok' of '$cfg'$"
[ "$(grep -c '^header: Bearer \*\*\* requests=1$' "$OUT")" = 2 ] ||
	fail "the token was not fetched once and then cached"
assert_match "$OUT" '^api: HTTP 200 \{"token": 1\}$'
assert_match "$OUT" '^force: Bearer \*\*\* requests=2$'
assert_match "$OUT" '^api: HTTP 200 \{"token": 2\}$'
[ "$(token_posts ok)" = 2 ] || fail "expected 2 token requests, the stub saw $(token_posts ok)"

# a token valid for 61 s is used (outside the 60 s margin); 2 s later it is
# inside the margin and the next call fetches a new one before it expires
probe_rc 0 "$probe" short header header sleep:2 header api
[ "$(grep -c '^header: Bearer \*\*\* requests=1$' "$OUT")" = 2 ] ||
	fail "a token with 61 s left was not reused"
assert_match "$OUT" '^header: Bearer \*\*\* requests=2$'
assert_match "$OUT" '^api: HTTP 200 \{"token": 2\}$'
assert_match "$T_DIR/stub.log" '^POST /short/oidc/v1/token -> 200 token 1 for 61 s$'

# expired mid-run (the API refuses token 1): one refresh, one retry
probe_rc 0 "$probe" revoke api
assert_match "$OUT" '^api: HTTP 401 '
assert_match "$OUT" '^api: retry after 401$'
assert_match "$OUT" '^api: HTTP 200 \{"token": 2\}$'
# refused again after the refresh: exit 3, no third token
probe_rc 3 "$probe" revokeall api
assert_match "$ERR" 'HTTP 401 again after refreshing the OAuth token$'
[ "$(token_posts revokeall)" = 2 ] || fail "revokeall: expected exactly 2 token requests"

# --- refused and malformed token answers: exit 3 ------------------------------
probe_rc 3 "$probe" denied header
assert_match "$ERR" "^dbauth_probe: Databricks refused the OAuth client credentials of client '$client_id' \(from profile 'denied' of '$cfg'\): POST $base/denied/oidc/v1/token: HTTP 401: invalid_client: Client authentication failed$"
probe_rc 3 "$probe" wrong header
assert_match "$ERR" "Databricks refused the OAuth client credentials of client '$client_id'"
probe_rc 3 "$probe" notoken header
assert_match "$ERR" "Databricks OAuth token answer from POST $base/notoken/oidc/v1/token: 'access_token' is missing$"
# a server echoing the credentials back: masked in every form
probe_rc 3 "$probe" echo header
assert_match "$ERR" 'HTTP 401: invalid_client: rejected Basic \*\*\* secret \*\*\* \(rejected%20Basic%20\*\*\*%20secret%20\*\*\*\)$'
probe_rc 3 env DATABRICKS_HOST="http://127.0.0.1:1" DATABRICKS_CLIENT_ID=x \
	DATABRICKS_CLIENT_SECRET="$wrong_secret" "$probe" - header
assert_match "$ERR" 'POST http://127.0.0.1:1/oidc/v1/token failed after 1 attempt'

# both a token and client credentials: DATABRICKS_AUTH_TYPE picks one (as in the SDK)
probe_rc 0 env DATABRICKS_HOST="$base/ok" DATABRICKS_TOKEN="$pat" DATABRICKS_CLIENT_ID="$client_id" \
	DATABRICKS_CLIENT_SECRET="$client_secret" DATABRICKS_AUTH_TYPE=oauth-m2m "$probe" - api
assert_match "$OUT" '^kind=oauth-m2m '

# --- configuration errors: exit 2, naming what and where, before any request -----
cp "$T_DIR/stub.log" "$T_DIR/stub.log.1"
: >"$T_DIR/stub.log"
probe_rc 2 env DATABRICKS_HOST="$base/ok" DATABRICKS_TOKEN="$pat" DATABRICKS_CLIENT_ID="$client_id" \
	DATABRICKS_CLIENT_SECRET="$client_secret" "$probe" - api
assert_match "$ERR" 'more than one authentication method is configured: pat \(DATABRICKS_TOKEN\) and oauth \(DATABRICKS_CLIENT_ID, DATABRICKS_CLIENT_SECRET\)'
probe_rc 2 env DATABRICKS_TOKEN="$pat" "$probe" ok api
assert_match "$ERR" "more than one authentication method is configured: pat \(DATABRICKS_TOKEN\) and oauth \('client_id' of profile 'ok' in '$cfg' line [0-9]+, 'client_secret' of profile 'ok' in '$cfg' line [0-9]+\)"
probe_rc 2 "$probe" nope api
assert_match "$ERR" "profile 'nope' \(from the registry URI\) is not in '$cfg'"
probe_rc 2 env DATABRICKS_CONFIG_PROFILE=Ok "$probe" - api
assert_match "$ERR" "profile 'Ok' \(from DATABRICKS_CONFIG_PROFILE\) is not in '$cfg' \(sections are case-sensitive\)"
printf '[bad]\nhost = x\ntoken\n' >"$T_DIR/bad.cfg"
probe_rc 2 env DATABRICKS_CONFIG_FILE="$T_DIR/bad.cfg" "$probe" bad api
assert_match "$ERR" "Databricks configuration file '$T_DIR/bad.cfg', line 3: neither a \[section\] nor a 'key = value' line"
[ ! -s "$T_DIR/stub.log" ] || fail "a configuration error still sent a request: $(cat "$T_DIR/stub.log")"

# the SDK's own token request (the class its oauth-m2m uses, as it configures it) is
# accepted by the stub just as mlgate's: the stub checks what the SDK sends
"$MLGATE_TEST_PYTHON" - "$base/ok/oidc/v1/token" "$client_id" "$client_secret" <<'PY' ||
import sys
from databricks.sdk.oauth import ClientCredentials

t = ClientCredentials(client_id=sys.argv[2], client_secret=sys.argv[3], token_url=sys.argv[1],
                      scopes="all-apis", use_header=True).token()
sys.exit(0 if t.access_token.startswith("stub-") and t.token_type == "Bearer" else 1)
PY
	fail "the Databricks SDK's token request was not accepted by oauth_stub.py"

# --- parity with the Databricks SDK ---------------------------------------------
# The same configurations resolved by the SDK itself (dbauth_sdk.py) and by mlgate:
# the same method and host, or both refuse.
pcfg="$T_DIR/parity.cfg"
printf '[DEFAULT]\nhost = default.example\ntoken = dapi-default\n[p1]\nhost = p1.example/\nclient_id = cid-p1\nclient_secret = sec-p1\n[p2]\ntoken = dapi-p2\n[p3]\nHOST: https://p3.example:443/\nToken : dapi-p3\n[empty]\n' >"$pcfg"
printf '[__settings__]\ndefault_profile = p3\n[p3]\nhost = p3.example\ntoken = dapi-x\n' >"$T_DIR/settings.cfg"
printf '[DEFAULT]\n[p]\nhost = h\ntoken = dapi-x\n' >"$T_DIR/emptydefault.cfg"
both="DATABRICKS_HOST=h DATABRICKS_TOKEN=dapi-parity DATABRICKS_CLIENT_ID=c DATABRICKS_CLIENT_SECRET=sec-parity"
tab=$'\t'
cat >"$T_DIR/parity.cases" <<CASES
env-pat${tab}-${tab}DATABRICKS_HOST=env.example DATABRICKS_TOKEN=dapi-parity
env-m2m${tab}-${tab}DATABRICKS_HOST=https://env.example/ DATABRICKS_CLIENT_ID=c DATABRICKS_CLIENT_SECRET=sec-parity
default${tab}-${tab}
uri-profile${tab}p1${tab}
env-profile${tab}-${tab}DATABRICKS_CONFIG_PROFILE=p1
uri-over-env-profile${tab}p3${tab}DATABRICKS_CONFIG_PROFILE=p1
env-host-over-profile${tab}p1${tab}DATABRICKS_HOST=env.example
env-client-id-merged${tab}p1${tab}DATABRICKS_CLIENT_ID=env-cid
env-token-next-to-profile-m2m${tab}p1${tab}DATABRICKS_TOKEN=dapi-parity
no-default-inheritance${tab}p2${tab}
unknown-profile${tab}nope${tab}
unknown-env-profile${tab}-${tab}DATABRICKS_CONFIG_PROFILE=P1
both${tab}-${tab}$both
both-auth-pat${tab}-${tab}$both DATABRICKS_AUTH_TYPE=pat
both-auth-m2m${tab}-${tab}$both DATABRICKS_AUTH_TYPE=oauth-m2m
host-only${tab}-${tab}DATABRICKS_HOST=h
token-only${tab}-${tab}DATABRICKS_TOKEN=dapi-parity
half-client${tab}-${tab}DATABRICKS_HOST=h DATABRICKS_CLIENT_ID=c
empty-vars${tab}-${tab}DATABRICKS_HOST= DATABRICKS_TOKEN=
colon-case-port${tab}p3${tab}
port-443${tab}-${tab}DATABRICKS_HOST=https://x.example:443/ DATABRICKS_TOKEN=dapi-parity
host-path${tab}-${tab}DATABRICKS_HOST=https://x.example/a/b/ DATABRICKS_TOKEN=dapi-parity
http-host${tab}-${tab}DATABRICKS_HOST=http://127.0.0.1:8080/ DATABRICKS_TOKEN=dapi-parity
default-profile-setting${tab}-${tab}DATABRICKS_CONFIG_FILE=$T_DIR/settings.cfg
empty-default${tab}-${tab}DATABRICKS_CONFIG_FILE=$T_DIR/emptydefault.cfg
explicit-DEFAULT${tab}DEFAULT${tab}
empty-section${tab}empty${tab}
token-and-arm${tab}-${tab}DATABRICKS_HOST=h DATABRICKS_TOKEN=dapi-parity ARM_CLIENT_ID=a
CASES
DATABRICKS_CONFIG_FILE="$pcfg" "$MLGATE_TEST_PYTHON" "$here/dbauth_sdk.py" <"$T_DIR/parity.cases" >"$T_DIR/parity.sdk" ||
	fail "dbauth_sdk.py failed"
grep -q "^default${tab}kind=pat host=https://default.example$" "$T_DIR/parity.sdk" || fail "the SDK oracle is not working"
parity=0
while IFS="$tab" read -r name profile assigns; do
	want=$(sed -n "s/^$name$tab//p" "$T_DIR/parity.sdk")
	# shellcheck disable=SC2086 # the assignments are words
	DATABRICKS_CONFIG_FILE="$pcfg" run_cmd env $assigns "$probe" "$profile"
	case $RC in
	0) got=$(head -n 1 "$OUT" | sed 's/ source=.*//') ;;
	2) got=error ;;
	*) got="exit $RC: $(cat "$ERR")" ;;
	esac
	[ "$got" = "$want" ] || fail "SDK parity '$name': the Databricks SDK resolves '$want', mlgate '$got'"
	parity=$((parity + 1))
done <"$T_DIR/parity.cases"
[ "$parity" = 28 ] || fail "ran $parity parity cases, expected 28"

# --- nothing secret anywhere ----------------------------------------------------
basic=$(python3 -c 'import base64,sys; print(base64.b64encode(f"{sys.argv[1]}:{sys.argv[2]}".encode()).decode())' "$client_id" "$client_secret")
issued=$(sed -n 's/^issued //p' "$T_DIR/stub.log.1" "$T_DIR/stub.log")
[ "$(echo "$issued" | wc -l)" -ge 8 ] || fail "expected at least 8 issued tokens to look for"
for s in "$client_secret" "$wrong_secret" "$pat" "$basic" $issued; do
	if grep -qF -- "$s" "$T_DIR/all-output"; then
		fail "a secret reached the output: $(grep -nF -- "$s" "$T_DIR/all-output" | head -1 | cut -c1-20)..."
	fi
done
echo "t_dbauth: ok"
