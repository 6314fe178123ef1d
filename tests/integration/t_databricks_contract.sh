#!/usr/bin/env bash
# The Databricks emulator (dbemu.py) proven against the real clients: MLflow's MlflowClient
# ("databricks", "databricks-uc") and the Databricks SDK (dbemu_contract.py), and mlgate's
# own client (regtool) compared with MLflow's on the same emulator; over TLS with a
# CA made here and given to both clients as REQUESTS_CA_BUNDLE (Databricks is https only;
# neither client refuses plain http, which is checked too). The harness's MLflow server is
# not used.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testlib.sh"
py=$MLGATE_TEST_PYTHON
pat=dapi-emu-pat-0123456789

# a test CA and a server certificate for 127.0.0.1 signed by it
tls=$T_DIR/tls
mkdir -p "$tls"
ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
openssl req -x509 "${ec[@]}" -days 2 -subj "/CN=dbemu test CA" \
	-keyout "$tls/ca.key" -out "$tls/ca.pem" 2>"$ERR" || { cat "$ERR" >&2; fail "openssl CA"; }
openssl req "${ec[@]}" -subj "/CN=127.0.0.1" -keyout "$tls/server.key" \
	-out "$tls/server.csr" 2>"$ERR" || { cat "$ERR" >&2; fail "openssl csr"; }
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n' >"$tls/ext"
openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" \
	-CAcreateserial -days 2 -extfile "$tls/ext" -out "$tls/server.pem" 2>"$ERR" ||
	{ cat "$ERR" >&2; fail "openssl sign"; }

pids=()
stop_emus() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
}
trap stop_emus EXIT

# start_emu NAME ARGS...: an emulator writing its port to $T_DIR/NAME.port
start_emu() {
	local name=$1
	shift
	"$py" "$here/dbemu.py" --port 0 --port-file "$T_DIR/$name.port" \
		--token "user@example.com=$pat" --token editor@example.com=dapi-emu-editor-9876 \
		--client sp-ci:sp-secret-Zq81 --page-size 2 "$@" >"$T_DIR/$name.log" 2>&1 &
	pids+=($!)
	for _ in $(seq 100); do
		[ -s "$T_DIR/$name.port" ] && return 0
		kill -0 "${pids[-1]}" 2>/dev/null || break
		sleep 0.1
	done
	cat "$T_DIR/$name.log" >&2
	fail "the emulator $name did not start"
}

start_emu tls --tls-cert "$tls/server.pem" --tls-key "$tls/server.key"
https_url=https://127.0.0.1:$(cat "$T_DIR/tls.port")
start_emu plain
http_url=http://127.0.0.1:$(cat "$T_DIR/plain.port")

# the whole contract over TLS (mlgate's regtool too: its reads and writes compared with
# MLflow's, the CA given as MLFLOW_TRACKING_SERVER_CERT_PATH), and a short run over http
REQUESTS_CA_BUNDLE=$tls/ca.pem "$py" "$here/dbemu_contract.py" --url "$https_url" \
	--plain-url "$http_url" --regtool "$regtool" >"$OUT" 2>"$ERR" || {
	cat "$OUT" "$ERR" >&2
	fail "the emulator does not keep the contract of the real clients"
}
assert_match "$OUT" "all checks passed"
grep 'all checks passed' "$OUT"

# TLS is real: requests, both clients' transport, refuses the certificate without the CA
cat >"$T_DIR/tls_check.py" <<'EOF'
import os, requests
# requests is the transport of both clients: it must refuse the certificate without the CA
try:
    requests.get(os.environ["DATABRICKS_HOST"] + "/.well-known/databricks-config", timeout=10)
    raise SystemExit("the emulator's certificate was accepted without its CA")
except requests.exceptions.SSLError as e:
    assert "CERTIFICATE_VERIFY_FAILED" in str(e), repr(e)[:300]
r = requests.get(os.environ["DATABRICKS_HOST"] + "/.well-known/databricks-config", timeout=10,
                 verify=os.environ["CA"])
assert r.json()["oidc_endpoint"] == os.environ["DATABRICKS_HOST"] + "/oidc", r.text
print("https without the CA refused")
EOF
DATABRICKS_HOST=$https_url CA=$tls/ca.pem "$py" "$T_DIR/tls_check.py" >"$OUT" 2>&1 ||
	{ cat "$OUT" >&2; fail "TLS checks"; }
cat "$OUT"
