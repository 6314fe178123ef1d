"""dbemu's tracking handlers, the route table and the control API (see dbemu.py)."""
import secrets
import time

import dbemu_registry as reg
from dbemu_registry import (
    API,
    ApiError,
    DEFAULT_USER,
    LEVELS,
    UC,
    add_comment,
    add_request,
    bad,
    canon_stage,
    h_alias,
    h_comment_create,
    h_comment_delete,
    h_comment_update,
    h_databricks_rm_get,
    h_download_uri,
    h_latest,
    h_mv_create,
    h_mv_get,
    h_mv_search,
    h_mv_tag,
    h_mv_update,
    h_req_create,
    h_req_decide,
    h_req_delete,
    h_req_list,
    h_rm_create,
    h_rm_get,
    h_rm_search,
    h_rm_tag,
    h_rm_update,
    h_transition,
    jfloat,
    make_model,
    make_version,
    missing,
    now_ms,
    open_requests,
    page,
    req_str,
    request_json,
    tag_list,
    to_float,
    to_int,
    uc_model_json,
    uc_version_json,
    ws_model_json,
    ws_version_json,
)

# --- tracking ------------------------------------------------------------------------------


def exp_json(e):
    return {"experiment_id": e["experiment_id"], "name": e["name"],
            "artifact_location": f"dbfs:/databricks/mlflow-tracking/{e['experiment_id']}",
            "lifecycle_stage": "active", "creation_time": e["creation_time"],
            "last_update_time": e["creation_time"], "tags": tag_list(e["tags"])}


def make_experiment(name, tags=None):
    if not isinstance(name, str) or not name:
        raise bad("Missing value for required parameter 'name'")
    if any(e["name"] == name for e in reg.ST.experiments.values()):
        raise ApiError(400, "RESOURCE_ALREADY_EXISTS",
                       f"Node named '{name}' already exists")
    eid = str(1000000000000000 + len(reg.ST.experiments) + 1)
    reg.ST.experiments[eid] = {"experiment_id": eid, "name": name, "creation_time": now_ms(),
                           "tags": dict(tags or {})}
    return reg.ST.experiments[eid]


def run_json(r):
    info = {k: r[k] for k in ("run_id", "experiment_id", "user_id", "status", "start_time",
                              "artifact_uri", "lifecycle_stage", "run_name")}
    info["run_uuid"] = r["run_id"]
    if r.get("end_time") is not None:
        info["end_time"] = r["end_time"]
    latest = {}
    for mt in r["metrics"]:
        cur = latest.get(mt["key"])
        if cur is None or (mt["step"], mt["timestamp"]) >= (cur["step"], cur["timestamp"]):
            latest[mt["key"]] = mt
    data = {"metrics": [{**mt, "value": jfloat(mt["value"])} for _, mt in sorted(latest.items())],
            "params": tag_list(r["params"]), "tags": tag_list(r["tags"])}
    return {"info": info, "data": data, "inputs": {}}


def make_run(exp_id, user, name="", start=None, tags=None, run_id=None):
    if exp_id not in reg.ST.experiments:
        raise missing(f"Could not find experiment with ID {exp_id}")
    rid = run_id or secrets.token_hex(16)
    tags = dict(tags or {})
    name = name or tags.get("mlflow.runName") or f"run-{rid[:6]}"
    tags.setdefault("mlflow.runName", name)
    tags.setdefault("mlflow.user", user)
    reg.ST.runs[rid] = {"run_id": rid, "experiment_id": exp_id, "user_id": user,
                    "status": "RUNNING", "start_time": start or now_ms(), "end_time": None,
                    "artifact_uri": f"dbfs:/databricks/mlflow-tracking/{exp_id}/{rid}/artifacts",
                    "lifecycle_stage": "active", "run_name": name, "metrics": [],
                    "params": {}, "tags": tags}
    return reg.ST.runs[rid]


def get_run(p):
    rid = p.get("run_id") or p.get("run_uuid")
    if not rid:
        raise bad("Missing value for required parameter 'run_id'")
    r = reg.ST.runs.get(rid)
    if r is None:
        raise missing(f"Run '{rid}' not found")
    return r


def h_exp_by_name(p, who):
    name = req_str(p, "experiment_name")
    for e in reg.ST.experiments.values():
        if e["name"] == name:
            return {"experiment": exp_json(e)}
    raise missing(f"Node '{name}' does not exist.")


def h_exp_get(p, who):
    e = reg.ST.experiments.get(req_str(p, "experiment_id"))
    if e is None:
        raise missing(f"Node ID {p.get('experiment_id')} does not exist.")
    return {"experiment": exp_json(e)}


def h_exp_create(p, who):
    tags = {t["key"]: t.get("value", "") for t in p.get("tags") or []}
    return {"experiment_id": make_experiment(p.get("name"), tags)["experiment_id"]}


def h_run_create(p, who):
    tags = {t["key"]: t.get("value", "") for t in p.get("tags") or []}
    r = make_run(req_str(p, "experiment_id"), p.get("user_id") or who, p.get("run_name") or "",
                 p.get("start_time"), tags)
    return {"run": run_json(r)}


def h_run_get(p, who):
    return {"run": run_json(get_run(p))}


def h_run_update(p, who):
    r = get_run(p)
    if p.get("status"):
        if p["status"] not in ("RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"):
            raise bad(f"Invalid run status '{p['status']}'")
        r["status"] = p["status"]
    if p.get("end_time") is not None:
        r["end_time"] = to_int(p["end_time"], "end_time")
    if p.get("run_name"):
        r["run_name"] = p["run_name"]
        r["tags"]["mlflow.runName"] = p["run_name"]
    info = run_json(r)["info"]
    return {"run_info": info}


def add_metric(r, mt):
    if not isinstance(mt, dict) or not mt.get("key"):
        raise bad("A metric needs a key")
    r["metrics"].append({"key": mt["key"], "value": to_float(mt.get("value"), "metric value"),
                         "timestamp": to_int(mt.get("timestamp"), "timestamp", now_ms()),
                         "step": to_int(mt.get("step"), "step", 0)})


def set_param(r, key, value):
    if key in r["params"] and r["params"][key] != value:
        raise bad(f"Changing param values is not allowed. Param with key='{key}' was already "
                  f"logged with value='{r['params'][key]}' for run ID='{r['run_id']}'. "
                  f"Attempted logging new value '{value}'.")
    r["params"][key] = value


def h_log_batch(p, who):
    r = get_run(p)
    if len(p.get("metrics") or []) > 1000 or len(p.get("params") or []) > 100 or \
            len(p.get("tags") or []) > 100:
        raise bad("A batch logging request can contain at most 1000 metrics, 100 params "
                  "and 100 tags")
    for mt in p.get("metrics") or []:
        add_metric(r, mt)
    for pr in p.get("params") or []:
        set_param(r, pr["key"], str(pr.get("value", "")))
    for t in p.get("tags") or []:
        r["tags"][t["key"]] = t.get("value", "")
    return {}


def h_log_metric(p, who):
    add_metric(get_run(p), p)
    return {}


def h_log_param(p, who):
    set_param(get_run(p), req_str(p, "key"), str(p.get("value", "")))
    return {}


def h_run_tag(p, who):
    get_run(p)["tags"][req_str(p, "key")] = p.get("value") or ""
    return {}


def h_history(p, who):
    r = get_run(p)
    key = req_str(p, "metric_key")
    rows = [{**mt, "value": jfloat(mt["value"])} for mt in r["metrics"] if mt["key"] == key]
    return page(rows, p, "metrics", 25000, 25000)


ROUTES = {
    ("POST", API + "registered-models/create"): h_rm_create(False),
    ("GET", API + "registered-models/get"): h_rm_get(False),
    ("GET", API + "registered-models/search"): h_rm_search(False),
    ("PATCH", API + "registered-models/update"): h_rm_update(False),
    ("POST", API + "registered-models/set-tag"): h_rm_tag(False, False),
    ("DELETE", API + "registered-models/delete-tag"): h_rm_tag(False, True),
    ("POST", API + "registered-models/get-latest-versions"): h_latest,
    ("GET", API + "registered-models/get-latest-versions"): h_latest,
    ("POST", API + "model-versions/create"): h_mv_create,
    ("GET", API + "model-versions/get"): h_mv_get(False),
    ("GET", API + "model-versions/search"): h_mv_search(False),
    ("PATCH", API + "model-versions/update"): h_mv_update(False),
    ("POST", API + "model-versions/set-tag"): h_mv_tag(False, False),
    ("DELETE", API + "model-versions/delete-tag"): h_mv_tag(False, True),
    ("GET", API + "model-versions/get-download-uri"): h_download_uri(False),
    ("POST", API + "model-versions/transition-stage"): h_transition(False),
    ("POST", API + "databricks/model-versions/transition-stage"): h_transition(True),
    ("GET", API + "databricks/registered-models/get"): h_databricks_rm_get,
    ("POST", API + "transition-requests/create"): h_req_create,
    ("GET", API + "transition-requests/list"): h_req_list,
    ("POST", API + "transition-requests/approve"): h_req_decide(True),
    ("POST", API + "transition-requests/reject"): h_req_decide(False),
    ("DELETE", API + "transition-requests/delete"): h_req_delete,
    ("POST", API + "comments/create"): h_comment_create,
    ("PATCH", API + "comments/update"): h_comment_update,
    ("DELETE", API + "comments/delete"): h_comment_delete,
    ("POST", UC + "registered-models/create"): h_rm_create(True),
    ("GET", UC + "registered-models/get"): h_rm_get(True),
    ("GET", UC + "registered-models/search"): h_rm_search(True),
    ("PATCH", UC + "registered-models/update"): h_rm_update(True),
    ("POST", UC + "registered-models/set-tag"): h_rm_tag(True, False),
    ("DELETE", UC + "registered-models/delete-tag"): h_rm_tag(True, True),
    ("GET", UC + "registered-models/alias"): h_alias("GET"),
    ("POST", UC + "registered-models/alias"): h_alias("POST"),
    ("DELETE", UC + "registered-models/alias"): h_alias("DELETE"),
    ("GET", UC + "model-versions/get"): h_mv_get(True),
    ("GET", UC + "model-versions/search"): h_mv_search(True),
    ("PATCH", UC + "model-versions/update"): h_mv_update(True),
    ("POST", UC + "model-versions/set-tag"): h_mv_tag(True, False),
    ("DELETE", UC + "model-versions/delete-tag"): h_mv_tag(True, True),
    ("GET", UC + "model-versions/get-download-uri"): h_download_uri(True),
    ("GET", API + "experiments/get-by-name"): h_exp_by_name,
    ("GET", API + "experiments/get"): h_exp_get,
    ("POST", API + "experiments/create"): h_exp_create,
    ("POST", API + "runs/create"): h_run_create,
    ("GET", API + "runs/get"): h_run_get,
    ("POST", API + "runs/update"): h_run_update,
    ("POST", API + "runs/log-batch"): h_log_batch,
    ("POST", API + "runs/log-metric"): h_log_metric,
    ("POST", API + "runs/log-parameter"): h_log_param,
    ("POST", API + "runs/set-tag"): h_run_tag,
    ("GET", API + "metrics/get-history"): h_history,
}


# --- control -------------------------------------------------------------------------------


def seed(doc):
    out = {"runs": [], "versions": {}}
    for tok, principal in (doc.get("tokens") or {}).items():
        reg.ST.tokens[tok] = principal
    reg.ST.clients.update(doc.get("clients") or {})
    if doc.get("token_ttl") is not None:
        reg.ST.ttl = to_int(doc["token_ttl"], "token_ttl")
    for pm in doc.get("permissions") or []:
        set_permission(pm)
    for rd in doc.get("runs") or []:
        ename = rd.get("experiment", "/Shared/dbemu")
        exp = next((e for e in reg.ST.experiments.values() if e["name"] == ename), None) or \
            make_experiment(ename)
        r = make_run(exp["experiment_id"], rd.get("user", DEFAULT_USER), rd.get("name", ""),
                     rd.get("start_time"), rd.get("tags"), rd.get("run_id"))
        for k, vals in (rd.get("metrics") or {}).items():
            for i, val in enumerate(vals if isinstance(vals, list) else [vals]):
                mt = val if isinstance(val, dict) else {"value": val, "step": i}
                add_metric(r, {"key": k, **mt})
        r["params"].update({k: str(v) for k, v in (rd.get("params") or {}).items()})
        r["status"] = rd.get("status", "FINISHED")
        if r["status"] != "RUNNING":
            r["end_time"] = r["start_time"] + 1000
        out["runs"].append(r["run_id"])
    for md in doc.get("models") or []:
        uc = bool(md.get("uc"))
        user = md.get("user", DEFAULT_USER)
        m = reg.ST.models.get((uc, md["name"])) or make_model(uc, md["name"], user,
                                                          md.get("description"), md.get("tags"))
        made = out["versions"].setdefault(m["name"], [])
        for vd in md.get("versions") or []:
            stage = canon_stage(vd.get("stage", "None"))
            if uc and stage != "None":
                raise bad("Unity Catalog versions have no stage")
            v = make_version(m, vd.get("user", user), vd.get("source", ""),
                             vd.get("run_id", ""), vd.get("description"), vd.get("tags"),
                             stage, vd.get("version"), vd.get("status", "READY"))
            for a in vd.get("aliases") or []:
                if not uc:
                    raise bad("workspace registry versions have no aliases")
                m["aliases"][a] = v["version"]
            for rq in vd.get("requests") or []:
                add_request(m, v, canon_stage(rq["stage"]), rq.get("user", DEFAULT_USER),
                            rq.get("comment"))
            for cm in vd.get("comments") or []:
                add_comment(m, v, cm.get("user", DEFAULT_USER), cm["comment"])
            made.append(str(v["version"]))
    return out


def set_permission(pm):
    if pm.get("level") not in LEVELS:
        raise bad(f"level must be one of {', '.join(LEVELS)}")
    reg.ST.perms[(req_str(pm, "principal"), req_str(pm, "model"))] = pm["level"]


def state_json():
    models = []
    for (uc, name), m in sorted(reg.ST.models.items()):
        versions = []
        for n, v in sorted(m["versions"].items()):
            d = uc_version_json(m, v) if uc else ws_version_json(v)
            if not uc:
                d["open_requests"] = [request_json(r) for r in open_requests(name, n)]
            d["activities"] = reg.ST.activities.get((uc, name, n), [])
            d["comments"] = [{k: c[k] for k in ("id", "user_id", "comment", "creation_timestamp",
                                                "last_updated_timestamp")}
                             for c in reg.ST.comments.values() if c["name"] == name and
                             c["version"] == n and not uc]
            versions.append(d)
        d = uc_model_json(m) if uc else ws_model_json(m)
        d.update({"uc": uc, "id": m["id"], "versions": versions})
        models.append(d)
    return {"models": models, "requests": reg.ST.requests,
            "comments": list(reg.ST.comments.values()),
            "experiments": [exp_json(e) for e in reg.ST.experiments.values()],
            "runs": [run_json(r) for r in reg.ST.runs.values()],
            "permissions": [{"principal": p, "model": m, "level": lv}
                            for (p, m), lv in sorted(reg.ST.perms.items())],
            "issued_tokens": len(reg.ST.issued)}


def control(method, path, body):
    if method == "POST" and path == "/_emu/seed":
        return seed(body)
    if method == "GET" and path == "/_emu/state":
        return state_json()
    if method == "GET" and path == "/_emu/log":
        return reg.ST.log
    if method == "POST" and path == "/_emu/log/clear":
        reg.ST.log.clear()
        return {}
    if method == "POST" and path == "/_emu/faults":
        if body.get("clear"):
            reg.ST.faults.clear()
            return {}
        f = {"path": req_str(body, "path"), "method": body.get("method"),
             "count": to_int(body.get("count"), "count", 1), "status": body.get("status", 0),
             "retry_after": body.get("retry_after"), "body": body.get("body"),
             "error_code": body.get("error_code"), "message": body.get("message"),
             "delay": body.get("delay", 0)}
        reg.ST.faults.append(f)
        return {"faults": len(reg.ST.faults)}
    if method == "POST" and path == "/_emu/expire-tokens":
        now = time.time()
        for entry in reg.ST.issued.values():
            entry[1] = min(entry[1], now)
        return {"expired": len(reg.ST.issued)}
    if method == "POST" and path == "/_emu/permission":
        set_permission(body)
        return {}
    raise ApiError(404, "ENDPOINT_NOT_FOUND", f"No control endpoint {method} {path}")
