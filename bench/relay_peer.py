"""The Python peer of mlgate-relay for bench/b_relay.sh: a minimal relay in
FastAPI (uvicorn, one process) with the same checks and the same durable
queue: X-MLflow-Signature verified in constant time (hmac.compare_digest),
the timestamp window, the delivery id remembered, one job per target written
to SQLite (WAL, synchronous=FULL) and committed before the 202.

    python relay_peer.py PORT DB SECRET
"""

import base64
import hashlib
import hmac
import json
import sqlite3
import sys
import threading
import time

import uvicorn
from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool

PORT, DB, SECRET = int(sys.argv[1]), sys.argv[2], sys.argv[3].encode()
local = threading.local()
app = FastAPI()

SCHEMA = """
CREATE TABLE IF NOT EXISTS seen(key TEXT PRIMARY KEY, at REAL NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS jobs(id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL,
  target TEXT NOT NULL, payload TEXT NOT NULL, state TEXT NOT NULL, tries INTEGER NOT NULL,
  next_at REAL NOT NULL, created REAL NOT NULL, updated REAL NOT NULL, last_status INTEGER,
  last_error TEXT);
CREATE INDEX IF NOT EXISTS jobs_due ON jobs(state, next_at);
"""


def db():
    c = getattr(local, "db", None)
    if c is None:
        c = sqlite3.connect(DB, timeout=10, isolation_level=None)
        c.execute("PRAGMA journal_mode = WAL")
        c.execute("PRAGMA synchronous = FULL")
        local.db = c
    return c


def enqueue(key, payload):
    c = db()
    now = time.time()
    c.execute("BEGIN IMMEDIATE")
    try:
        if c.execute("INSERT INTO seen(key, at) VALUES (?, ?) ON CONFLICT DO NOTHING",
                     (key, now)).rowcount == 0:
            c.execute("ROLLBACK")
            return False
        c.execute("INSERT INTO jobs(key, target, payload, state, tries, next_at, created, updated)"
                  " VALUES (?, 'gh', ?, 'queued', 0, ?, ?, ?)", (key, payload, now, now, now))
        c.execute("COMMIT")
    except BaseException:
        c.execute("ROLLBACK")
        raise
    return True


@app.post("/hooks/mlflow")
async def hook(request: Request):
    body = await request.body()
    h = request.headers
    did, ts, sig = h.get("x-mlflow-delivery-id"), h.get("x-mlflow-timestamp"), h.get("x-mlflow-signature", "")
    if not did or not ts or not ts.isdigit():
        return Response(status_code=400)
    mac = hmac.new(SECRET, f"{did}.{ts}.".encode() + body, hashlib.sha256).digest()
    if not hmac.compare_digest(sig, "v1," + base64.b64encode(mac).decode()):
        return Response(status_code=401)
    if abs(time.time() - int(ts)) > 300:
        return Response(status_code=401)
    ev = json.loads(body)
    data = ev.get("data", {})
    payload = json.dumps({"source": "mlflow", "event": f"{ev['entity']}.{ev['action']}",
                          "model": data.get("name"), "version": data.get("version"),
                          "alias": data.get("alias"), "dedupe_key": "mlflow:" + did},
                         separators=(",", ":"))
    if not await run_in_threadpool(enqueue, "mlflow:" + did, payload):
        return Response(status_code=409)
    return Response(content='{"status":"queued","jobs":1}\n', status_code=202,
                    media_type="application/json")


if __name__ == "__main__":
    c = sqlite3.connect(DB)
    c.executescript(SCHEMA)
    c.close()
    uvicorn.run(app, host="127.0.0.1", port=PORT, log_level="warning", access_log=False)
