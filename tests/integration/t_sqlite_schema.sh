#!/usr/bin/env bash
# SQLite backend, opening: a database MLflow made opens by relative and
# absolute URI; everything else is refused with one clear line and nothing
# created or changed. Exit 2 for what the user chose: a missing file (not
# created), a directory, malformed URIs, an unknown alembic revision, an older
# one (with the `mlflow db upgrade` hint). Exit 3 for a store that cannot be
# trusted: a file that is not SQLite (or whose header is damaged), an SQLite
# file that is not MLflow's, two revisions, a missing column or table.
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

# refused URI WANT_TEXT [CODE]: exit CODE (2), the text on stderr, nothing on stdout
refused() {
	local uri=$1 text=$2 want=${3:-2} rc=0
	"$regtool" "$uri" get-model "$model" >out 2>err || rc=$?
	if ((rc != want)) || ! grep -qF -- "$text" err || [ -s out ] || (($(wc -l <err) != 1)); then
		echo "FAIL: $uri: exit $rc, want $want and one line with '$text':"
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
refused sqlite:///junk.db "registry database 'junk.db' is not an SQLite database" 3
sql empty.db "CREATE TABLE t (x)"
refused sqlite:///empty.db "is not an MLflow database (it has no alembic_version table)" 3
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
refused sqlite:///tworevs.db "has 2 alembic_version rows" 3
cp good.db earlier.db
sql earlier.db "UPDATE alembic_version SET version_num = '1b5f0d9ad7c1'"
"$regtool" sqlite:///earlier.db get-model "$model" >/dev/null
echo "an earlier supported revision (1b5f0d9ad7c1) opens"

echo "# layouts"
cp good.db nocolumn.db
sql nocolumn.db "ALTER TABLE model_versions DROP COLUMN run_link"
refused sqlite:///nocolumn.db "table 'model_versions' has no column 'run_link'" 3
cp good.db notable.db
sql notable.db "DROP TABLE registered_model_aliases"
refused sqlite:///notable.db "has no table 'registered_model_aliases'" 3

echo "# damaged files: exit 3, and a write checks its tables first"
cp good.db header.db
printf 'SQLite format 9\0' | dd of=header.db bs=1 count=16 conv=notrunc status=none
refused sqlite:///header.db "registry database 'header.db' is not an SQLite database (or its header is damaged)" 3
cp good.db damaged.db
"$MLGATE_TEST_PYTHON" -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("INSERT INTO registered_model_tags (workspace, key, value, name) VALUES "
           "(?, ?, ?, ?)", ("default", "k", "v", sys.argv[2]))
db.commit()
(root,) = db.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", ("registered_model_tags",)).fetchone()
(size,) = db.execute("PRAGMA page_size").fetchone()
db.close()
with open(sys.argv[1], "r+b") as f:  # the page claims 32767 cells: a broken b-tree page
    f.seek((root - 1) * size + 3)
    f.write(b"\x7f\xff")' damaged.db "$model"
"$regtool" sqlite:///damaged.db get-version "$model" 1 >/dev/null # reads that do not touch it work
sum_damaged=$(sha256sum damaged.db)
rc=0
"$regtool" sqlite:///damaged.db set-tag "$model" 1 k v >out 2>err || rc=$?
if ((rc != 3)) || ! grep -qF "is damaged (PRAGMA quick_check(registered_model_tags)" err ||
	! grep -qF "nothing was written" err || [ "$(sha256sum damaged.db)" != "$sum_damaged" ]; then
	echo "FAIL: a write to a damaged store: exit $rc, want 3, 'is damaged', the file unchanged:"
	cat err out
	exit 1
fi
echo "refused: $(cat err)"

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
