"""Send one signed delivery to mlgate-relay, as MLflow or Databricks would,
and print the answer's status and body on one line.

    python relay_send.py mlflow|databricks URL SECRET BODY_FILE [options]

MLflow: X-MLflow-Delivery-Id (--id, default a new uuid4), X-MLflow-Timestamp
(--ts, default now), X-MLflow-Signature v1,base64(HMAC-SHA256(SECRET,
"ID.TS.BODY")). Databricks: X-Databricks-Signature hex(HMAC-SHA256(SECRET,
BODY)). --tamper changes the body after signing; --content-type overrides
application/json; --authorization sets that header.
"""

import argparse
import base64
import hashlib
import hmac
import http.client
import sys
import time
import urllib.parse
import uuid


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=["mlflow", "databricks"])
    ap.add_argument("url")
    ap.add_argument("secret")
    ap.add_argument("body")
    ap.add_argument("--id")
    ap.add_argument("--ts")
    ap.add_argument("--tamper", action="store_true")
    ap.add_argument("--content-type", default="application/json")
    ap.add_argument("--authorization")
    a = ap.parse_args()

    with open(a.body, "rb") as f:
        body = f.read()
    headers = {"Content-Type": a.content_type}
    if a.kind == "mlflow":
        did = a.id or str(uuid.uuid4())
        ts = a.ts or str(int(time.time()))
        msg = f"{did}.{ts}.".encode() + body
        mac = hmac.new(a.secret.encode(), msg, hashlib.sha256).digest()
        headers["X-MLflow-Delivery-Id"] = did
        headers["X-MLflow-Timestamp"] = ts
        headers["X-MLflow-Signature"] = "v1," + base64.b64encode(mac).decode()
    else:
        headers["X-Databricks-Signature"] = hmac.new(a.secret.encode(), body, hashlib.sha256).hexdigest()
    if a.authorization:
        headers["Authorization"] = a.authorization
    if a.tamper:
        body = body.replace(b'"7"', b'"8"') if b'"7"' in body else body + b" "
    u = urllib.parse.urlsplit(a.url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    c.request("POST", u.path, body=body, headers=headers)
    r = c.getresponse()
    print(r.status, r.read().decode().strip())
    sys.stdout.flush()


if __name__ == "__main__":
    main()
