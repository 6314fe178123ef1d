#!/usr/bin/env bash
# SQLite backend, locking: while another connection holds the write lock
# (python's sqlite3 in BEGIN IMMEDIATE), a write waits MLGATE_SQLITE_TIMEOUT
# seconds and then fails as an infrastructure error (exit 3) naming the lock
# and the variable; reads still work; a lock released within the timeout is
# waited for and the write succeeds. Nonsense timeouts are usage errors.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/testlib.sh"
cd "$MLGATE_TEST_TMP"
py() { "$MLGATE_TEST_PYTHON" "$here/sqlite_mlflow.py" "$@"; }

locker=
cleanup() {
	if [ -n "$locker" ]; then
		kill "$locker" 2>/dev/null || true
		wait "$locker" 2>/dev/null || true
	fi
}
trap cleanup EXIT

py seed sqlite:///mlflow.db >seed.json 2>seed.log || {
	cat seed.log
	exit 1
}
model=$("$MLGATE_TEST_PYTHON" -c 'import json; print(json.load(open("seed.json"))["model"])')
uri=sqlite:///mlflow.db

# lock SECONDS: hold the write lock in the background, return once it is held
lock() {
	rm -f lock.fifo
	mkfifo lock.fifo
	"$MLGATE_TEST_PYTHON" "$here/sqlite_mlflow.py" lock mlflow.db "$1" >lock.fifo 2>lock.log &
	locker=$!
	read -r line <lock.fifo
	[ "$line" = locked ] || {
		cat lock.log
		echo "FAIL: the locker did not take the lock"
		exit 1
	}
}

echo "# a held write lock: the write gives up after the timeout, exit 3"
lock 30
t0=$(date +%s.%N)
rc=0
MLGATE_SQLITE_TIMEOUT=1.5 "$regtool" "$uri" set-tag "$model" 1 gate passed 2>err || rc=$?
t1=$(date +%s.%N)
cat err
elapsed=$("$MLGATE_TEST_PYTHON" -c "print(round($t1 - $t0, 2))")
echo "gave up after $elapsed s"
((rc == 3)) || {
	echo "FAIL: exit $rc, want 3"
	exit 1
}
grep -qF "is locked by another process" err && grep -qF "after 1.5 s (MLGATE_SQLITE_TIMEOUT)" err || {
	echo "FAIL: the message does not name the lock and the timeout"
	exit 1
}
"$MLGATE_TEST_PYTHON" -c "import sys; sys.exit(not (1.4 <= $elapsed < 10))" || {
	echo "FAIL: gave up after $elapsed s with a timeout of 1.5 s"
	exit 1
}

echo "# reads go on while the write lock is held"
MLGATE_SQLITE_TIMEOUT=1 "$regtool" "$uri" get-version "$model" 1 >/dev/null
MLGATE_SQLITE_TIMEOUT=1 "$regtool" "$uri" search "" 2 >/dev/null
cleanup
locker=

echo "# a lock released within the timeout is waited for"
lock 2
MLGATE_SQLITE_TIMEOUT=20 "$regtool" "$uri" set-tag "$model" 1 gate passed
"$regtool" "$uri" get-version "$model" 1 | grep -qF '"gate":"passed"' || {
	echo "FAIL: the tag was not written after the wait"
	exit 1
}
wait "$locker" || true
locker=

echo "# nonsense timeouts"
for bad in abc -1 1e9 "" nan 3601 " 5"; do
	rc=0
	MLGATE_SQLITE_TIMEOUT=$bad "$regtool" "$uri" get-model "$model" >/dev/null 2>err || rc=$?
	if ((rc != 2)) || ! grep -qF MLGATE_SQLITE_TIMEOUT err; then
		echo "FAIL: MLGATE_SQLITE_TIMEOUT='$bad': exit $rc, want 2 naming the variable"
		cat err
		exit 1
	fi
	echo "refused: $(cat err)"
done
MLGATE_SQLITE_TIMEOUT=0 "$regtool" "$uri" get-model "$model" >/dev/null
echo ok
