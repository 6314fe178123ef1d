"""Run `mlgate-relay serve` on a port it picks, send it requests, stop it, as a
CLI case would by hand (tests/cli/cases/0NN-relay-*.case).

    python3 relay_probe.py MLGATE_RELAY CONFIG REQUEST...

The source `mlflow` signs with the secret in $S. Each REQUEST is one word:

    alias:NAME[:MODEL]  a signed model_version_alias.created (version 7) with a new id
    again               the previous delivery once more (same id, same timestamp)
    stale               a signed delivery timestamped an hour ago
    badsig              a signature with the wrong secret
    noid                no X-MLflow-Delivery-Id header
    malformed           a signed body that is not MLflow's shape
    text                Content-Type text/plain
    big                 a signed body of 70,000 bytes
    get:PATH            GET PATH (prints the status and, for /metrics, the mlgate_ lines)
    post:PATH           an empty POST to PATH
    body:JSON           a signed delivery of this body (one word: no blanks)
    sleep:SECONDS       wait (for the worker)
    replay:ID           run `mlgate-relay replay ID` beside the running serve

and prints "REQUEST STATUS BODY" per request, then SIGTERMs the relay and prints
"serve exit N". Standard library only.
"""

import base64
import hashlib
import hmac
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid


def main():
    relay, config = sys.argv[1], sys.argv[2]
    secret = os.environ["S"].encode()
    p = subprocess.Popen([relay, "serve", "--config", config], stderr=subprocess.PIPE, text=True)
    port = None
    for line in p.stderr:
        m = re.search(r"listening on \S+ port (\d+)", line)
        if m:
            port = int(m.group(1))
            break
        sys.stderr.write(line)
    if port is None:
        print("serve exit", p.wait())
        return
    last = None
    for req in sys.argv[3:]:
        kind, _, arg = req.partition(":")
        if kind == "sleep":
            time.sleep(float(arg))
            continue
        if kind == "replay":
            r = subprocess.run([relay, "replay", arg, "--config", config], capture_output=True, text=True)
            print(req, r.returncode, r.stdout.strip())
            continue
        method, path, body, headers = "POST", "/hooks/mlflow", b"", {"Content-Type": "application/json"}
        if kind in ("get", "post"):
            method, path = kind.upper(), arg
        else:
            name, model = (arg.split(":") + ["fraud-model"])[:2] if arg else ("champion", "fraud-model")
            if kind == "body":
                body = arg.encode()
            elif kind == "malformed":
                body = b'{"entity": "model_version_alias", "action": "created", "data": []}'
            else:
                body = json.dumps({"entity": "model_version_alias", "action": "created",
                                   "timestamp": "2026-12-05T00:00:00Z",
                                   "data": {"name": model, "alias": name, "version": "7"}}).encode()
            if kind == "big":
                body = body[:-1] + b', "pad": "' + b"x" * 70000 + b'"}'
            did, ts = str(uuid.uuid4()), str(int(time.time()) - (3600 if kind == "stale" else 0))
            if kind == "again" and last:
                did, ts, body = last
            last = (did, ts, body)
            key = b"wrong" if kind == "badsig" else secret
            mac = hmac.new(key, f"{did}.{ts}.".encode() + body, hashlib.sha256).digest()
            headers.update({"X-MLflow-Delivery-Id": did, "X-MLflow-Timestamp": ts,
                            "X-MLflow-Signature": "v1," + base64.b64encode(mac).decode()})
            if kind == "noid":
                del headers["X-MLflow-Delivery-Id"]
            if kind == "text":
                headers["Content-Type"] = "text/plain"
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            c.request(method, path, body=body, headers=headers)
            r = c.getresponse()
            text = r.read().decode(errors="replace")
        except (ConnectionError, http.client.HTTPException) as e:
            print(req, "closed", type(e).__name__)
            continue
        if path == "/metrics":
            for line in text.splitlines():
                if line.startswith("mlgate_relay_") and "_bucket" not in line:
                    print(req, r.status, line)
        else:
            print(req, r.status, text.strip())
        sys.stdout.flush()
    p.send_signal(signal.SIGTERM)
    err = p.stderr.read()
    print("serve exit", p.wait())
    sys.stderr.write(err)


if __name__ == "__main__":
    main()
