#!/usr/bin/env bash
# SQLite backend, opening: a database MLflow made opens by relative and
# absolute URI; everything else is refused with one clear line, exit 2, and
# nothing created or changed: a missing file (not created), a file that is not
# SQLite, an SQLite file that is not MLflow's, an unknown alembic revision,
# an older one (with the `mlflow db upgrade` hint), a missing column, a
# missing table, malformed URIs.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/testlib.sh"
cd "$MLGATE_TEST_TMP"
py() { "$MLGATE_TEST_PYTHON" "$here/sqlite_mlflow.py" "$@"; }
sql() { # DB SQL: change a copy the way a foreign tool would
	"$MLGATE_TEST_PYTHON" -c 'import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
con.executescript(sys.argv[2])
con.commit()' "$1" "$2"
}

py seed sqlite:///good.db >seed.json 2>seed.log || {
	cat seed.log
	exit 1
}
model=$("$MLGATE_TEST_PYTHON" -c 'import json; print(json.load(open("seed.json"))["model"])')
sum_before=$(sha256sum good.db)

echo "# relative and absolute URIs open"
"$regtool" sqlite:///good.db get-model "$model" >/dev/null
"$regtool" "sqlite:///$PWD/good.db" get-model "$model" >/dev/null
mkdir -p sub
(cd sub && "$regtool" sqlite:///../good.db get-model "$model" >/dev/null)
echo ok

# refused URI WANT_TEXT: exit 2, the text on stderr, nothing on stdout
refused() {
	local uri=$1 text=$2 rc=0
	"$regtool" "$uri" get-model "$model" >out 2>err || rc=$?
	if ((rc != 2)) || ! grep -qF -- "$text" err || [ -s out ] || (($(wc -l <err) != 1)); then
		echo "FAIL: $uri: exit $rc, want 2 and one line with '$text':"
		cat err out
		exit 1
	fi
	if grep -q '\[not_found\]' err; then
		echo "FAIL: $uri: a broken registry must not read as 'not found'"
		exit 1
	fi
	echo "refused: $(cat err)"
}

echo "# a missing file is an error and is not created"
refused sqlite:///missing.db "registry database 'missing.db' does not exist"
refused "sqlite:///$PWD/nodir/missing.db" "registry database '$PWD/nodir/missing.db' does not exist"
[ ! -e missing.db ] && [ ! -e nodir ] || {
	echo "FAIL: a database file or directory was created"
	exit 1
}

echo "# not SQLite, not MLflow"
echo "this is not a database, just text long enough to fill a header....." >junk.db
refused sqlite:///junk.db "registry database 'junk.db' is not an SQLite database"
sql empty.db "CREATE TABLE t (x)"
refused sqlite:///empty.db "is not an MLflow database (it has no alembic_version table)"
refused sqlite:///sub "is a directory"

echo "# revisions"
cp good.db unknown.db
sql unknown.db "UPDATE alembic_version SET version_num = 'ffffffffffff'"
refused sqlite:///unknown.db "unknown schema revision 'ffffffffffff'"
cp good.db older.db
sql older.db "UPDATE alembic_version SET version_num = '451aebb31d03'"
refused sqlite:///older.db "upgrade it with \`mlflow db upgrade sqlite:///older.db\`"
cp good.db tworevs.db
sql tworevs.db "INSERT INTO alembic_version VALUES ('1b5f0d9ad7c1')"
refused sqlite:///tworevs.db "has 2 alembic_version rows"
cp good.db earlier.db
sql earlier.db "UPDATE alembic_version SET version_num = '1b5f0d9ad7c1'"
"$regtool" sqlite:///earlier.db get-model "$model" >/dev/null
echo "an earlier supported revision (1b5f0d9ad7c1) opens"

echo "# layouts"
cp good.db nocolumn.db
sql nocolumn.db "ALTER TABLE model_versions DROP COLUMN run_link"
refused sqlite:///nocolumn.db "table 'model_versions' has no column 'run_link'"
cp good.db notable.db
sql notable.db "DROP TABLE registered_model_aliases"
refused sqlite:///notable.db "has no table 'registered_model_aliases'"

echo "# URIs"
refused "sqlite://" "expected sqlite:///relative/path.db"
refused "sqlite:///" "expected sqlite:///relative/path.db"
refused "sqlite://host/x.db" "expected sqlite:///relative/path.db"
refused "sqlite:///good.db?mode=ro" "query parameters in sqlite URIs are not supported"
refused "sqlite:///:memory:" "an in-memory database holds no registry"

echo "# reading never changed the good database"
[ "$(sha256sum good.db)" = "$sum_before" ] || {
	echo "FAIL: good.db changed"
	exit 1
}
echo ok
