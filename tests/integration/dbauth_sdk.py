#!/usr/bin/env python3
"""The oracle of t_dbauth.sh's parity cases: what the Databricks SDK for Python (the
test venv's databricks-sdk, the library MLflow's databricks:// URIs go through)
resolves from the environment and the configuration file.

Reads cases from stdin, one per line: NAME <TAB> PROFILE|- <TAB> VAR=VALUE ... (values
without spaces); for each, sets exactly those Databricks variables (on top of
DATABRICKS_CONFIG_FILE and HOME, kept from the caller), builds the SDK's Config and
prints NAME <TAB> "kind=K host=H" or "error". Config's network look-ups are switched
off (host metadata discovery), and so is building the credentials provider
(init_auth): the kind is the first of the SDK's default chain that applies
(pat: host and token; basic; oauth-m2m: host, client_id and client_secret) or
auth_type when set, which is what the chain picks for these two methods.
"""
import os
import sys

from databricks.sdk.config import Config

Config._resolve_host_metadata = lambda self: None
Config.init_auth = lambda self: None
KEEP = ("DATABRICKS_CONFIG_FILE",)


def resolve(profile):
    try:
        c = Config(profile=profile) if profile else Config()
    except ValueError:
        return "error"
    chain = [("pat", c.host and c.token), ("basic", c.host and c.username and c.password),
             ("oauth-m2m", c.host and c.client_id and c.client_secret)]
    for kind, applies in chain:
        if applies and (not c.auth_type or c.auth_type == kind):
            return "error" if kind == "basic" else f"kind={kind} host={c.host}"
    return "error"


def main():
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DATABRICKS_", "ARM_"))}
    base.update({k: os.environ[k] for k in KEEP if k in os.environ})
    for line in sys.stdin:
        name, profile, assigns = (line.rstrip("\n").split("\t") + ["", ""])[:3]
        os.environ.clear()
        os.environ.update(base)
        for a in assigns.split():
            k, _, v = a.partition("=")
            os.environ[k] = v
        print(f"{name}\t{resolve(None if profile == '-' else profile)}", flush=True)


if __name__ == "__main__":
    main()
