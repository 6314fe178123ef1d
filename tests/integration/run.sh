#!/usr/bin/env bash
# Integration-test harness: starts a real MLflow server on loopback (from the
# project venv, see scripts/mlflow-venv.sh), runs tests/integration/t_*.sh
# against it and stops everything it started, whatever happens.
#
#   tests/integration/run.sh                  every t_*.sh
#   tests/integration/run.sh t_read_version   only these (name, name.sh or path)
#
# Tests run MLGATE_TEST_JOBS at a time (default: one per CPU; benchmarks one
# at a time), all against the one server, so a test must not depend on what
# others do there: its models and experiments get unique names (a uuid or
# $$), and it never reads the whole registry. A test that has to (it lists
# every experiment, say) has the line
#   # harness: own-server
# and gets a server of its own, started for it and stopped after it. A test
# whose server needs settings has lines
#   # harness: server-env NAME=VALUE
# and gets a server of its own started with them in its environment.
# Results print in sorted order, each with its duration, whatever order the
# tests end in; a failed test's log follows its line.
#
# Each test runs with its own empty working directory and sees:
#   MLGATE_TEST_MLFLOW_URI   http://127.0.0.1:PORT of the server
#   MLGATE_TEST_MLFLOW_DB    the server's SQLite database file (shared: others
#                            write to it at the same time)
#   The server serves artifacts (--serve-artifacts): an experiment created
#   at an mlflow-artifacts:/ location has its runs' artifacts uploaded through
#   it (t_report_artifact.sh); others keep the local --default-artifact-root.
#   MLGATE_TEST_PYTHON       the venv's python (has mlflow and scikit-learn): for
#                            tests, a shim in a copy of the venv's bin/ whose
#                            scripts are forks of one interpreter that has
#                            imported MLflow (pyzygote.py), seconds of CPU less
#                            each; MLGATE_TEST_ZYGOTE=0 runs the real one
#   MLGATE_TEST_TMP          a fresh directory for this test (also its cwd)
#   MLGATE_BIN               the mlgate executables (default bin)
#   MLGATE_TEST_BIN          the C test helpers (default build/tests)
# A test passes by exiting 0; exit 77 means skipped, with the reason on its
# last output line, and counts as a failure unless MLGATE_ALLOW_SKIP=1.
#
# Settings: MLGATE_TEST_SERVER_TIMEOUT (s, default 180) for the server to
# answer /health, MLGATE_TEST_TIMEOUT (s, default 600) per test,
# MLGATE_TEST_JOBS (tests at a time),
# MLGATE_TEST_KEEP=1 keeps the temporary directory (logs, database),
# MLGATE_TEST_PORT asks for a port first (another one is tried if it is taken).
set -euo pipefail

prog=run.sh
# Tests run as on a bare machine: a developer's or CI image's PYTHONUNBUFFERED
# hid a Python helper's unflushed output that a bare Debian lost.
unset PYTHONUNBUFFERED
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
# benchmarks measure time: one at a time unless asked
if [ "$prefix" = b_ ]; then
	jobs=${MLGATE_TEST_JOBS:-1}
else
	jobs=${MLGATE_TEST_JOBS:-$(nproc 2>/dev/null || echo 2)}
fi
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
case $jobs in
'' | *[!0-9]* | 0)
	echo "$prog: MLGATE_TEST_JOBS must be a positive whole number, got '$jobs'" >&2
	exit 2
	;;
esac

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
servers=()         # pids of every MLflow server running (the shared one first)
zygote_pid=
declare -A test_of=() # pid of a running test -> its index in tests[]

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

# stop_server PID: stop that server and forget it
stop_server() {
	local keep_pids=() p
	for p in "${servers[@]}"; do
		[ "$p" = "$1" ] || keep_pids+=("$p")
	done
	servers=("${keep_pids[@]}")
	stop_group "$1"
}

cleanup() {
	local rc=$? pid
	trap '' INT TERM
	for pid in "${!test_of[@]}"; do
		stop_group "$pid"
	done
	test_of=()
	for pid in "${servers[@]}"; do
		stop_group "$pid"
	done
	servers=()
	if [ -n "$zygote_pid" ]; then
		stop_group "$zygote_pid"
		zygote_pid=
	fi
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
	echo "$prog: interrupted (SIG$1), stopping the tests and the servers" >&2
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

show_server_log() { # LOG WHY [LINES]
	echo "--- last lines of the MLflow server log ($2) ---" >&2
	tail -n "${3:-40}" "$1" >&2 || true
	echo "---" >&2
}

# The server gets its own session, so its whole process tree can be stopped
# as one group and a Ctrl-C meant for us does not hit it half-way. Where
# setpriv exists, the servers and each test also get a SIGTERM if this script
# dies without running its clean-up (SIGKILL, out of memory).
server_prefix=(setsid)
test_prefix=()
if command -v setpriv >/dev/null 2>&1; then
	server_prefix+=(setpriv --pdeathsig TERM)
	test_prefix+=(setpriv --pdeathsig TERM)
fi

# try_server DIR PORT: start a server on PORT with its database, artifacts
# and log in DIR and wait for /health. Returns 0 when it answers (its pid is
# the last of servers[]), 2 when it died because the port was taken, 1 on
# any other failure.
server_env=() # NAME=VALUE for the next server started (a test's server-env lines)
try_server() {
	local dir=$1 port=$2 deadline body pid
	mkdir -p "$dir"
	(
		cd "$dir"
		exec "${server_prefix[@]}" env "${server_env[@]}" "$VENV/bin/mlflow" server \
			--backend-store-uri "sqlite:///$dir/mlflow.db" \
			--default-artifact-root "$dir/artifacts" \
			--serve-artifacts --artifacts-destination "$dir/mlartifacts" \
			--host 127.0.0.1 --port "$port" --workers 1
	) </dev/null >"$dir/server.log" 2>&1 &
	pid=$!
	servers+=("$pid")
	deadline=$((SECONDS + server_timeout))
	while :; do
		if ! kill -0 "$pid" 2>/dev/null; then
			stop_server "$pid"
			if grep -qiE 'address already in use|errno 98' "$dir/server.log"; then
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

# start_server DIR [PORT]: a server for DIR, on PORT first when given, on
# another free port when that one is taken. Sets $server_pid and $server_uri.
start_server() {
	local dir=$1 port try rc
	for ((try = 1; ; try++)); do
		if ((try == 1)) && [ -n "${2:-}" ]; then
			port=$2
		else
			port=$(free_port)
		fi
		rc=0
		try_server "$dir" "$port" || rc=$?
		if ((rc == 0)); then
			server_pid=${servers[-1]}
			server_uri=http://127.0.0.1:$port
			return 0
		fi
		if ((rc == 2 && try < port_tries)); then
			echo "$prog: port $port was taken, trying another one" >&2
			continue
		fi
		show_server_log "$dir/server.log" "start-up failed"
		return 1
	done
}

# The Python fork server (pyzygote.py) for the tests' Python helpers, not for
# benchmarks (they time a fresh Python peer). It imports MLflow while the
# server starts; a test that calls Python before it is ready waits for it.
use_zygote=${MLGATE_TEST_ZYGOTE:-1}
[ "$prefix" = t_ ] || use_zygote=0
MLGATE_TEST_PYTHON=$VENV/bin/python
if [ "$use_zygote" = 1 ]; then
	pybin=$tmp/python/bin
	mkdir -p "$pybin"
	for f in "$VENV"/bin/*; do
		case ${f##*/} in
		python | python3 | python3.*) ;;
		*) ln -s "$f" "$pybin/" ;;
		esac
	done
	zygote_sock=$tmp/python/zygote.sock
	cat >"$pybin/python" <<EOF
#!/bin/sh
exec '$VENV/bin/python' -I -S '$here/pyzygote.py' client '$zygote_sock' '$VENV/bin/python' "\$@"
EOF
	chmod +x "$pybin/python"
	ln -s python "$pybin/python3"
	(
		cd "$tmp"
		exec "${test_prefix[@]}" "$VENV/bin/python" "$here/pyzygote.py" serve "$zygote_sock" "$pybin/python"
	) </dev/null >"$tmp/zygote.log" 2>&1 &
	zygote_pid=$!
	MLGATE_TEST_PYTHON=$pybin/python
fi

started=$SECONDS
start_server "$tmp" "${MLGATE_TEST_PORT:-}" || exit 1
version=$(curl --noproxy '*' -s --max-time 5 "$server_uri/version" || true)
echo "MLflow ${version:-?} server on $server_uri (up in $((SECONDS - started)) s)"
if [ -n "$zygote_pid" ]; then
	deadline=$((SECONDS + server_timeout))
	while [ ! -S "$zygote_sock" ] && kill -0 "$zygote_pid" 2>/dev/null && ((SECONDS < deadline)); do
		sleep 0.1
	done
	if [ -S "$zygote_sock" ]; then
		echo "Python fork server ready (up in $((SECONDS - started)) s)"
	else
		echo "$prog: the Python fork server did not start; the tests run the venv's python" >&2
		tail -n 20 "$tmp/zygote.log" >&2 || true
		MLGATE_TEST_PYTHON=$VENV/bin/python
	fi
fi

# --- the tests ------------------------------------------------------------

export MLGATE_TEST_MLFLOW_URI=$server_uri
# the server's own database: tests cross-check the SQLite backend against it
export MLGATE_TEST_MLFLOW_DB=$tmp/mlflow.db
export MLGATE_TEST_PYTHON MLGATE_BIN MLGATE_TEST_BIN

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

# launch I: start test I in the background (its own server first, when it
# asks for one). A test that cannot start gets its result at once.
declare -A start_of=() rc_of=() secs_of=() own_of=() note_of=()
launch() {
	local i=$1 t=${tests[$1]} name dir uri db line
	name=$(basename "$t" .sh)
	dir=$tmp/tests/$name
	rm -rf "$dir"
	mkdir -p "$dir"
	uri=$MLGATE_TEST_MLFLOW_URI db=$MLGATE_TEST_MLFLOW_DB
	start_of[$i]=$SECONDS
	server_env=()
	while IFS= read -r line; do
		server_env+=("${line#'# harness: server-env '}")
	done < <(grep -E '^# harness: server-env [A-Za-z_][A-Za-z0-9_]*=' "$t" || true)
	if grep -qx '# harness: own-server' "$t" || ((${#server_env[@]})); then
		if ! start_server "$tmp/servers/$name" >"$tmp/logs/$name.log" 2>&1; then
			rc_of[$i]=1 secs_of[$i]=$((SECONDS - start_of[$i]))
			note_of[$i]="its own MLflow server did not start"
			return 0
		fi
		own_of[$i]=$server_pid
		uri=$server_uri db=$tmp/servers/$name/mlflow.db
	fi
	# timeout puts the test in its own process group and kills all of it
	(
		cd "$dir"
		export MLGATE_TEST_TMP=$dir MLGATE_TEST_MLFLOW_URI=$uri MLGATE_TEST_MLFLOW_DB=$db
		exec "${test_prefix[@]}" timeout -k 10 "$test_timeout" bash "$t"
	) </dev/null >>"$tmp/logs/$name.log" 2>&1 &
	test_of[$!]=$i
}

# reap: wait until at least one running test has ended; record the results.
# (Polled: `wait -n` does not see a job that ended before it was called.)
reap() {
	local pid rc i ended=0
	while :; do
		for pid in "${!test_of[@]}"; do
			kill -0 "$pid" 2>/dev/null && continue
			rc=0
			wait "$pid" || rc=$?
			i=${test_of[$pid]}
			unset "test_of[$pid]"
			rc_of[$i]=$rc secs_of[$i]=$((SECONDS - start_of[$i]))
			if [ -n "${own_of[$i]:-}" ]; then
				stop_server "${own_of[$i]}"
			fi
			ended=1
		done
		((ended)) && return 0
		sleep 0.2
	done
}

# report I: print test I's result (and its log when it failed)
report() {
	local i=$1 t=${tests[$1]} name log rc reason
	name=$(basename "$t" .sh)
	log=$tmp/logs/$name.log
	rc=${rc_of[$i]}
	if ((rc == 0)); then
		echo "ok $name (${secs_of[$i]} s)"
		[ "$prefix" = b_ ] && show_log "$log" # a benchmark's numbers are its result
		passed=$((passed + 1))
		return 0
	fi
	if ((rc == 77)); then
		reason=$(grep -v '^[[:space:]]*$' "$log" | tail -n 1 || true)
		if [ "$allow_skip" = 1 ]; then
			echo "skip $name: ${reason:-no reason given}"
			skipped=$((skipped + 1))
			return 0
		fi
		echo "FAIL $name (skipped: ${reason:-no reason given}; skips fail unless MLGATE_ALLOW_SKIP=1)"
	elif [ -n "${note_of[$i]:-}" ]; then
		echo "FAIL $name (${note_of[$i]})"
	elif ((rc == 124)); then
		echo "FAIL $name (timed out after ${test_timeout} s, MLGATE_TEST_TIMEOUT; exit $rc)"
	elif ((rc == 137)); then
		echo "FAIL $name (killed: exit 137; a timeout it ignored, or out of memory)"
	else
		echo "FAIL $name (exit $rc, after ${secs_of[$i]} s)"
	fi
	show_log "$log"
	if [ -n "${own_of[$i]:-}" ] || [ -n "${note_of[$i]:-}" ]; then
		show_server_log "$tmp/servers/$name/server.log" "its own server" 30 2>&1
	fi
	failed=$((failed + 1))
	failed_names+=("$name")
}

next=0
shown=0
run_started=$SECONDS
while ((shown < ${#tests[@]})); do
	while ((${#test_of[@]} < jobs && next < ${#tests[@]})); do
		launch "$next"
		next=$((next + 1))
	done
	while ((shown < ${#tests[@]})) && [ -n "${rc_of[$shown]:-}" ]; do
		report "$shown"
		shown=$((shown + 1))
	done
	if ((${#test_of[@]})); then
		reap
	fi
done
echo "$prog: ${#tests[@]} tests in $((SECONDS - run_started)) s, $jobs at a time"

if ((failed)); then
	show_server_log "$tmp/server.log" "the shared server, for the failures above" 30 2>&1
	echo "failed: ${failed_names[*]}"
fi
summary="$passed passed, $failed failed"
((skipped)) && summary+=", $skipped skipped"
if ((failed == 0 && passed == 0)); then
	echo "$prog: no test ran (all skipped)" >&2
fi
echo "$summary"
((failed == 0 && passed > 0))
