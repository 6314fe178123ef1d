"""The Databricks emulator (dbemu.py) proven against the two real clients.

Drives a running emulator through MLflow's MlflowClient (registry_uri "databricks" and
"databricks-uc") and the Databricks SDK (WorkspaceClient().model_registry, .experiments, and its
api_client for the Unity Catalog MLflow paths), with a PAT and with OAuth M2M, and checks
what the emulator received (/_emu/log: method, path, body) and what each client read back
(round trips: written with one client, read with the other). Every failed check says what
differed; the script exits 1 if any did.

Usage: dbemu_contract.py --url URL [--plain-url URL] [--regtool PATH]
URL is http://127.0.0.1:PORT or https://... of an emulator started with
--token user@example.com=PAT --token editor@example.com=EDITOR_PAT --client sp-ci:SECRET
--page-size 2 (the constants below); --plain-url a second one over http, for a short run.
A CA for https comes from REQUESTS_CA_BUNDLE, as both clients (requests) take it; mlgate
(--regtool) gets it as MLFLOW_TRACKING_SERVER_CERT_PATH.
"""
import argparse
import json
import logging
import os
import ssl
import sys
import time
import urllib.request
import warnings

PAT, EDITOR_PAT, CLIENT, SECRET = "dapi-emu-pat-0123456789", "dapi-emu-editor-9876", \
    "sp-ci", "sp-secret-Zq81"
RUN = "0123456789abcdef0123456789abcdef"
WS = "fraud model α & co"
UCM = "main.ml_models.fraud"
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print(f"  FAIL {what}", file=sys.stderr)
    return cond


def same(got, want, what):
    return check(got == want, f"{what}: got {got!r}, expected {want!r}")


def raises(fn, what, exc_type, code=None, contains=None):
    """fn must fail with exc_type (and error_code / message text when given)."""
    try:
        fn()
    except exc_type as e:
        ec = getattr(e, "error_code", None)
        if code is not None:
            same(ec, code, f"{what}: error code")
        if contains is not None:
            check(contains in str(e), f"{what}: message {str(e)[:300]!r} lacks {contains!r}")
        return e
    except Exception as e:  # noqa: BLE001 - report what it was
        check(False, f"{what}: raised {type(e).__name__}: {str(e)[:300]}, expected "
                     f"{exc_type.__name__}")
        return None
    check(False, f"{what}: succeeded, expected {exc_type.__name__}")
    return None


# --- the control API ---------------------------------------------------------------------


def ctl(method, path, body=None):
    ctx = ssl.create_default_context(cafile=os.environ.get("REQUESTS_CA_BUNDLE"))
    req = urllib.request.Request(ARGS.url + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None)
    with urllib.request.urlopen(req, context=ctx, timeout=30) as r:
        return json.loads(r.read())


def log_since(mark):
    return [e for e in ctl("GET", "/_emu/log") if e["seq"] > mark]


def mark():
    entries = ctl("GET", "/_emu/log")
    return entries[-1]["seq"] if entries else 0


def api_calls(mark_, path=None):
    return [e for e in log_since(mark_) if e["path"].startswith("/api/") and
            (path is None or e["path"].endswith(path))]


def state_version(name, version):
    for m in ctl("GET", "/_emu/state")["models"]:
        if m["name"] == name:
            for v in m["versions"]:
                if v["version"] == str(version):
                    return v
    raise AssertionError(f"no {name} v{version} in /_emu/state")


def expect_call(m0, method, path, body=None, query=None, what=""):
    """Exactly the API calls to path since m0 are one `method` call with these fields."""
    calls = api_calls(m0, path)
    if not check(len(calls) == 1, f"{what}: {len(calls)} calls to {path}, expected 1: "
                                  f"{[(c['method'], c['status']) for c in calls]}"):
        return None
    c = calls[0]
    same(c["method"], method, f"{what}: method of {path}")
    for k, v in (body or {}).items():
        same(c["body"].get(k), v, f"{what}: body field {k} of {path}")
    for k, v in (query or {}).items():
        same(c["query"].get(k), v, f"{what}: query field {k} of {path}")
    return c


# --- clients ----------------------------------------------------------------------------


def use_pat(token=PAT):
    for k in ("DATABRICKS_CLIENT_ID", "DATABRICKS_CLIENT_SECRET"):
        os.environ.pop(k, None)
    os.environ.update(DATABRICKS_HOST=ARGS.url, DATABRICKS_TOKEN=token)


def use_oauth():
    os.environ.pop("DATABRICKS_TOKEN", None)
    os.environ.update(DATABRICKS_HOST=ARGS.url, DATABRICKS_CLIENT_ID=CLIENT,
                      DATABRICKS_CLIENT_SECRET=SECRET)


def seed():
    metrics = {"roc_auc": [0.71, 0.78, 0.83], "loss": [{"value": 0.4, "step": 3,
                                                        "timestamp": 1700000000000}]}
    got = ctl("POST", "/_emu/seed", {
        "runs": [{"run_id": RUN, "experiment": "/Shared/fraud", "name": "train",
                  "metrics": metrics, "params": {"lr": "0.1"}, "tags": {"team": "risk"}}],
        "models": [
            {"name": WS, "description": "fraud detector", "tags": {"team": "risk"},
             "versions": [
                 {"stage": "Production", "run_id": RUN, "tags": {"owner": "a@b.c"}},
                 {"stage": "Staging", "run_id": RUN},
                 {"run_id": RUN, "description": "candidate",
                  "requests": [{"stage": "Production", "user": "ds@example.com",
                                "comment": "auc 0.83, please promote"}]},
                 {"run_id": RUN, "requests": [{"stage": "Staging", "user": "ds@example.com"},
                                              {"stage": "Production",
                                               "user": "ds@example.com"}]},
                 {"run_id": RUN}]},
            {"name": UCM, "uc": True, "description": "uc fraud", "tags": {"team": "risk"},
             "versions": [{"run_id": RUN, "aliases": ["champion"], "tags": {"k": "v"}},
                          {"run_id": RUN, "aliases": ["challenger"]}, {"run_id": RUN},
                          {"run_id": RUN}, {"run_id": RUN}]}],
        "permissions": [{"principal": "editor@example.com", "model": WS, "level": "CAN_EDIT"}]})
    same(got["versions"][WS], ["1", "2", "3", "4", "5"], "seeded workspace versions")
    same(got["runs"], [RUN], "seeded run")


# --- workspace registry ---------------------------------------------------------------------


def workspace_pat():
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.errors import NotFound, PermissionDenied
    from databricks.sdk.service.ml import ModelVersionStatus
    from mlflow import MlflowClient
    from mlflow.exceptions import RestException

    use_pat()
    mc = MlflowClient(tracking_uri="databricks", registry_uri="databricks")
    w = WorkspaceClient()
    mr = w.model_registry

    # reads: both clients see what the emulator holds
    m0 = mark()
    mv = mc.get_model_version(WS, "1")
    call = expect_call(m0, "GET", "/api/2.0/mlflow/model-versions/get",
                       query={"name": WS, "version": "1"}, what="MLflow get_model_version")
    if call:
        same((call["auth"], call["principal"]), ("pat", "user@example.com"), "PAT principal")
        same(call["org_id_header"], "1234567890123456", "MLflow sends x-databricks-org-id")
    sv = mr.get_model_version(WS, "1").model_version
    st = state_version(WS, 1)
    for what, got in (("mlflow", (mv.version, mv.current_stage, mv.run_id, mv.tags,
                                  mv.creation_timestamp, mv.status)),
                      ("sdk", (sv.version, sv.current_stage, sv.run_id,
                               {t.key: t.value for t in sv.tags}, sv.creation_timestamp,
                               sv.status.value))):
        same(got, ("1", "Production", RUN, {"owner": "a@b.c"}, st["creation_timestamp"],
                   "READY"), f"version 1 read by {what}")
    rm = mc.get_registered_model(WS)
    same(sorted((v.version, v.current_stage) for v in rm.latest_versions),
         [("1", "Production"), ("2", "Staging"), ("5", "None")], "latest_versions by MLflow")
    same((rm.description, rm.tags), ("fraud detector", {"team": "risk"}), "model by MLflow")
    dm = mr.get_model(WS).registered_model_databricks
    same((dm.name, dm.permission_level.value, {t.key: t.value for t in dm.tags}),
         (WS, "CAN_MANAGE", {"team": "risk"}), "databricks/registered-models/get by the SDK")

    # pagination: the emulator answers 2 rows a page
    m0 = mark()
    seen, token = [], None
    while True:
        page = mc.search_model_versions(f"name='{WS}'", page_token=token)
        check(len(page) <= 2, f"MLflow page of {len(page)} rows, page size is 2")
        seen += [v.version for v in page]
        token = page.token
        if not token:
            break
    same(sorted(seen), ["1", "2", "3", "4", "5"], "MLflow search through next_page_token")
    calls = api_calls(m0, "/model-versions/search")
    same(len(calls), 3, "MLflow search requests for 5 versions, 2 a page")
    same(calls[0]["query"].get("filter"), f"name='{WS}'", "MLflow search filter as sent")
    check(calls[1]["query"].get("page_token"), "MLflow's second page request has a page_token")
    m0 = mark()
    sdk_seen = [v.version for v in mr.search_model_versions(filter=f"name='{WS}'")]
    same(sorted(sdk_seen), ["1", "2", "3", "4", "5"], "SDK search through next_page_token")
    same(len(api_calls(m0, "/model-versions/search")), 3, "SDK search requests")
    same([v.version for v in mc.search_model_versions(
        f"name='{WS}' AND tags.owner='a@b.c'")], ["1"], "tag filter")

    # round trips: written by one client, read by the other
    m0 = mark()
    mc.set_model_version_tag(WS, "3", "mlgate.comply", "passed ✓")
    expect_call(m0, "POST", "/api/2.0/mlflow/model-versions/set-tag",
                body={"name": WS, "version": "3", "key": "mlgate.comply", "value": "passed ✓"},
                what="MLflow set tag")
    tags = {t.key: t.value for t in mr.get_model_version(WS, "3").model_version.tags}
    same(tags.get("mlgate.comply"), "passed ✓", "tag set by MLflow, read by the SDK")
    mr.set_model_version_tag(WS, "3", "by-sdk", "x & y")
    same(mc.get_model_version(WS, "3").tags.get("by-sdk"), "x & y",
         "tag set by the SDK, read by MLflow")
    m0 = mark()
    mr.delete_model_version_tag(WS, "3", "by-sdk")
    expect_call(m0, "DELETE", "/api/2.0/mlflow/model-versions/delete-tag",
                query={"name": WS, "version": "3", "key": "by-sdk"}, what="SDK delete tag")
    check("by-sdk" not in mc.get_model_version(WS, "3").tags, "tag deleted by the SDK, MLflow")
    mc.update_model_version(WS, "3", "line one\nline two")
    same(mr.get_model_version(WS, "3").model_version.description, "line one\nline two",
         "description by MLflow, read by the SDK")

    # transition requests
    same([(r.to_stage, r.user_id, r.comment) for r in mr.list_transition_requests(WS, "3")],
         [("Production", "ds@example.com", "auc 0.83, please promote")], "open requests of v3")
    m0 = mark()
    req = mr.create_transition_request(WS, "5", "Staging", comment="try me").request
    expect_call(m0, "POST", "/api/2.0/mlflow/transition-requests/create",
                body={"name": WS, "version": "5", "stage": "Staging", "comment": "try me"},
                what="SDK create request")
    same((req.to_stage, req.user_id, req.comment), ("Staging", "user@example.com", "try me"),
         "created request")
    same([r.to_stage for r in mr.list_transition_requests(WS, "5")], ["Staging"],
         "the new request is listed")

    # 403: CAN_EDIT cannot approve a Production request; nothing changes
    editor = WorkspaceClient(host=ARGS.url, token=EDITOR_PAT).model_registry
    m0 = mark()
    raises(lambda: editor.approve_transition_request(WS, "3", "Production", True, comment="x"),
           "approve by a CAN_EDIT principal", PermissionDenied, "PERMISSION_DENIED",
           "CAN_MANAGE_PRODUCTION_VERSIONS")
    call = expect_call(m0, "POST", "/api/2.0/mlflow/transition-requests/approve",
                       what="denied approve")
    if call:
        same((call["status"], call["principal"]), (403, "editor@example.com"), "denied approve")
    same(editor.get_model(WS).registered_model_databricks.permission_level.value, "CAN_EDIT",
         "editor's permission_level")
    same(len(mr.list_transition_requests(WS, "3")), 1, "request still open after the 403")
    same(mc.get_model_version(WS, "3").current_stage, "None", "v3 not moved by the 403")

    # approve with a comment, archiving the version in Production
    m0 = mark()
    act = mr.approve_transition_request(WS, "3", "Production", True,
                                        comment="mlgate: 3 gates passed").activity
    expect_call(m0, "POST", "/api/2.0/mlflow/transition-requests/approve",
                body={"name": WS, "version": "3", "stage": "Production",
                      "archive_existing_versions": True, "comment": "mlgate: 3 gates passed"},
                what="SDK approve")
    same((act.activity_type.value, act.from_stage, act.to_stage, act.comment, act.user_id),
         ("APPROVED_REQUEST", "None", "Production", "mlgate: 3 gates passed",
          "user@example.com"), "approve activity")
    same(mc.get_model_version(WS, "3").current_stage, "Production", "approved v3, by MLflow")
    same(mc.get_model_version(WS, "1").current_stage, "Archived", "old Production archived")
    same(mc.get_model_version(WS, "2").current_stage, "Staging", "Staging left alone")
    same(mr.list_transition_requests(WS, "3"), [], "approved request closed")
    acts = [(a["activity_type"], a.get("comment") or a.get("system_comment", "")[:8])
            for a in state_version(WS, 3)["activities"]]
    same(acts, [("REQUESTED_TRANSITION", "auc 0.83, please promote"),
                ("APPROVED_REQUEST", "mlgate: 3 gates passed")], "v3 activities")
    same([a["activity_type"] for a in state_version(WS, 1)["activities"]],
         ["SYSTEM_TRANSITION"], "v1 archived as a side effect")
    raises(lambda: mr.approve_transition_request(WS, "3", "Production", False),
           "approve with no open request", NotFound, "RESOURCE_DOES_NOT_EXIST",
           "No open transition request")
    raises(lambda: mc.get_model_version(WS, "99"), "MLflow get of a missing version",
           RestException, "RESOURCE_DOES_NOT_EXIST")

    # two open requests (Staging, Production): reject one, the other stays
    m0 = mark()
    act = mr.reject_transition_request(WS, "4", "Production", comment="auc too low").activity
    expect_call(m0, "POST", "/api/2.0/mlflow/transition-requests/reject",
                body={"name": WS, "version": "4", "stage": "Production",
                      "comment": "auc too low"}, what="SDK reject")
    same((act.activity_type.value, act.to_stage, act.comment),
         ("REJECTED_REQUEST", "Production", "auc too low"), "reject activity")
    same([r.to_stage for r in mr.list_transition_requests(WS, "4")], ["Staging"],
         "only the Staging request left")
    same(mc.get_model_version(WS, "4").current_stage, "None", "reject does not transition")
    raises(lambda: mr.approve_transition_request(WS, "4", "Production", False),
           "approve a request for another stage", NotFound, "RESOURCE_DOES_NOT_EXIST")
    m0 = mark()
    act = mr.delete_transition_request(WS, "4", "Staging", "ds@example.com",
                                       comment="superseded").activity
    expect_call(m0, "DELETE", "/api/2.0/mlflow/transition-requests/delete",
                query={"name": WS, "version": "4", "stage": "Staging",
                       "creator": "ds@example.com", "comment": "superseded"},
                what="SDK delete request")
    same((act.activity_type.value, mr.list_transition_requests(WS, "4")),
         ("CANCELLED_REQUEST", []), "request cancelled")

    # comments: created, edited by its author only, deleted
    m0 = mark()
    c = mr.create_comment(WS, "3", "compare: roc_auc +0.05").comment
    expect_call(m0, "POST", "/api/2.0/mlflow/comments/create",
                body={"name": WS, "version": "3", "comment": "compare: roc_auc +0.05"},
                what="SDK create comment")
    check(c.id and c.user_id == "user@example.com", f"comment id/user: {c.id!r} {c.user_id!r}")
    m0 = mark()
    c2 = mr.update_comment(c.id, "compare: roc_auc +0.06 (re-run)").comment
    expect_call(m0, "PATCH", "/api/2.0/mlflow/comments/update",
                body={"id": c.id, "comment": "compare: roc_auc +0.06 (re-run)"},
                what="SDK update comment")
    same((c2.id, c2.comment), (c.id, "compare: roc_auc +0.06 (re-run)"), "comment edited")
    same([x["comment"] for x in state_version(WS, 3)["comments"]],
         ["compare: roc_auc +0.06 (re-run)"], "one comment on v3 after the edit")
    raises(lambda: editor.update_comment(c.id, "hijack"), "edit of another's comment",
           PermissionDenied, "PERMISSION_DENIED")
    tmp = mr.create_comment(WS, "3", "to delete").comment
    m0 = mark()
    mr.delete_comment(tmp.id)
    expect_call(m0, "DELETE", "/api/2.0/mlflow/comments/delete", query={"id": tmp.id},
                what="SDK delete comment")
    same(len(state_version(WS, 3)["comments"]), 1, "comment deleted")

    # transitions: the Databricks one with a comment, MLflow's plain one
    m0 = mark()
    mvd = mr.transition_stage(WS, "5", "Staging", False, comment="direct").model_version_databricks
    expect_call(m0, "POST", "/api/2.0/mlflow/databricks/model-versions/transition-stage",
                body={"name": WS, "version": "5", "stage": "Staging",
                      "archive_existing_versions": False, "comment": "direct"},
                what="SDK transition_stage")
    same((mvd.version, mvd.current_stage, mvd.permission_level.value,
          [r.to_stage for r in mvd.open_requests]),
         ("5", "Staging", "CAN_MANAGE", ["Staging"]), "model_version_databricks")
    m0 = mark()
    mv = mc.transition_model_version_stage(WS, "2", "Archived")
    expect_call(m0, "POST", "/api/2.0/mlflow/model-versions/transition-stage",
                body={"name": WS, "version": "2", "stage": "Archived",
                      "archive_existing_versions": False}, what="MLflow transition")
    same(mv.current_stage, "Archived", "MLflow transition answer")
    same(mr.get_model_version(WS, "2").model_version.current_stage, "Archived",
         "MLflow transition read by the SDK")
    raises(lambda: editor.transition_stage(WS, "5", "None", False), "CAN_EDIT transition",
           PermissionDenied, "PERMISSION_DENIED", "CAN_MANAGE_STAGING_VERSIONS")
    raises(lambda: mc.create_registered_model(WS), "create an existing model", RestException,
           "RESOURCE_ALREADY_EXISTS")

    # a principal with no permission on the model: 403 on reads, left out of searches
    ctl("POST", "/_emu/seed", {"tokens": {"dapi-emu-outsider": "outsider@example.com"},
                               "permissions": [{"principal": "outsider@example.com",
                                                "model": WS, "level": "NONE"}]})
    outsider = WorkspaceClient(host=ARGS.url, token="dapi-emu-outsider").model_registry
    raises(lambda: outsider.get_model_version(WS, "1"), "read with no permission",
           PermissionDenied, "PERMISSION_DENIED", "CAN_READ")
    same(list(outsider.search_model_versions(filter=f"name='{WS}'")), [],
         "search with no permission")


# --- tracking -------------------------------------------------------------------------------


def tracking():
    from databricks.sdk import WorkspaceClient
    from mlflow import MlflowClient

    use_pat()
    mc = MlflowClient(tracking_uri="databricks", registry_uri="databricks")
    w = WorkspaceClient()
    run = mc.get_run(RUN)
    same((run.data.metrics, run.data.params, run.info.status, run.info.run_name),
         ({"roc_auc": 0.83, "loss": 0.4}, {"lr": "0.1"}, "FINISHED", "train"),
         "seeded run by MLflow")
    same(sorted((m.step, m.value) for m in mc.get_metric_history(RUN, "roc_auc")),
         [(0, 0.71), (1, 0.78), (2, 0.83)], "metric history by MLflow")
    exp_id = mc.create_experiment("/Shared/mlgate-comparisons")
    same(w.experiments.get_by_name("/Shared/mlgate-comparisons").experiment.experiment_id,
         exp_id, "experiment created by MLflow, found by the SDK")
    r = mc.create_run(exp_id, run_name="compare v3", tags={"mlgate.gate": "compare"})
    m0 = mark()
    from mlflow.entities import Metric, Param, RunTag
    mc.log_batch(r.info.run_id, metrics=[Metric("delta", 0.05, 1700000000123, 0),
                                         Metric("missing", float("nan"), 1700000000124, 0)],
                 params=[Param("candidate", "3")], tags=[RunTag("mlgate.verdict", "passed")])
    call = expect_call(m0, "POST", "/api/2.0/mlflow/runs/log-batch", what="MLflow log_batch")
    if call:
        same(call["body"]["metrics"][1]["value"], "NaN", "MLflow sends NaN as a string")
    mc.set_terminated(r.info.run_id, "FINISHED")
    got = w.experiments.get_run(r.info.run_id).run
    metrics = {m.key: m.value for m in got.data.metrics}
    same((got.info.status.value, got.data.params[0].key, metrics.get("delta")),
         ("FINISHED", "candidate", 0.05), "logged run, read by the SDK")
    check(got.info.end_time, "run has an end_time")
    # the SDK hands protobuf JSON through: NaN stays the string "NaN"; MLflow makes it a float
    same(metrics.get("missing"), "NaN", "NaN metric read back by the SDK")
    nan = mc.get_run(r.info.run_id).data.metrics.get("missing")
    check(nan != nan, f"NaN metric read back by MLflow: {nan!r}")
    same({t.key: t.value for t in got.data.tags}.get("mlgate.verdict"), "passed", "run tag")


# --- Unity Catalog -----------------------------------------------------------------------------


def unity_catalog():
    from databricks.sdk import WorkspaceClient
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    use_pat()
    uc = MlflowClient(tracking_uri="databricks", registry_uri="databricks-uc")
    api = WorkspaceClient().api_client
    base = "/api/2.0/mlflow/unity-catalog/"

    def sdk_version(v):
        return api.do("GET", base + "model-versions/get",
                      query={"name": UCM, "version": v})["model_version"]

    mv = uc.get_model_version_by_alias(UCM, "champion")
    same((mv.version, mv.aliases, mv.tags, mv.current_stage), ("1", ["champion"], {"k": "v"},
                                                               None), "UC by alias, MLflow")
    rm = uc.get_registered_model(UCM)
    same((rm.aliases, rm.tags, rm.description), ({"champion": "1", "challenger": "2"},
                                                 {"team": "risk"}, "uc fraud"), "UC model")
    raw = sdk_version("2")
    same((raw["version"], raw["aliases"], "current_stage" in raw),
         ("2", [{"alias": "challenger", "version": "2"}], False), "UC version as sent")
    check(isinstance(raw["creation_timestamp"], int), "UC timestamps are numbers")

    m0 = mark()
    uc.set_registered_model_alias(UCM, "champion", "3")
    expect_call(m0, "POST", base + "registered-models/alias",
                body={"name": UCM, "alias": "champion", "version": "3"}, what="MLflow set alias")
    same([a["alias"] for a in sdk_version("3")["aliases"]], ["champion"],
         "alias moved by MLflow, read through the SDK")
    same(sdk_version("1")["aliases"], [], "alias left version 1")
    m0 = mark()
    uc.delete_registered_model_alias(UCM, "challenger")
    expect_call(m0, "DELETE", base + "registered-models/alias",
                body={"name": UCM, "alias": "challenger"}, what="MLflow delete alias")
    same(uc.get_registered_model(UCM).aliases, {"champion": "3"}, "alias deleted")
    raises(lambda: uc.get_model_version_by_alias(UCM, "challenger"), "deleted alias",
           MlflowException, "RESOURCE_DOES_NOT_EXIST")

    uc.set_model_version_tag(UCM, "3", "mlgate.compare", "passed")
    same({t["key"]: t["value"] for t in sdk_version("3")["tags"]},
         {"mlgate.compare": "passed"}, "UC tag by MLflow, read through the SDK")
    api.do("POST", base + "model-versions/set-tag",
           body={"name": UCM, "version": "3", "key": "by-sdk", "value": "1"})
    same(uc.get_model_version(UCM, "3").tags, {"mlgate.compare": "passed", "by-sdk": "1"},
         "UC tag by the SDK, read by MLflow")
    m0 = mark()
    uc.delete_model_version_tag(UCM, "3", "by-sdk")
    expect_call(m0, "DELETE", base + "model-versions/delete-tag",
                body={"name": UCM, "version": "3", "key": "by-sdk"}, what="MLflow UC delete tag")
    uc.set_registered_model_tag(UCM, "stage-policy", "aliases")
    uc.delete_registered_model_tag(UCM, "team")
    same(uc.get_registered_model(UCM).tags, {"stage-policy": "aliases"}, "UC model tags")
    uc.update_model_version(UCM, "3", "challenger → champion")
    same(sdk_version("3")["description"], "challenger → champion", "UC description")

    m0 = mark()
    seen, token = [], None
    while True:
        page = uc.search_model_versions(f"name='{UCM}'", page_token=token)
        seen += [v.version for v in page]
        token = page.token
        if not token:
            break
    same(sorted(seen), ["1", "2", "3", "4", "5"], "UC search through next_page_token")
    calls = api_calls(m0, base + "model-versions/search")
    same(len(calls), 3, "UC search requests")
    raw = api.do("GET", base + "model-versions/search", query={"filter": f"name='{UCM}'"})
    check("tags" not in raw["model_versions"][0], "UC search answers no tags")

    # MLflow re-raises this one with a hint and loses the code (INTERNAL_ERROR): check text
    e = raises(lambda: uc.create_registered_model("fraud"), "UC two-level name",
               MlflowException, None, "specify all three levels")
    check(e is None or "Model Registry URI to 'databricks'" in str(e),
          "MLflow's hint for 'databricks'")
    m0 = mark()
    raises(lambda: uc.get_registered_model("ml_models.fraud"), "UC get of a two-level name",
           MlflowException, "INVALID_PARAMETER_VALUE", "specify all three levels")
    same([c["status"] for c in api_calls(m0, base + "registered-models/get")], [400],
         "two-level name answered 400")
    uc.create_registered_model("main.ml_models.new_model", description="fresh")
    raises(lambda: uc.create_registered_model("main.ml_models.new_model"), "UC duplicate",
           MlflowException, "ALREADY_EXISTS")
    raises(lambda: uc.get_model_version(UCM, "9"), "UC missing version", MlflowException,
           "RESOURCE_DOES_NOT_EXIST")
    raises(lambda: uc.transition_model_version_stage(UCM, "3", "Production"),
           "UC has no stages (MLflow refuses)", MlflowException)
    raises(lambda: uc.search_model_versions(f"name='{UCM}' AND run_id='{RUN}'"),
           "UC search with two conditions", MlflowException, "INVALID_PARAMETER_VALUE")


# --- mlgate's own client ------------------------------------------------------------------


def regtool(uri, *args, expect_rc=0):
    import subprocess
    proc = subprocess.run([ARGS.regtool, uri, *args], capture_output=True, text=True)
    for s in (PAT, SECRET):
        check(s not in proc.stdout + proc.stderr, f"regtool {args[0]} printed a secret")
    if not check(proc.returncode == expect_rc,
                 f"regtool {uri} {' '.join(args)}: exit {proc.returncode}, expected {expect_rc}: "
                 f"{proc.stderr.strip()[:500]}"):
        return None
    return proc


def regtool_json(uri, *args):
    proc = regtool(uri, *args)
    return json.loads(proc.stdout) if proc else None


def regtool_lines(uri, *args):
    proc = regtool(uri, *args)
    return [json.loads(x) for x in proc.stdout.splitlines() if x.strip()] if proc else []


def same_fields(ours, theirs, what, skip=()):
    if ours is None:
        return
    diff = {k: (ours.get(k), theirs.get(k)) for k in set(ours) | set(theirs)
            if k not in skip and ours.get(k) != theirs.get(k)}
    check(not diff, f"{what} differs (mlgate, mlflow): {diff}")


def sent(m0, path):
    """(method, query or body) of the calls to path since m0, as the emulator got them."""
    return [(c["method"], c["query"] or c["body"]) for c in api_calls(m0, path)]


def mlgate_parity():
    """The same reads and writes through mlgate (tests/integration/regtool) and MLflow: what
    each read back, and what the emulator received from each."""
    from mlflow import MlflowClient
    from sqlite_mlflow import model_json, run_json, version_json

    use_pat()
    os.environ["MLFLOW_TRACKING_SERVER_CERT_PATH"] = os.environ.get("REQUESTS_CA_BUNDLE", "")
    if not os.environ["MLFLOW_TRACKING_SERVER_CERT_PATH"]:
        del os.environ["MLFLOW_TRACKING_SERVER_CERT_PATH"]
    mc = MlflowClient(tracking_uri="databricks", registry_uri="databricks")
    uc = MlflowClient(tracking_uri="databricks", registry_uri="databricks-uc")

    for v in ("1", "2", "3", "4", "5"):
        m0 = mark()
        ours = regtool_json("databricks", "get-version", WS, v)
        mine = sent(m0, "/model-versions/get")
        m0 = mark()
        same_fields(ours, version_json(mc.get_model_version(WS, v)), f"workspace version {v}")
        same(mine, sent(m0, "/model-versions/get"), f"get-version {v} as received")
    same_fields(regtool_json("databricks", "get-model", WS),
                model_json(mc.get_registered_model(WS)), "workspace model")
    theirs = {}
    token = None
    while True:
        page = mc.search_model_versions(f"name='{WS}'", page_token=token)
        theirs.update({mv.version: version_json(mv) for mv in page})
        token = page.token
        if not token:
            break
    ours = regtool_lines("databricks", "search", f"name='{WS}'", "2")
    same(sorted(o["version"] for o in ours), sorted(theirs), "workspace search (page size 2)")
    for o in ours:
        same_fields(o, theirs.get(o["version"], {}), f"searched version {o['version']}")
    prod = regtool_lines("databricks", "in-stage", WS, "Production")
    same([p["version"] for p in prod],
         [mv.version for mv in mc.get_latest_versions(WS, ["Production"])], "in-stage")
    same_fields(regtool_json("databricks", "get-run", RUN), run_json(mc.get_run(RUN)), "run")
    same(sorted((h["step"], h["value"]) for h in regtool_lines("databricks", "history", RUN,
                                                               "roc_auc")),
         sorted((m.step, m.value) for m in mc.get_metric_history(RUN, "roc_auc")), "history")
    proc = regtool("databricks", "get-version", WS, "99", expect_rc=2)
    check(proc is None or "[not_found]" in proc.stderr, f"missing version: {proc and proc.stderr}")

    # the CA as the Python clients take it: requests' REQUESTS_CA_BUNDLE, then CURL_CA_BUNDLE
    # (a directory of hashed certificates too); without any, the server is not trusted
    ca = os.environ.pop("MLFLOW_TRACKING_SERVER_CERT_PATH", None)
    if ca:
        bundle = os.environ.pop("REQUESTS_CA_BUNDLE")
        hashed = os.path.join(os.getcwd(), "ca-dir")
        os.makedirs(hashed, exist_ok=True)
        import shutil
        import subprocess
        shutil.copy(bundle, os.path.join(hashed, "ca.pem"))
        subprocess.run(["openssl", "rehash", hashed], check=True)
        for var, value in (("REQUESTS_CA_BUNDLE", bundle), ("CURL_CA_BUNDLE", bundle),
                           ("REQUESTS_CA_BUNDLE", hashed)):
            os.environ[var] = value
            got = regtool_json("databricks", "get-version", WS, "1")
            check(got is not None and got.get("version") == "1",
                  f"regtool with only {var}={value}: {got}")
            del os.environ[var]
        proc = regtool("databricks", "get-version", WS, "1", expect_rc=3)
        check(proc is None or "certificate" in proc.stderr.lower(),
              f"no CA given: {proc and proc.stderr}")
        os.environ["REQUESTS_CA_BUNDLE"] = bundle
        os.environ["MLFLOW_TRACKING_SERVER_CERT_PATH"] = ca

    # writes by mlgate, read by MLflow; the emulator got what MLflow sends for the same call
    m0 = mark()
    regtool("databricks", "set-tag", WS, "5", "mlgate.verdict", "passed ✓")
    ours = sent(m0, "/model-versions/set-tag")
    m0 = mark()
    mc.set_model_version_tag(WS, "5", "mlgate.verdict", "passed ✓")
    same(ours, sent(m0, "/model-versions/set-tag"), "set-tag as received from mlgate, MLflow")
    same(mc.get_model_version(WS, "5").tags.get("mlgate.verdict"), "passed ✓",
         "tag by mlgate read by MLflow")
    regtool("databricks", "describe", WS, "5", "first\nsecond ✓")
    same(mc.get_model_version(WS, "5").description, "first\nsecond ✓", "description by mlgate")
    m0 = mark()
    regtool("databricks", "transition", WS, "5", "Production", "archive")
    ours = sent(m0, "/transition-stage")
    same([(m, b.get("stage"), b.get("archive_existing_versions")) for m, b in ours],
         [("POST", "Production", True)], "mlgate's transition as received")
    same((mc.get_model_version(WS, "5").current_stage, mc.get_model_version(WS, "3")
          .current_stage), ("Production", "Archived"), "transition by mlgate, read by MLflow")

    # Unity Catalog
    for v in ("1", "2", "3"):
        ours = regtool_json("databricks-uc", "get-version", UCM, v)
        theirs = version_json(uc.get_model_version(UCM, v))
        # MLflow's UC versions have no stage (None); mlgate says "None", MLflow's stage name
        same(ours and ours.get("current_stage"), "None", f"UC version {v}: mlgate's stage")
        same_fields(ours, theirs, f"UC version {v}", skip=("current_stage",))
    same_fields(regtool_json("databricks-uc", "by-alias", UCM, "champion"),
                version_json(uc.get_model_version_by_alias(UCM, "champion")), "UC by alias",
                skip=("current_stage",))
    same_fields(regtool_json("databricks-uc", "get-model", UCM),
                model_json(uc.get_registered_model(UCM)), "UC model")
    ours = regtool_lines("databricks-uc", "search", f"name='{UCM}'", "2")
    same(sorted(o["version"] for o in ours), ["1", "2", "3", "4", "5"], "UC search by mlgate")
    m0 = mark()
    regtool("databricks-uc", "set-alias", UCM, "challenger", "4")
    ours = sent(m0, "/unity-catalog/registered-models/alias")
    m0 = mark()
    uc.set_registered_model_alias(UCM, "challenger", "4")
    same(ours, sent(m0, "/unity-catalog/registered-models/alias"), "set-alias as received")
    same(uc.get_model_version_by_alias(UCM, "challenger").version, "4", "alias by mlgate")
    regtool("databricks-uc", "set-tag", UCM, "4", "mlgate.compare", "passed")
    same(uc.get_model_version(UCM, "4").tags, {"mlgate.compare": "passed"}, "UC tag by mlgate")
    regtool("databricks-uc", "delete-alias", UCM, "challenger")
    check("challenger" not in uc.get_registered_model(UCM).aliases, "alias deleted by mlgate")

    # profiles from a config file: databricks://PROFILE, a PAT one and an OAuth one
    cfg = os.path.join(os.getcwd(), "databrickscfg")
    with open(cfg, "w") as f:
        f.write(f"[DEFAULT]\nhost = https://default.invalid\n\n[emu]\nhost = {ARGS.url}\n"
                f"token = {PAT}\n\n[emu-sp]\nhost = {ARGS.url}\nclient_id = {CLIENT}\n"
                f"client_secret = {SECRET}\n")
    saved = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("DATABRICKS_")}
    os.environ["DATABRICKS_CONFIG_FILE"] = cfg
    for profile, auth in (("emu", "pat"), ("emu-sp", "oauth")):
        m0 = mark()
        ours = regtool_json(f"databricks://{profile}", "get-version", WS, "2")
        theirs = MlflowClient(tracking_uri=f"databricks://{profile}",
                              registry_uri=f"databricks://{profile}").get_model_version(WS, "2")
        same_fields(ours, version_json(theirs), f"version 2 through profile {profile}")
        same(sorted({(e["auth"], e["principal"]) for e in api_calls(m0)}),
             [(auth, "user@example.com" if auth == "pat" else CLIENT)],
             f"profile {profile}: how both clients authenticated")
    os.environ.update(saved)

    # mlgate over OAuth M2M
    use_oauth()
    m0 = mark()
    ours = regtool_json("databricks", "get-version", WS, "5")
    same(ours and ours["current_stage"], "Production", "mlgate over OAuth")
    entries = log_since(m0)
    same([(e["path"].rsplit("/", 1)[-1], e["auth"], e["status"]) for e in entries
          if e["path"] != "/oidc/.well-known/oauth-authorization-server"],
         [("token", "basic", 200), ("get", "oauth", 200)], "mlgate's OAuth requests")
    use_pat()


# --- authentication, OAuth, faults -----------------------------------------------------------


def auth_and_faults():
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.errors import NotFound, Unauthenticated
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    # OAuth M2M through the SDK: discovery, client-credentials grant, Bearer
    m0 = mark()
    w = WorkspaceClient(host=ARGS.url, client_id=CLIENT, client_secret=SECRET,
                        auth_type="oauth-m2m")
    same(w.model_registry.get_model(WS).registered_model_databricks.name, WS,
         "get_model over OAuth")
    entries = log_since(m0)
    paths = [(e["method"], e["path"]) for e in entries]
    check(("GET", "/oidc/.well-known/oauth-authorization-server") in paths,
          f"SDK discovery: {paths}")
    tok = [e for e in entries if e["path"] == "/oidc/v1/token"]
    if check(len(tok) == 1, f"one token request, got {len(tok)}"):
        same((tok[0]["auth"], tok[0]["principal"], tok[0]["body"].get("grant_type"),
              tok[0]["body"].get("scope"), tok[0]["status"]),
             ("basic", CLIENT, "client_credentials", "all-apis", 200), "token request")
    call = [e for e in entries if e["path"].startswith("/api/")][-1]
    same((call["auth"], call["principal"]), ("oauth", CLIENT), "API call over OAuth")

    # the SDK refreshes a token that expired (TTL 2 s)
    ctl("POST", "/_emu/seed", {"token_ttl": 2})
    w = WorkspaceClient(host=ARGS.url, client_id=CLIENT, client_secret=SECRET,
                        auth_type="oauth-m2m")
    w.model_registry.get_model(WS)
    time.sleep(2.2)
    m0 = mark()
    same(w.model_registry.get_model(WS).registered_model_databricks.name, WS, "after expiry")
    entries = log_since(m0)
    same([(e["path"].split("/")[-1], e["status"]) for e in entries],
         [("token", 200), ("get", 200)], "SDK refreshed the expired token first")

    # a token the server expired early: 401, a fresh token works
    ctl("POST", "/_emu/seed", {"token_ttl": 3600})
    w = WorkspaceClient(host=ARGS.url, client_id=CLIENT, client_secret=SECRET,
                        auth_type="oauth-m2m")
    w.model_registry.get_model(WS)
    ctl("POST", "/_emu/expire-tokens")
    raises(lambda: w.model_registry.get_model(WS), "call with a server-expired token",
           Unauthenticated, "UNAUTHENTICATED", "expired")
    w2 = WorkspaceClient(host=ARGS.url, client_id=CLIENT, client_secret=SECRET,
                         auth_type="oauth-m2m")
    same(w2.model_registry.get_model(WS).registered_model_databricks.name, WS,
         "a fresh token works")
    raises(lambda: WorkspaceClient(host=ARGS.url, client_id=CLIENT, client_secret="wrong",
                                   auth_type="oauth-m2m").model_registry.get_model(WS),
           "wrong client secret", Exception, None, "invalid_client")

    # MLflow over OAuth M2M (DATABRICKS_CLIENT_ID/SECRET)
    use_oauth()
    m0 = mark()
    mv = MlflowClient(tracking_uri="databricks", registry_uri="databricks").get_model_version(
        WS, "3")
    same(mv.current_stage, state_version(WS, 3)["current_stage"], "MLflow over OAuth")
    calls = api_calls(m0, "/model-versions/get")
    if check(calls, "MLflow OAuth call logged"):
        same((calls[-1]["auth"], calls[-1]["principal"]), ("oauth", CLIENT), "MLflow OAuth")
    uc = MlflowClient(tracking_uri="databricks", registry_uri="databricks-uc")
    same(uc.get_model_version_by_alias(UCM, "champion").version, "3", "MLflow UC over OAuth")
    use_pat()

    # wrong PAT: 401 from both clients
    raises(lambda: WorkspaceClient(host=ARGS.url, token="dapi-wrong").model_registry.get_model(
        WS), "SDK with a wrong PAT", Unauthenticated, "UNAUTHENTICATED")
    use_pat("dapi-wrong")
    raises(lambda: MlflowClient(tracking_uri="databricks", registry_uri="databricks")
           .get_model_version(WS, "1"), "MLflow with a wrong PAT", MlflowException,
           "UNAUTHENTICATED")
    use_pat()

    # 429 with Retry-After: the SDK waits and retries
    mr = WorkspaceClient().model_registry
    ctl("POST", "/_emu/faults", {"path": "/api/2.0/mlflow/transition-requests/list",
                                 "status": 429, "retry_after": 1, "count": 1})
    m0 = mark()
    t0 = time.monotonic()
    mr.list_transition_requests(WS, "4")
    took = time.monotonic() - t0
    calls = api_calls(m0, "/transition-requests/list")
    same([(c["status"], c["fault"]) for c in calls], [(429, 429), (200, None)],
         "429 then the retry")
    check(took >= 0.95, f"the SDK waited {took:.2f} s, Retry-After asked 1")
    # MLflow's client retries it too
    ctl("POST", "/_emu/faults", {"path": "/api/2.0/mlflow/model-versions/get", "status": 429,
                                 "retry_after": 1, "count": 1})
    m0 = mark()
    mc = MlflowClient(tracking_uri="databricks", registry_uri="databricks")
    same(mc.get_model_version(WS, "3").version, "3", "MLflow after a 429")
    same([c["status"] for c in api_calls(m0, "/model-versions/get")], [429, 200],
         "MLflow retried the 429")
    # a 404 injected with a given body reaches the SDK as that error
    ctl("POST", "/_emu/faults", {"path": "/api/2.0/mlflow/transition-requests/list",
                                 "status": 404, "message": "gone for the test"})
    raises(lambda: mr.list_transition_requests(WS, "4"), "injected 404", NotFound,
           "RESOURCE_DOES_NOT_EXIST", "gone for the test")

    # no secret in the log
    dump = json.dumps(ctl("GET", "/_emu/log"))
    for s in (PAT, EDITOR_PAT, SECRET):
        check(s not in dump, "a secret is in /_emu/log")
    check("dbemu-" not in dump, "an issued OAuth token is in /_emu/log")


def plain_http(url):
    """Neither client refuses plain http: a short run against a second emulator."""
    from databricks.sdk import WorkspaceClient
    from mlflow import MlflowClient

    ARGS.url, tls_url = url, ARGS.url
    use_pat()
    ctl("POST", "/_emu/seed", {"models": [
        {"name": "m", "versions": [{"stage": "Staging"}]},
        {"name": "c.s.m", "uc": True, "versions": [{"aliases": ["champion"]}]}]})
    same(WorkspaceClient().model_registry.get_model("m").registered_model_databricks.name, "m",
         "SDK over http")
    same(MlflowClient("databricks", "databricks").get_model_version("m", "1").current_stage,
         "Staging", "MLflow over http")
    same(MlflowClient("databricks", "databricks-uc").get_model_version_by_alias(
        "c.s.m", "champion").version, "1", "MLflow UC over http")
    same([(e["path"], e["auth"]) for e in ctl("GET", "/_emu/log") if "/api/" in e["path"]],
         [("/api/2.0/mlflow/databricks/registered-models/get", "pat"),
          ("/api/2.0/mlflow/model-versions/get", "pat"),
          ("/api/2.0/mlflow/unity-catalog/registered-models/alias", "pat")], "http calls")
    ARGS.url = tls_url


def main():
    warnings.filterwarnings("ignore")
    logging.getLogger("mlflow").setLevel(logging.ERROR)
    logging.getLogger("databricks").setLevel(logging.ERROR)
    for k in [k for k in os.environ if k.startswith("DATABRICKS_")]:
        del os.environ[k]
    os.environ["DATABRICKS_CONFIG_FILE"] = os.path.join(os.getcwd(), "no-databrickscfg")
    t0 = time.monotonic()
    seed()
    parts = [workspace_pat, tracking, unity_catalog, auth_and_faults]
    if ARGS.regtool:
        parts.insert(3, mlgate_parity)
    for part in parts:
        try:
            part()
        except Exception as e:  # noqa: BLE001 - one part failing must not hide the others
            import traceback
            traceback.print_exc()
            check(False, f"{part.__name__} stopped: {type(e).__name__}: {str(e)[:500]}")
    n = len(ctl("GET", "/_emu/log"))
    if ARGS.plain_url:
        try:
            plain_http(ARGS.plain_url)
        except Exception as e:  # noqa: BLE001
            check(False, f"plain_http stopped: {type(e).__name__}: {str(e)[:500]}")
    if failures:
        print(f"dbemu contract ({ARGS.url}): {len(failures)} failures", file=sys.stderr)
        sys.exit(1)
    print(f"dbemu contract ({ARGS.url}): all checks passed, {n} requests, "
          f"{time.monotonic() - t0:.1f} s")


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--plain-url", help="a second emulator, over http: a short run")
    p.add_argument("--regtool", help="mlgate's registry command line: the same calls through it")
    ARGS = p.parse_args()
    main()
