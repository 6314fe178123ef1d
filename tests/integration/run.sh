#!/usr/bin/env bash
# Integration-test harness: starts a real MLflow server on loopback (from the
# project venv, see scripts/mlflow-venv.sh), runs tests/integration/t_*.sh
# against it and stops everything it started, whatever happens.
#
#   tests/integration/run.sh                  every t_*.sh, in sorted order
#   tests/integration/run.sh t_read_version   only these (name, name.sh or path)
#
# Each test runs with its own empty working directory and sees:
#   MLGATE_TEST_MLFLOW_URI   http://127.0.0.1:PORT of the server
#   MLGATE_TEST_MLFLOW_DB    the server's SQLite database file
#   MLGATE_TEST_PYTHON       the venv's python (has mlflow and scikit-learn)
#   MLGATE_TEST_TMP          a fresh directory for this test (also its cwd)
#   MLGATE_BIN               the mlgate executables (default bin)
#   MLGATE_TEST_BIN          the C test helpers (default build/tests)
# A test passes by exiting 0; exit 77 means skipped, with the reason on its
# last output line, and counts as a failure unless MLGATE_ALLOW_SKIP=1.
#
# Settings: MLGATE_TEST_SERVER_TIMEOUT (s, default 180) for the server to
# answer /health, MLGATE_TEST_TIMEOUT (s, default 600) per test,
# MLGATE_TEST_KEEP=1 keeps the temporary directory (logs, database),
# MLGATE_TEST_PORT asks for a port first (another one is tried if it is taken).
set -euo pipefail

prog=run.sh
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# `make bench` runs the benchmarks (bench/b_*.sh) on the same harness
suite_dir=$here
prefix=t_
if [ "${MLGATE_HARNESS_SUITE:-tests}" = bench ]; then
	suite_dir=$repo/bench
	prefix=b_
fi

server_timeout=${MLGATE_TEST_SERVER_TIMEOUT:-180}
test_timeout=${MLGATE_TEST_TIMEOUT:-600}
allow_skip=${MLGATE_ALLOW_SKIP:-0}
keep=${MLGATE_TEST_KEEP:-0}
port_tries=4 # the first port, then up to 3 others when it was taken

for n in "$server_timeout" "$test_timeout"; do
	case $n in
	'' | *[!0-9]* | 0)
		echo "$prog: timeouts must be positive whole seconds, got '$n'" >&2
		exit 2
		;;
	esac
done

# Paths the tests get are absolute: each test runs in its own directory.
abspath() {
	case $1 in
	/*) printf '%s\n' "$1" ;;
	*) printf '%s\n' "$PWD/$1" ;;
	esac
}
MLGATE_BIN=$(abspath "${MLGATE_BIN:-bin}")
MLGATE_TEST_BIN=$(abspath "${MLGATE_TEST_BIN:-build/tests}")

# --- which tests --------------------------------------------------------

tests=()
if (($#)); then
	for arg in "$@"; do
		name=$(basename "$arg" .sh)
		if [ ! -f "$suite_dir/$name.sh" ] || [[ $name != "$prefix"* ]]; then
			echo "$prog: no such test '$arg' (tests are $suite_dir/$prefix*.sh)" >&2
			exit 2
		fi
		tests+=("$suite_dir/$name.sh")
	done
else
	while IFS= read -r t; do
		tests+=("$t")
	done < <(find "$suite_dir" -maxdepth 1 -type f -name "$prefix*.sh" | LC_ALL=C sort)
fi
if ((${#tests[@]} == 0)); then
	echo "$prog: no test to run (no $suite_dir/$prefix*.sh)" >&2
	echo "0 passed, 0 failed"
	exit 1
fi

# --- clean-up, whatever happens -------------------------------------------

tmp=
server_pid=
test_pid=

# TERM the process group led by $1, wait up to 10 s for all of it to go,
# then KILL what is left. The caller's own shell reaps the leader.
stop_group() {
	local pid=$1 i
	kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 100; i++)); do
		kill -0 -- "-$pid" 2>/dev/null || kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 -- "-$pid" 2>/dev/null || kill -0 "$pid" 2>/dev/null; then
		echo "$prog: process group $pid still running after 10 s, killing it" >&2
		kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
}

stop_server() {
	if [ -n "$server_pid" ]; then
		local pid=$server_pid
		server_pid=
		stop_group "$pid"
	fi
}

cleanup() {
	local rc=$?
	trap '' INT TERM
	if [ -n "$test_pid" ]; then
		stop_group "$test_pid"
		test_pid=
	fi
	stop_server
	if [ -n "$tmp" ]; then
		if [ "$keep" = 1 ]; then
			echo "$prog: kept $tmp (MLGATE_TEST_KEEP=1)" >&2
		else
			rm -rf "$tmp"
		fi
	fi
	exit "$rc"
}

on_signal() {
	trap '' INT TERM
	echo "$prog: interrupted (SIG$1), stopping the test and the server" >&2
	exit "$2"
}

trap cleanup EXIT
trap 'on_signal INT 130' INT
trap 'on_signal TERM 143' TERM

# --- the virtual environment ----------------------------------------------

venv_out=$("$repo/scripts/mlflow-venv.sh")
VENV=${venv_out##*$'\n'}
[ -x "$VENV/bin/mlflow" ] || {
	echo "$prog: scripts/mlflow-venv.sh gave '$VENV', which has no bin/mlflow" >&2
	exit 1
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mlgate-it.XXXXXX")
mkdir -p "$tmp/tests" "$tmp/logs"

# Nothing here talks to anything but loopback: no proxy for it, no telemetry.
export NO_PROXY=127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}
export no_proxy=127.0.0.1,localhost${no_proxy:+,$no_proxy}
export MLFLOW_DISABLE_TELEMETRY=true DO_NOT_TRACK=true
# The server's job runner (GenAI jobs) would add eight Python processes and a
# /dev/shm directory it never removes; the registry does not need it.
export MLFLOW_SERVER_ENABLE_JOB_EXECUTION=${MLFLOW_SERVER_ENABLE_JOB_EXECUTION:-false}

# --- the server -----------------------------------------------------------

free_port() {
	"$VENV/bin/python" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

show_server_log() {
	echo "--- last lines of the MLflow server log ($1) ---" >&2
	tail -n "${2:-40}" "$tmp/server.log" >&2 || true
	echo "---" >&2
}

# The server gets its own session, so its whole process tree can be stopped
# as one group and a Ctrl-C meant for us does not hit it half-way. Where
# setpriv exists, the server and each test also get a SIGTERM if this script
# dies without running its clean-up (SIGKILL, out of memory).
server_prefix=(setsid)
test_prefix=()
if command -v setpriv >/dev/null 2>&1; then
	server_prefix+=(setpriv --pdeathsig TERM)
	test_prefix+=(setpriv --pdeathsig TERM)
fi

# Start the server on $port and wait for /health. Returns 0 when it answers,
# 2 when it died because the port was taken, 1 on any other failure.
start_server() {
	local deadline body
	: >"$tmp/server.log"
	(
		cd "$tmp"
		exec "${server_prefix[@]}" "$VENV/bin/mlflow" server \
			--backend-store-uri "sqlite:///$tmp/mlflow.db" \
			--default-artifact-root "$tmp/artifacts" \
			--host 127.0.0.1 --port "$port" --workers 1
	) </dev/null >"$tmp/server.log" 2>&1 &
	server_pid=$!
	deadline=$((SECONDS + server_timeout))
	while :; do
		if ! kill -0 "$server_pid" 2>/dev/null; then
			wait "$server_pid" 2>/dev/null || true
			server_pid=
			if grep -qiE 'address already in use|errno 98' "$tmp/server.log"; then
				return 2
			fi
			echo "$prog: the MLflow server exited during start-up" >&2
			return 1
		fi
		body=$(curl --noproxy '*' -s --max-time 5 -w '\n%{http_code}' \
			"http://127.0.0.1:$port/health" 2>/dev/null || true)
		if [ "$body" = $'OK\n200' ]; then
			return 0
		fi
		if ((SECONDS >= deadline)); then
			echo "$prog: the MLflow server did not answer /health within ${server_timeout} s" \
				"(MLGATE_TEST_SERVER_TIMEOUT)" >&2
			return 1
		fi
		sleep 0.25
	done
}

started=$SECONDS
for ((try = 1; ; try++)); do
	if ((try == 1)) && [ -n "${MLGATE_TEST_PORT:-}" ]; then
		port=$MLGATE_TEST_PORT
	else
		port=$(free_port)
	fi
	rc=0
	start_server || rc=$?
	((rc == 0)) && break
	if ((rc == 2 && try < port_tries)); then
		echo "$prog: port $port was taken, trying another one" >&2
		continue
	fi
	show_server_log "start-up failed"
	stop_server
	exit 1
done
version=$(curl --noproxy '*' -s --max-time 5 "http://127.0.0.1:$port/version" || true)
echo "MLflow ${version:-?} server on http://127.0.0.1:$port (up in $((SECONDS - started)) s)"

# --- the tests ------------------------------------------------------------

export MLGATE_TEST_MLFLOW_URI=http://127.0.0.1:$port
# the server's own database: tests cross-check the SQLite backend against it
export MLGATE_TEST_MLFLOW_DB=$tmp/mlflow.db
export MLGATE_TEST_PYTHON=$VENV/bin/python
export MLGATE_BIN MLGATE_TEST_BIN

passed=0
failed=0
skipped=0
failed_names=()

show_log() {
	local log=$1 lines max=300
	lines=$(wc -l <"$log")
	if ((lines > max)); then
		echo "    [... first $((lines - max)) lines left out ...]"
	fi
	tail -n "$max" "$log" | sed 's/^/    | /'
}

for t in "${tests[@]}"; do
	name=$(basename "$t" .sh)
	export MLGATE_TEST_TMP=$tmp/tests/$name
	log=$tmp/logs/$name.log
	rm -rf "$MLGATE_TEST_TMP"
	mkdir -p "$MLGATE_TEST_TMP"
	# In the background, so a signal to this script is handled at once;
	# timeout puts the test in its own process group and kills all of it.
	(cd "$MLGATE_TEST_TMP" && exec "${test_prefix[@]}" timeout -k 10 "$test_timeout" bash "$t") \
		</dev/null >"$log" 2>&1 &
	test_pid=$!
	rc=0
	wait "$test_pid" || rc=$?
	test_pid=
	if ((rc == 0)); then
		echo "ok $name"
		[ "$prefix" = b_ ] && show_log "$log" # a benchmark's numbers are its result
		passed=$((passed + 1))
		continue
	fi
	if ((rc == 77)); then
		reason=$(grep -v '^[[:space:]]*$' "$log" | tail -n 1 || true)
		if [ "$allow_skip" = 1 ]; then
			echo "skip $name: ${reason:-no reason given}"
			skipped=$((skipped + 1))
			continue
		fi
		echo "FAIL $name (skipped: ${reason:-no reason given}; skips fail unless MLGATE_ALLOW_SKIP=1)"
	elif ((rc == 124)); then
		echo "FAIL $name (timed out after ${test_timeout} s, MLGATE_TEST_TIMEOUT; exit $rc)"
	elif ((rc == 137)); then
		echo "FAIL $name (killed: exit 137; a timeout it ignored, or out of memory)"
	else
		echo "FAIL $name (exit $rc)"
	fi
	show_log "$log"
	failed=$((failed + 1))
	failed_names+=("$name")
done

if ((failed)); then
	show_server_log "for the failures above" 30 2>&1
	echo "failed: ${failed_names[*]}"
fi
summary="$passed passed, $failed failed"
((skipped)) && summary+=", $skipped skipped"
if ((failed == 0 && passed == 0)); then
	echo "$prog: no test ran (all skipped)" >&2
fi
echo "$summary"
((failed == 0 && passed > 0))
