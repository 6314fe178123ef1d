"""dbemu's registry: state, permissions, the workspace and Unity Catalog model registry
handlers. dbemu.py documents the behaviour; this module keeps its state in ST (one lock)."""
import base64
import json
import math
import re
import secrets
import threading
import time

LEVELS = ["NONE", "CAN_READ", "CAN_EDIT", "CAN_MANAGE_STAGING_VERSIONS",
          "CAN_MANAGE_PRODUCTION_VERSIONS", "CAN_MANAGE"]
STAGES = {"none": "None", "staging": "Staging", "production": "Production",
          "archived": "Archived"}
DEFAULT_USER = "user@example.com"
API = "/api/2.0/mlflow/"
UC = API + "unity-catalog/"


class ApiError(Exception):
    def __init__(self, status, code, message, headers=None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


def bad(msg):
    return ApiError(400, "INVALID_PARAMETER_VALUE", msg)


def missing(msg):
    return ApiError(404, "RESOURCE_DOES_NOT_EXIST", msg)


def now_ms():
    return int(time.time() * 1000)


def jfloat(v):
    if isinstance(v, float) and not math.isfinite(v):
        return "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")
    return v


def to_float(v, what):
    if isinstance(v, bool):
        raise bad(f"{what} must be a number")
    if isinstance(v, (int, float)):
        return float(v)
    if v in ("NaN", "Infinity", "-Infinity"):
        return float(v.replace("Infinity", "inf"))
    raise bad(f"{what} must be a number, got {v!r}")


def to_int(v, what, default=None):
    if v is None or v == "":
        if default is None:
            raise bad(f"Missing value for required parameter '{what}'")
        return default
    if isinstance(v, bool):
        raise bad(f"{what} must be an integer")
    try:
        return int(v)
    except (TypeError, ValueError):
        raise bad(f"{what} must be an integer, got {v!r}") from None


def tag_list(d):
    return [{"key": k, "value": v} for k, v in sorted(d.items())]


def canon_stage(s):
    if not isinstance(s, str) or s.lower() not in STAGES:
        raise bad(f"Invalid Model Version stage: {s}. Value must be one of "
                  "None, Staging, Production, Archived.")
    return STAGES[s.lower()]


class State:
    def __init__(self, args):
        self.lock = threading.Lock()
        self.tokens = {}
        for spec in args.token:
            principal, tok = spec.split("=", 1) if "=" in spec else (DEFAULT_USER, spec)
            self.tokens[tok] = principal
        self.clients = dict(c.split(":", 1) for c in args.client)
        self.ttl = args.token_ttl
        self.page_size = args.page_size
        self.workspace_id = args.workspace_id
        self.issued = {}  # access token -> [principal, expiry seconds]
        self.models = {}  # (uc, name) -> model dict
        self.requests = []
        self.comments = {}
        self.activities = {}  # (uc, name, version) -> [activity]
        self.experiments = {}
        self.runs = {}
        self.perms = {}
        self.log = []
        self.faults = []
        self.seq = 0
        self.next_id = 1000

    def new_id(self):
        self.next_id += 1
        return str(self.next_id)


ST = None


def level_of(principal, model):
    for key in ((principal, model), (principal, "*")):
        if key in ST.perms:
            return ST.perms[key]
    return "CAN_MANAGE"


def require(principal, model, level):
    have = level_of(principal, model)
    if LEVELS.index(have) < LEVELS.index(level):
        raise ApiError(403, "PERMISSION_DENIED",
                       f"User '{principal}' does not have {level} permission on registered "
                       f"model '{model}' (has {have}).")


def stage_level(*stages):
    return ("CAN_MANAGE_PRODUCTION_VERSIONS" if "Production" in stages
            else "CAN_MANAGE_STAGING_VERSIONS")


# --- model store -------------------------------------------------------------------------


def check_uc_name(name):
    parts = name.split(".") if isinstance(name, str) else []
    if len(parts) != 3 or not all(parts):
        raise bad(f"Invalid registered model name '{name}': please specify all three levels "
                  "of the name: <catalog>.<schema>.<model>")


def req_str(p, key):
    v = p.get(key)
    if v is None or v == "":
        raise bad(f"Missing value for required parameter '{key}'")
    if not isinstance(v, str):
        if isinstance(v, int) and not isinstance(v, bool):
            return str(v)
        raise bad(f"Parameter '{key}' must be a string")
    return v


def get_model(uc, name):
    if uc:
        check_uc_name(name)
    m = ST.models.get((uc, name))
    if m is None:
        if uc:
            raise missing(f"Registered model '{name}' does not exist.")
        raise missing(f"Registered Model with name={name} not found")
    return m


def get_version(uc, name, version):
    m = get_model(uc, name)
    if not re.fullmatch(r"[0-9]+", str(version)) or int(version) < 1:
        raise bad(f"Model version must be a positive integer, got '{version}'")
    v = m["versions"].get(int(version))
    if v is None:
        raise missing(f"Model Version (name={name}, version={version}) not found")
    return m, v


def make_model(uc, name, user, description="", tags=None):
    if not isinstance(name, str) or not name:
        raise bad("Missing value for required parameter 'name'")
    if uc:
        check_uc_name(name)
    if (uc, name) in ST.models:
        if uc:
            raise ApiError(409, "ALREADY_EXISTS", f"Registered model '{name}' already exists.")
        raise ApiError(400, "RESOURCE_ALREADY_EXISTS",
                       f"Registered Model (name={name}) already exists.")
    t = now_ms()
    m = {"name": name, "uc": uc, "id": secrets.token_hex(16), "creation_timestamp": t,
         "last_updated_timestamp": t, "user_id": user, "description": description or "",
         "tags": dict(tags or {}), "aliases": {}, "versions": {}}
    ST.models[(uc, name)] = m
    return m


def make_version(m, user, source="", run_id="", description="", tags=None, stage="None",
                 version=None, status="READY"):
    n = int(version) if version else max(m["versions"], default=0) + 1
    if n in m["versions"]:
        raise bad(f"version {n} of {m['name']} exists")
    t = now_ms()
    exp = ST.runs.get(run_id, {}).get("experiment_id", "")
    v = {"name": m["name"], "version": n, "creation_timestamp": t, "last_updated_timestamp": t,
         "user_id": user, "current_stage": stage, "description": description or "",
         "source": source or f"dbfs:/databricks/mlflow-registry/{m['id']}/models/v{n}",
         "run_id": run_id or "", "run_experiment_id": exp, "status": status,
         "tags": dict(tags or {})}
    m["versions"][n] = v
    m["last_updated_timestamp"] = t
    return v


def version_aliases(m, n):
    return sorted(a for a, ver in m["aliases"].items() if ver == n)


def ws_version_json(v):
    out = {k: v[k] for k in ("name", "creation_timestamp", "last_updated_timestamp", "user_id",
                             "current_stage", "description", "source", "run_id", "status")}
    out["version"] = str(v["version"])
    out["tags"] = tag_list(v["tags"])
    if not out["run_id"]:
        del out["run_id"]
    if not out["description"]:
        del out["description"]
    return out


def uc_version_json(m, v, search=False):
    out = {k: v[k] for k in ("name", "creation_timestamp", "last_updated_timestamp", "user_id",
                             "description", "source", "run_id", "run_experiment_id", "status")}
    out["version"] = str(v["version"])
    out["storage_location"] = f"s3://uc-emu/models/{m['id']}/versions/{v['version']}"
    if not search:
        out["tags"] = tag_list(v["tags"])
        out["aliases"] = [{"alias": a, "version": str(v["version"])}
                          for a in version_aliases(m, v["version"])]
    for k in ("description", "run_id", "run_experiment_id"):
        if not out[k]:
            del out[k]
    return out


def latest_versions(m):
    best = {}
    for n, v in sorted(m["versions"].items()):
        best[v["current_stage"]] = v
    return [ws_version_json(v) for _, v in sorted(best.items())]


def ws_model_json(m, search=False):
    out = {k: m[k] for k in ("name", "creation_timestamp", "last_updated_timestamp", "user_id")}
    if m["description"]:
        out["description"] = m["description"]
    out["tags"] = tag_list(m["tags"])
    if not search or m["versions"]:
        out["latest_versions"] = latest_versions(m)
    return out


def uc_model_json(m, search=False):
    out = {k: m[k] for k in ("name", "creation_timestamp", "last_updated_timestamp", "user_id")}
    if m["description"]:
        out["description"] = m["description"]
    if not search:
        out["tags"] = tag_list(m["tags"])
        out["aliases"] = [{"alias": a, "version": str(n)} for a, n in sorted(m["aliases"].items())]
    return out


def activity(uc, name, version, kind, user, comment=None, from_stage=None, to_stage=None,
             system_comment=None):
    t = now_ms()
    a = {"id": ST.new_id(), "activity_type": kind, "user_id": user, "creation_timestamp": t,
         "last_updated_timestamp": t}
    for k, val in (("comment", comment), ("from_stage", from_stage), ("to_stage", to_stage),
                   ("system_comment", system_comment)):
        if val:
            a[k] = val
    ST.activities.setdefault((uc, name, int(version)), []).append(a)
    return a


def touch(m, v=None):
    t = now_ms()
    m["last_updated_timestamp"] = t
    if v is not None:
        v["last_updated_timestamp"] = t


def do_transition(m, v, stage, archive, user, comment, kind="APPLIED_TRANSITION"):
    if archive and stage not in ("Staging", "Production"):
        raise bad(f"Model version transition cannot archive existing model versions because "
                  f"'{stage}' is not an Active stage. Valid stages are Staging and Production.")
    old = v["current_stage"]
    v["current_stage"] = stage
    touch(m, v)
    act = activity(False, m["name"], v["version"], kind, user, comment, old, stage)
    if archive:
        for other in m["versions"].values():
            if other is not v and other["current_stage"] == stage:
                other["current_stage"] = "Archived"
                touch(m, other)
                activity(False, m["name"], other["version"], "SYSTEM_TRANSITION", user, None,
                         stage, "Archived",
                         f"Archived because version {v['version']} was moved to {stage}.")
    return act


def open_requests(name, version, stage=None):
    return [r for r in ST.requests if r["name"] == name and r["version"] == int(version)
            and r["status"] == "OPEN" and (stage is None or r["to_stage"] == stage)]


def request_json(r):
    return {"id": r["id"], "activity_type": "REQUESTED_TRANSITION", "user_id": r["user_id"],
            "creation_timestamp": r["creation_timestamp"],
            "last_updated_timestamp": r["last_updated_timestamp"], "to_stage": r["to_stage"],
            "from_stage": r["from_stage"], **({"comment": r["comment"]} if r["comment"] else {})}


def add_request(m, v, stage, user, comment):
    t = now_ms()
    r = {"id": ST.new_id(), "name": m["name"], "version": v["version"], "to_stage": stage,
         "from_stage": v["current_stage"], "user_id": user, "comment": comment or "",
         "creation_timestamp": t, "last_updated_timestamp": t, "status": "OPEN"}
    ST.requests.append(r)
    activity(False, m["name"], v["version"], "REQUESTED_TRANSITION", user, comment,
             v["current_stage"], stage)
    return r


def add_comment(m, v, user, text):
    if not isinstance(text, str) or not text:
        raise bad("Missing value for required parameter 'comment'")
    if len(text) > 65535:
        raise bad("comment is longer than 65535 characters")
    t = now_ms()
    c = {"id": secrets.token_hex(16), "name": m["name"], "version": v["version"],
         "user_id": user, "comment": text, "creation_timestamp": t, "last_updated_timestamp": t}
    ST.comments[c["id"]] = c
    return c


def comment_json(c, principal):
    out = {k: c[k] for k in ("id", "user_id", "comment", "creation_timestamp",
                             "last_updated_timestamp")}
    out["available_actions"] = (["EDIT_COMMENT", "DELETE_COMMENT"] if c["user_id"] == principal
                                else [])
    return out


# --- search ------------------------------------------------------------------------------

CLAUSE = re.compile(r"\s*(tags\.`[^`]+`|tags\.[\w.\-]+|[a-z_]+)\s*(=|!=|<=|>=|<|>|"
                    r"(?i:ilike)|(?i:like))\s*('(?:[^']|'')*'|\"(?:[^\"])*\"|-?[0-9]+)\s*$")


def split_and(s):
    parts, cur, q = [], "", None
    i = 0
    while i < len(s):
        ch = s[i]
        if q:
            cur += ch
            if ch == q:
                q = None
        elif ch in "'\"`":
            q = ch
            cur += ch
        elif s[i:i + 5].lower() == " and " and not q:
            parts.append(cur)
            cur = ""
            i += 5
            continue
        else:
            cur += ch
        i += 1
    parts.append(cur)
    return [p for p in parts if p.strip()]


def like(pattern, value, fold):
    rx = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.fullmatch(rx, value, re.I | re.S if fold else re.S) is not None


def parse_filter(s, allowed):
    conds = []
    for part in split_and(s or ""):
        mt = CLAUSE.match(part)
        if not mt:
            raise bad(f"Invalid filter '{s}': cannot parse '{part.strip()}'")
        key, op, val = mt.group(1), mt.group(2).upper(), mt.group(3)
        if val[0] in "'\"":
            val = val[1:-1].replace("''", "'") if val[0] == "'" else val[1:-1]
        field = "tags" if key.startswith("tags.") else key
        if field not in allowed:
            raise bad(f"Invalid filter '{s}': unsupported attribute '{key}'")
        conds.append((key, op, val))
    return conds


def matches(conds, rec):
    for key, op, val in conds:
        if key.startswith("tags."):
            k = key[5:].strip("`")
            have = rec["tags"].get(k)
            if have is None:
                return False
        elif key == "version_number":
            have = rec["version"]
            try:
                val = int(val)
            except ValueError:
                raise bad(f"version_number compared with '{val}'") from None
        else:
            have = rec.get(key, "")
        if op in ("LIKE", "ILIKE"):
            if not like(str(val), str(have), op == "ILIKE"):
                return False
        elif not {"=": have == val, "!=": have != val, "<": have < val, "<=": have <= val,
                  ">": have > val, ">=": have >= val}[op]:
            return False
    return True


def page(rows, p, key, default_max, cap):
    maxr = to_int(p.get("max_results"), "max_results", default_max)
    if maxr < 1 or maxr > cap:
        raise bad(f"Invalid value {maxr} for parameter 'max_results': it must be at most {cap}")
    maxr = min(maxr, ST.page_size)
    tok = p.get("page_token") or ""
    start = 0
    if tok:
        try:
            start = int(json.loads(base64.urlsafe_b64decode(tok.encode()))["offset"])
        except (ValueError, KeyError, TypeError):
            raise bad(f"Invalid page token '{tok}'") from None
    out = {key: rows[start:start + maxr]}
    if start + maxr < len(rows):
        out["next_page_token"] = base64.urlsafe_b64encode(
            json.dumps({"offset": start + maxr}).encode()).decode()
    return out


# --- the API handlers ----------------------------------------------------------------------


def h_rm_create(uc):
    def h(p, who):
        tags = {t["key"]: t.get("value", "") for t in p.get("tags") or []}
        m = make_model(uc, p.get("name"), who, p.get("description"), tags)
        return {"registered_model": uc_model_json(m) if uc else ws_model_json(m)}
    return h


def h_rm_get(uc):
    def h(p, who):
        m = get_model(uc, req_str(p, "name"))
        require(who, m["name"], "CAN_READ")
        return {"registered_model": uc_model_json(m) if uc else ws_model_json(m)}
    return h


def h_rm_search(uc):
    def h(p, who):
        conds = [] if uc else parse_filter(p.get("filter"), {"name"})
        rows = [m for (u, n), m in sorted(ST.models.items())
                if u == uc and level_of(who, n) != "NONE" and matches(conds, m)]
        out = page(rows, p, "registered_models", 100, 1000)
        out["registered_models"] = [uc_model_json(m, True) if uc else ws_model_json(m, True)
                                    for m in out["registered_models"]]
        return out
    return h


def h_rm_update(uc):
    def h(p, who):
        m = get_model(uc, req_str(p, "name"))
        require(who, m["name"], "CAN_EDIT")
        if "description" in p:
            m["description"] = p["description"] or ""
        touch(m)
        return {"registered_model": uc_model_json(m) if uc else ws_model_json(m)}
    return h


def h_rm_tag(uc, delete):
    def h(p, who):
        m = get_model(uc, req_str(p, "name"))
        require(who, m["name"], "CAN_EDIT")
        key = req_str(p, "key")
        if delete:
            if key not in m["tags"] and not uc:
                raise missing(f"No tag with name: {key} in registered model {m['name']}")
            m["tags"].pop(key, None)
        else:
            m["tags"][key] = p.get("value") or ""
        touch(m)
        return {}
    return h


def h_mv_create(p, who):
    m = get_model(False, req_str(p, "name"))
    require(who, m["name"], "CAN_EDIT")
    tags = {t["key"]: t.get("value", "") for t in p.get("tags") or []}
    v = make_version(m, who, req_str(p, "source"), p.get("run_id") or "",
                     p.get("description"), tags)
    return {"model_version": ws_version_json(v)}


def h_mv_get(uc):
    def h(p, who):
        m, v = get_version(uc, req_str(p, "name"), req_str(p, "version"))
        require(who, m["name"], "CAN_READ")
        return {"model_version": uc_version_json(m, v) if uc else ws_version_json(v)}
    return h


def h_mv_search(uc):
    def h(p, who):
        if uc:
            conds = parse_filter(p.get("filter"), {"name", "run_id"})
            if len(conds) != 1 or conds[0][1] != "=":
                raise bad("Unity Catalog model version search takes exactly one condition, "
                          "name = '...' or run_id = '...'")
        else:
            conds = parse_filter(p.get("filter"), {"name", "run_id", "tags", "version_number"})
        if isinstance(p.get("order_by"), list):
            for o in p["order_by"]:
                if not re.fullmatch(r"(name|version_number|creation_timestamp|"
                                    r"last_updated_timestamp)( (?i:asc|desc))?", o):
                    raise bad(f"Invalid order_by clause '{o}'")
        rows = []
        for (u, n), m in sorted(ST.models.items()):
            if u != uc or level_of(who, n) == "NONE":
                continue
            for k in sorted(m["versions"], reverse=True):
                v = m["versions"][k]
                if matches(conds, v):
                    rows.append((m, v))
        out = page(rows, p, "model_versions", 10000, 10000)
        out["model_versions"] = [uc_version_json(m, v, True) if uc else ws_version_json(v)
                                 for m, v in out["model_versions"]]
        return out
    return h


def h_mv_update(uc):
    def h(p, who):
        m, v = get_version(uc, req_str(p, "name"), req_str(p, "version"))
        require(who, m["name"], "CAN_EDIT")
        if "description" in p:
            v["description"] = p["description"] or ""
        touch(m, v)
        return {"model_version": uc_version_json(m, v) if uc else ws_version_json(v)}
    return h


def h_mv_tag(uc, delete):
    def h(p, who):
        m, v = get_version(uc, req_str(p, "name"), req_str(p, "version"))
        require(who, m["name"], "CAN_EDIT")
        key = req_str(p, "key")
        if delete:
            if key not in v["tags"] and not uc:
                raise missing(f"No tag with name: {key} in model version {m['name']} "
                              f"version {v['version']}")
            v["tags"].pop(key, None)
        else:
            v["tags"][key] = p.get("value") or ""
        touch(m, v)
        return {}
    return h


def h_download_uri(uc):
    def h(p, who):
        m, v = get_version(uc, req_str(p, "name"), req_str(p, "version"))
        require(who, m["name"], "CAN_READ")
        return {"artifact_uri": uc_version_json(m, v)["storage_location"] if uc else v["source"]}
    return h


def h_latest(p, who):
    m = get_model(False, req_str(p, "name"))
    require(who, m["name"], "CAN_READ")
    stages = [canon_stage(s) for s in p.get("stages") or []]
    return {"model_versions": [x for x in latest_versions(m)
                               if not stages or x["current_stage"] in stages]}


def archive_flag(p, required=False):
    a = p.get("archive_existing_versions")
    if a is None:
        if required:
            raise bad("Missing value for required parameter 'archive_existing_versions'")
        return False
    if isinstance(a, str) and a.lower() in ("true", "false"):
        return a.lower() == "true"
    if not isinstance(a, bool):
        raise bad("archive_existing_versions must be a boolean")
    return a


def h_transition(databricks):
    def h(p, who):
        m, v = get_version(False, req_str(p, "name"), req_str(p, "version"))
        stage = canon_stage(req_str(p, "stage"))
        require(who, m["name"], stage_level(stage, v["current_stage"]))
        do_transition(m, v, stage, archive_flag(p, databricks), who, p.get("comment"))
        if databricks:
            return {"model_version_databricks": version_databricks(m, v, who)}
        return {"model_version": ws_version_json(v)}
    return h


def version_databricks(m, v, who):
    out = ws_version_json(v)
    out["permission_level"] = level_of(who, m["name"])
    out["open_requests"] = [request_json(r) for r in open_requests(m["name"], v["version"])]
    return out


def h_databricks_rm_get(p, who):
    m = get_model(False, req_str(p, "name"))
    require(who, m["name"], "CAN_READ")
    out = ws_model_json(m)
    out["id"] = m["id"]
    out["permission_level"] = level_of(who, m["name"])
    return {"registered_model_databricks": out}


def h_req_create(p, who):
    m, v = get_version(False, req_str(p, "name"), req_str(p, "version"))
    stage = canon_stage(req_str(p, "stage"))
    require(who, m["name"], "CAN_READ")
    if stage == v["current_stage"]:
        raise bad(f"Model version {v['version']} is already in stage {stage}")
    r = add_request(m, v, stage, who, p.get("comment"))
    req = {k: r[k] for k in ("creation_timestamp", "to_stage", "user_id")}
    if r["comment"]:
        req["comment"] = r["comment"]
    req["available_actions"] = ["APPROVE_TRANSITION_REQUEST", "REJECT_TRANSITION_REQUEST",
                                "CANCEL_TRANSITION_REQUEST"]
    return {"request": req}


def h_req_list(p, who):
    m, v = get_version(False, req_str(p, "name"), req_str(p, "version"))
    require(who, m["name"], "CAN_READ")
    return {"requests": [request_json(r) for r in open_requests(m["name"], v["version"])]}


def h_req_decide(approve):
    def h(p, who):
        m, v = get_version(False, req_str(p, "name"), req_str(p, "version"))
        stage = canon_stage(req_str(p, "stage"))
        archive = archive_flag(p, approve)
        require(who, m["name"], stage_level(stage, v["current_stage"]))
        reqs = open_requests(m["name"], v["version"], stage)
        if not reqs:
            raise missing(f"No open transition request to move model '{m['name']}' version "
                          f"{v['version']} to stage {stage}.")
        t = now_ms()
        for r in reqs:
            r["status"] = "APPROVED" if approve else "REJECTED"
            r["last_updated_timestamp"] = t
            r["closed_by"] = who
        if approve:
            act = do_transition(m, v, stage, archive, who, p.get("comment"), "APPROVED_REQUEST")
        else:
            act = activity(False, m["name"], v["version"], "REJECTED_REQUEST", who,
                           p.get("comment"), v["current_stage"], stage)
        return {"activity": act}
    return h


def h_req_delete(p, who):
    m, v = get_version(False, req_str(p, "name"), req_str(p, "version"))
    stage = canon_stage(req_str(p, "stage"))
    creator = req_str(p, "creator")
    reqs = [r for r in open_requests(m["name"], v["version"], stage) if r["user_id"] == creator]
    if not reqs:
        raise missing(f"No open transition request by '{creator}' to move model "
                      f"'{m['name']}' version {v['version']} to stage {stage}.")
    if creator != who:
        require(who, m["name"], "CAN_MANAGE")
    reqs[0]["status"] = "CANCELLED"
    reqs[0]["last_updated_timestamp"] = now_ms()
    act = activity(False, m["name"], v["version"], "CANCELLED_REQUEST", who, p.get("comment"),
                   v["current_stage"], stage)
    return {"activity": act}


def h_comment_create(p, who):
    m, v = get_version(False, req_str(p, "name"), req_str(p, "version"))
    require(who, m["name"], "CAN_READ")
    return {"comment": comment_json(add_comment(m, v, who, p.get("comment")), who)}


def find_comment(p):
    c = ST.comments.get(req_str(p, "id"))
    if c is None:
        raise missing(f"Comment with id '{p.get('id')}' does not exist.")
    return c


def h_comment_update(p, who):
    c = find_comment(p)
    if c["user_id"] != who:
        raise ApiError(403, "PERMISSION_DENIED",
                       f"User '{who}' cannot edit comment {c['id']}: only its author "
                       f"'{c['user_id']}' can.")
    text = p.get("comment")
    if not isinstance(text, str) or not text:
        raise bad("Missing value for required parameter 'comment'")
    c["comment"] = text
    c["last_updated_timestamp"] = now_ms()
    return {"comment": comment_json(c, who)}


def h_comment_delete(p, who):
    c = find_comment(p)
    if c["user_id"] != who:
        require(who, c["name"], "CAN_MANAGE")
    del ST.comments[c["id"]]
    return {}


def h_alias(method):
    def h(p, who):
        m = get_model(True, req_str(p, "name"))
        alias = req_str(p, "alias")
        if method == "GET":
            require(who, m["name"], "CAN_READ")
            if alias not in m["aliases"]:
                raise missing(f"Alias '{alias}' does not exist on registered model "
                              f"'{m['name']}'.")
            return {"model_version": uc_version_json(m, m["versions"][m["aliases"][alias]])}
        require(who, m["name"], "CAN_MANAGE")
        if method == "POST":
            if not re.fullmatch(r"[A-Za-z_][\w\-]*", alias) or alias.lower() == "latest" or \
                    re.fullmatch(r"v[0-9]+", alias, re.I):
                raise bad(f"Invalid alias name '{alias}'")
            _, v = get_version(True, m["name"], req_str(p, "version"))
            m["aliases"][alias] = v["version"]
        else:
            m["aliases"].pop(alias, None)
        touch(m)
        return {}
    return h
