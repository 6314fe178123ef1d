"""Column-mutation test of the compare -> promote chain on MLflow's SQLite
store (the SQLite side of registry_mutate.py): SQLite keeps whatever type a
writer gives a value, so a row written by another tool can hold a blob where
MLflow keeps text, or text where it keeps an integer.

A store is seeded with MLflow's own client (compare_seed.py) and the chain
(mlgate-compare --baseline-stage Production, then mlgate-promote to
Production on its evidence) is run once to check it passes. Then, for every
row of the tables the chain reads that belongs to the model (its versions,
their tags and aliases, the registered model, the versions' runs with their
latest metrics, params and tags) and every column the backend selects, a
copy of the store gets that one value changed:

  null   NULL                     (legal where MLflow's schema allows NULL)
  type   another storage class:   the same bytes as a BLOB for a text
                                  column (a TEXT column turns a number into
                                  text), text for an integer or real column

and the chain runs on the copy. Expected: a NULL in a column MLflow always
fills, and every type change, exit 3 naming TABLE.COLUMN with the file
byte-for-byte unchanged (nothing written); a NULL where MLflow allows one is
a legal store, counted apart with its exits. A value the chain does not read
gives the unmutated run's exit and output; those are listed.

Usage: registry_mutate_sqlite.py BIN_DIR WORK_DIR POLICY
"""
import contextlib
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time

bindir, work, policy = sys.argv[1:4]
here = os.path.dirname(os.path.abspath(__file__))
base = os.path.join(work, "base.db")
store = os.path.join(work, "store.db")
evidence = os.path.join(work, "compare.xml")

# The columns the backend selects, by table, and whether MLflow always fills them.
COLUMNS = {
    "model_versions": {"name": 1, "version": 1, "creation_time": 1, "last_updated_time": 0,
                       "description": 0, "user_id": 0, "current_stage": 1, "source": 0,
                       "run_id": 0, "status": 0, "status_message": 0, "run_link": 0},
    "model_version_tags": {"key": 1, "value": 0},
    "registered_model_aliases": {"alias": 1, "version": 1},
    "registered_models": {"name": 1, "creation_time": 0, "last_updated_time": 0,
                          "description": 0},
    "runs": {"run_uuid": 1, "name": 0, "experiment_id": 1, "user_id": 0, "status": 0,
             "start_time": 0, "end_time": 0, "lifecycle_stage": 0, "artifact_uri": 0},
    "latest_metrics": {"key": 1, "value": 1, "timestamp": 1, "step": 1, "is_nan": 1},
    "params": {"key": 1, "value": 0},
    "tags": {"key": 1, "value": 0},
}
# A NULL in a key column is refused by SQLite itself (NOT NULL primary keys): not a store.
KEYS = {"model_versions": {"name", "version"}, "model_version_tags": {"key"},
        "registered_model_aliases": {"alias"}, "registered_models": {"name"},
        "runs": {"run_uuid"}, "latest_metrics": {"key"}, "params": {"key"}, "tags": {"key"}}

with contextlib.redirect_stdout(sys.stderr):
    seed = json.loads(subprocess.run(
        [sys.executable, os.path.join(here, "compare_seed.py"), f"sqlite:///{base}"],
        check=True, capture_output=True, text=True).stdout)
model = seed["model"]


def chain(db):
    uri = f"sqlite:///{db}"
    c = subprocess.run([f"{bindir}/mlgate-compare", "--registry", uri, "--model", model,
                        "--alias", "challenger", "--baseline-stage", "Production",
                        "--policy", policy, "--junit", evidence],
                       capture_output=True, text=True)
    if c.returncode != 0:
        return c.returncode, c.stdout + c.stderr
    p = subprocess.run([f"{bindir}/mlgate-promote", "--registry", uri, "--model", model,
                        "--alias", "challenger", "--to-stage", "Production", "--require",
                        "compare", "--evidence", evidence],
                       capture_output=True, text=True)
    return p.returncode, c.stdout + c.stderr + p.stdout + p.stderr


def normal(text):
    return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "T", text)


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def rows(con):
    """(table, rowid, column, type) of every value the chain may read."""
    q = {
        "model_versions": "SELECT rowid FROM model_versions WHERE name = ?",
        "model_version_tags": "SELECT rowid FROM model_version_tags WHERE name = ?",
        "registered_model_aliases": "SELECT rowid FROM registered_model_aliases WHERE name = ?",
        "registered_models": "SELECT rowid FROM registered_models WHERE name = ?",
        "runs": "SELECT r.rowid FROM runs r JOIN model_versions mv ON mv.run_id = r.run_uuid "
                "WHERE mv.name = ?",
    }
    for t in ("latest_metrics", "params", "tags"):
        q[t] = (f"SELECT x.rowid FROM {t} x JOIN model_versions mv ON mv.run_id = x.run_uuid "
                "WHERE mv.name = ?")
    for table, sql in q.items():
        for (rowid,) in con.execute(sql, (model,)).fetchall():
            for column, always in COLUMNS[table].items():
                (typ,) = con.execute(f"SELECT typeof({column}) FROM {table} WHERE rowid = ?",
                                     (rowid,)).fetchone()
                yield table, rowid, column, always, typ


# the unmutated chain passes, and leaves a store to start every mutation from
rc, out = chain(base)
if rc != 0:
    sys.exit(f"FAIL: the unmutated chain exited {rc}: {out}")
con = sqlite3.connect(base)
con.execute("UPDATE model_versions SET current_stage = 'Production' WHERE name = ? AND "
            "version = 1", (model,))
con.execute("UPDATE model_versions SET current_stage = 'Staging' WHERE name = ? AND "
            "version = 2", (model,))
con.execute("DELETE FROM model_version_tags WHERE name = ? AND key LIKE 'mlgate.promote.%'",
            (model,))
con.commit()
targets = list(rows(con))
con.close()
shutil.copy(base, store)
rc, base_out = chain(store)
if rc != 0:
    sys.exit(f"FAIL: the reset chain exited {rc}: {base_out}")

started = time.monotonic()
strict = legal = refused = 0
rejected = set()
legal_codes = {}
not_read = []
for table, rowid, column, always, typ in targets:
    for kind in ("null", "type"):
        if kind == "null" and column in KEYS[table]:
            continue
        if kind == "null":
            expr = "NULL"
        elif typ == "text":
            expr = f"CAST({column} AS BLOB)"  # the same bytes, as a blob
        elif typ == "null":
            expr = "x'07'"
        else:
            expr = "'x'"
        shutil.copy(base, store)
        con = sqlite3.connect(store)
        try:
            con.execute(f"UPDATE {table} SET {column} = {expr} WHERE rowid = ?", (rowid,))
            con.commit()
        except sqlite3.IntegrityError:  # NOT NULL: SQLite itself refuses such a store
            refused += 1
            continue
        finally:
            con.close()
        before = digest(store)
        rc, out = chain(store)
        where = f"{table}.{column} (rowid {rowid}, {typ}) {kind}"
        if kind == "null" and not always:
            legal += 1
            legal_codes[rc] = legal_codes.get(rc, 0) + 1
            if rc not in (0, 1, 2, 3):
                sys.exit(f"FAIL: {where}: exit {rc}: {out}")
            continue
        if rc == 0 and normal(out) == normal(base_out):
            not_read.append(f"{table}.{column} {kind}")
            continue
        strict += 1
        rejected.add(f"{table}.{column}")
        if rc != 3 or digest(store) != before:
            sys.exit(f"FAIL: {where}: exit {rc}, store changed: {digest(store) != before}: {out}")
        if f"{table}.{column}" not in out:
            sys.exit(f"FAIL: {where}: the message does not name the column: {out}")

print(f"{len(targets)} values x 2 mutations: {strict} exit 3 naming the column with the store "
      f"unchanged; {legal} NULLs where MLflow allows them (legal; exits "
      f"{dict(sorted(legal_codes.items()))}); {len(not_read)} of values the chain does not "
      f"read (rows of other versions); {refused} refused by the schema's NOT NULL; {time.monotonic() - started:.0f} s")
# a column none of whose values the chain read: rows of versions it does not touch
for f in sorted(set(n.split(" ")[0] for n in not_read) - rejected):
    print(f"  not read in any row: {f}")
