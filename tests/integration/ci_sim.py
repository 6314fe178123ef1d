"""Run mlgate's CI integration (ci/github composite actions, ci/azure step
templates) locally, the way the runner / agent would, for the integration
tests (t_ci_github.sh, t_ci_azure.sh). Needs PyYAML (in the project venv).

  ci_sim.py github ACTION.yml --input NAME=VALUE... --result OUT.json --log LOG
  ci_sim.py azure TEMPLATE.yml --param NAME=VALUE... --result OUT.json --log LOG
  ci_sim.py get OUT.json KEY.PATH        print one value of a result ('' when absent)

What is simulated, and how:

GitHub (composite action): inputs get their defaults; `${{ }}` expressions
in `env:`, `with:`, `working-directory:`, `if:` and the outputs' `value:`
are evaluated (contexts inputs, steps, github, runner, env; functions
success/failure/always/cancelled, contains, startsWith, endsWith, format);
an `if:` without a status function means `success() && (...)`. Each `run:`
step is written to a file and run as the runner does (`bash --noprofile
--norc -eo pipefail FILE` for shell bash) with fresh per-step GITHUB_OUTPUT,
GITHUB_ENV, GITHUB_PATH and GITHUB_STEP_SUMMARY files, parsed afterwards
(NAME=VALUE and NAME<<DELIMITER heredocs). `run:` text is NOT expanded:
mlgate's actions never put `${{ }}` in scripts (scripts/ci-check-actions.py
enforces it), so a `${{` reaching bash here is a bug the tests see.
`uses:` steps are not run, except actions/cache (below) and
actions/upload-artifact (the files of `path` must exist, or the step fails
under if-no-files-found: error; recorded under "artifacts", with the outputs
artifact-id and artifact-url); others are noted.

Caches (actions/cache, Cache@2): a miss, unless CI_SIM_CACHE_DIR names a
directory standing for the cache service: then a key saved there is
restored into the step's path (a hit: cache-hit 'true' / the cacheHitVar),
and after a job that succeeded each missed key is saved from its path, as
the post-job step does. Keys are stored as the SHA-256 of the key text.

Azure (step template): parameters are typed (string, boolean, number,
object) with defaults and `values:`; an unknown or missing parameter is an
error, as at queue time. `${{ }}` is evaluated at "compile time" in every
string (parameters, and the functions eq, ne, and, or, not, in, notIn,
contains, startsWith, endsWith, coalesce, format, lower, upper, replace).
Macros `$(Name.Sub)` in scripts, inputs and env are replaced by variables
(predefined ones from the environment: Agent.TempDirectory is
AGENT_TEMPDIRECTORY) and left alone when unknown, as the agent does.
`bash:` and `script:` run as `bash --noprofile --norc FILE` (no -e, as
Bash@3 / CmdLine@2 on Linux). Logging commands on stdout and stderr are
processed: task.setvariable (plain and isOutput; later steps see NAME and
STEP_NAME in the environment), task.complete, task.logissue,
task.uploadsummary, task.prependpath, task.setsecret, artifact.upload (the
file must exist; recorded under "artifacts"). Step conditions
(succeeded, failed, always, succeededOrFailed, canceled, variables[...]) and
continueOnError are honoured. Tasks: PublishTestResults@2 is checked (files
found, each a JUnit document), Cache@2 as actions/cache (above), others are
noted.
"""

import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import yaml


def die(msg):
    print(f"ci_sim: {msg}", file=sys.stderr)
    sys.exit(2)


# ---------------------------------------------------------------- expressions

TOKEN = re.compile(r"""
    \s*(?:
      (?P<str>'(?:[^']|'')*')
    | (?P<num>-?\d+(?:\.\d+)?)
    | (?P<op>==|!=|<=|>=|&&|\|\||[!<>(),\[\]])
    | (?P<dot>\.)
    | (?P<id>[A-Za-z_][A-Za-z0-9_\-]*)
    | (?P<star>\*)
    )""", re.X)


def tokenize(text):
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ValueError(f"cannot parse expression at: {text[pos:]!r}")
        pos = m.end()
        kind = m.lastgroup
        val = m.group(kind)
        out.append((kind, val))
    return out


class Expr:
    """A small evaluator shared by both dialects. GitHub uses operators
    (==, &&, ...); Azure uses functions (eq(), and(), ...). Strings compare
    case-insensitively in both."""

    def __init__(self, text, ctx, funcs):
        self.toks = tokenize(text)
        self.i = 0
        self.ctx = ctx
        self.funcs = funcs
        self.status_used = False

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else (None, None)

    def take(self, val=None):
        tok = self.peek()
        if tok[0] is None or (val is not None and tok[1] != val):
            raise ValueError(f"expected {val!r}, got {tok[1]!r}")
        self.i += 1
        return tok

    def parse(self):
        v = self.orexpr()
        if self.i != len(self.toks):
            raise ValueError(f"trailing tokens: {self.toks[self.i:]}")
        return v

    def orexpr(self):
        v = self.andexpr()
        while self.peek()[1] == "||":
            self.take()
            r = self.andexpr()
            v = v if truthy(v) else r
        return v

    def andexpr(self):
        v = self.cmp()
        while self.peek()[1] == "&&":
            self.take()
            r = self.cmp()
            v = r if truthy(v) else v
        return v

    def cmp(self):
        v = self.unary()
        while self.peek()[1] in ("==", "!=", "<", ">", "<=", ">="):
            op = self.take()[1]
            r = self.unary()
            if op == "==":
                v = loose_eq(v, r)
            elif op == "!=":
                v = not loose_eq(v, r)
            else:
                a, b = to_num(v), to_num(r)
                v = {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]
        return v

    def unary(self):
        if self.peek()[1] == "!":
            self.take()
            return not truthy(self.unary())
        return self.postfix()

    def postfix(self):
        v = self.primary()
        while True:
            tok = self.peek()
            if tok[0] == "dot":
                self.take()
                name = self.take()[1]
                v = index(v, name)
            elif tok[1] == "[":
                self.take()
                key = self.orexpr()
                self.take("]")
                v = index(v, key)
            else:
                return v

    def primary(self):
        kind, val = self.take()
        if kind == "str":
            return val[1:-1].replace("''", "'")
        if kind == "num":
            return float(val) if "." in val else int(val)
        if val == "(":
            v = self.orexpr()
            self.take(")")
            return v
        if kind != "id":
            raise ValueError(f"unexpected {val!r}")
        low = val.lower()
        if low in ("true", "false"):
            return low == "true"
        if low == "null":
            return None
        if self.peek()[1] == "(":
            self.take("(")
            args = []
            while self.peek()[1] != ")":
                args.append(self.orexpr())
                if self.peek()[1] == ",":
                    self.take()
            self.take(")")
            fn = self.funcs.get(low)
            if fn is None:
                raise ValueError(f"unknown function {val}()")
            if low in STATUS_FUNCS:
                self.status_used = True
            return fn(*args)
        for k, v in self.ctx.items():
            if k.lower() == low:
                return v
        raise ValueError(f"unknown context '{val}'")


STATUS_FUNCS = {"success", "failure", "always", "cancelled", "succeeded", "failed",
                "succeededorfailed", "canceled"}


def truthy(v):
    if v is None or v is False or v == "" or v == 0:
        return False
    return True


def to_num(v):
    if isinstance(v, bool):
        return 1 if v else 0
    if isinstance(v, (int, float)):
        return v
    if v is None or v == "":
        return 0
    try:
        return float(v)
    except (TypeError, ValueError):
        return float("nan")


def loose_eq(a, b):
    if isinstance(a, str) and isinstance(b, str):
        return a.lower() == b.lower()
    if type(a) is type(b):
        return a == b
    if isinstance(a, str) and isinstance(b, bool):
        return a.lower() == ("true" if b else "false")
    if isinstance(b, str) and isinstance(a, bool):
        return b.lower() == ("true" if a else "false")
    return to_num(a) == to_num(b)


def index(v, key):
    if isinstance(v, dict):
        for k, val in v.items():
            if str(k).lower() == str(key).lower():
                return val
        return None
    if isinstance(v, list):
        try:
            return v[int(key)]
        except (ValueError, IndexError):
            return None
    return None


def to_str(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (dict, list)):
        return json.dumps(v)
    return str(v)


def common_funcs():
    s = lambda v: to_str(v).lower()  # noqa: E731
    return {
        "contains": lambda a, b: (any(loose_eq(x, b) for x in a) if isinstance(a, list)
                                  else s(b) in s(a)),
        "startswith": lambda a, b: s(a).startswith(s(b)),
        "endswith": lambda a, b: s(a).endswith(s(b)),
        "format": lambda f, *a: re.sub(r"\{(\d+)\}", lambda m: to_str(a[int(m.group(1))]),
                                       to_str(f)),
    }


EXPR = re.compile(r"\$\{\{(.*?)\}\}", re.S)


def interpolate(text, evaluate):
    """Replace every ${{ expr }} in text; a string that is exactly one
    expression keeps the value's type."""
    if not isinstance(text, str):
        return text
    m = EXPR.fullmatch(text.strip())
    if m and text.strip() == text:
        return evaluate(m.group(1))
    return EXPR.sub(lambda m: to_str(evaluate(m.group(1))), text)


def deep(value, fn):
    if isinstance(value, dict):
        return {deep(k, fn): deep(v, fn) for k, v in value.items()}
    if isinstance(value, list):
        return [deep(v, fn) for v in value]
    if isinstance(value, str):
        return fn(value)
    return value


# ---------------------------------------------------------------- files

def parse_env_file(path):
    """GitHub's NAME=VALUE / NAME<<DELIM file format (FileCommandManager)."""
    out = {}
    if not os.path.exists(path):
        return out
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        line = lines[i].rstrip("\r")
        i += 1
        if not line:
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delim = line.split("<<", 1)
            val = []
            while True:
                if i >= len(lines):
                    raise ValueError(f"{path}: matching delimiter not found '{delim}'")
                cur = lines[i].rstrip("\r")
                i += 1
                if cur == delim:
                    break
                val.append(cur)
            out[name] = "\n".join(val)
        elif "=" in line:
            name, val = line.split("=", 1)
            out[name] = val
        else:
            raise ValueError(f"{path}: invalid line {line!r}")
    return out


def run_script(argv, env, cwd, log):
    """Run, teeing combined output to the log; returns (exit code, lines)."""
    lines = []
    start = time.monotonic()
    with subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL) as p:
        for raw in p.stdout:
            line = raw.decode("utf-8", "replace")
            log.write(line)
            lines.append(line.rstrip("\r\n"))
        rc = p.wait()
    log.write(f"::sim:: exit {rc} after {time.monotonic() - start:.2f} s\n")
    log.flush()
    return rc, lines


# ---------------------------------------------------------------- caches

class Cache:
    """actions/cache and Cache@2 against a directory (CI_SIM_CACHE_DIR):
    restore() at the step, save() of the missed keys after a job that
    succeeded. Without the directory every lookup misses, nothing is saved."""

    def __init__(self, env, log):
        self.root = env.get("CI_SIM_CACHE_DIR") or None
        self.log = log
        self.pending = []

    def entry(self, key):
        return os.path.join(self.root, hashlib.sha256(key.encode()).hexdigest())

    def restore(self, who, key, path):
        if self.root and os.path.isdir(self.entry(key)):
            shutil.copytree(self.entry(key), path, symlinks=True, dirs_exist_ok=True)
            self.log.write(f"::sim:: {who}: cache hit for key {key}, restored {path}\n")
            return True
        self.log.write(f"::sim:: {who}: cache miss for key {key}\n")
        if self.root:
            self.pending.append((who, key, path))
        return False

    def save(self):
        for who, key, path in self.pending:
            if not os.path.isdir(path):
                self.log.write(f"::sim:: {who} post: {path} does not exist, nothing saved\n")
            elif not os.path.exists(self.entry(key)):
                tmp = self.entry(key) + ".new"
                shutil.rmtree(tmp, ignore_errors=True)
                shutil.copytree(path, tmp, symlinks=True)
                os.rename(tmp, self.entry(key))
                self.log.write(f"::sim:: {who} post: saved {path} as key {key}\n")


# ---------------------------------------------------------------- GitHub

def github(args):
    path = args.file
    if os.path.isdir(path):
        path = os.path.join(path, "action.yml")
    with open(path, encoding="utf-8") as f:
        action = yaml.safe_load(f)
    action_dir = os.path.dirname(os.path.abspath(path))
    runs = action.get("runs") or {}
    if runs.get("using") != "composite":
        die(f"{path}: not a composite action")
    declared = action.get("inputs") or {}
    given = dict(kv.split("=", 1) for kv in args.input)
    for k in given:
        if k.lower() not in {d.lower() for d in declared}:
            die(f"{path}: unexpected input '{k}'")
    # steps run in the workspace, as on a runner
    workdir = os.path.abspath(args.workdir or os.environ.get("GITHUB_WORKSPACE") or os.getcwd())
    base_env = dict(os.environ)
    base_env.update(kv.split("=", 1) for kv in args.env)
    base_env.pop("TF_BUILD", None)
    base_env["GITHUB_ACTIONS"] = "true"
    base_env["CI"] = "true"
    base_env.setdefault("GITHUB_WORKSPACE", workdir)
    base_env.setdefault("RUNNER_TEMP", tempfile.mkdtemp(prefix="runner-temp-"))
    base_env.setdefault("RUNNER_OS", "Linux")
    base_env.setdefault("RUNNER_ARCH", "X64")
    base_env["GITHUB_ACTION_PATH"] = action_dir
    files_dir = tempfile.mkdtemp(prefix="gh-files-", dir=base_env["RUNNER_TEMP"])

    inputs = {}
    for name, spec in declared.items():
        spec = spec or {}
        inputs[name] = given.get(name, to_str(spec.get("default", "")))

    ctx_github = {"action_path": action_dir, "workspace": base_env["GITHUB_WORKSPACE"],
                  "event_name": base_env.get("GITHUB_EVENT_NAME", ""),
                  "sha": base_env.get("GITHUB_SHA", ""), "ref": base_env.get("GITHUB_REF", ""),
                  "run_id": base_env.get("GITHUB_RUN_ID", ""), "token": "",
                  "repository": base_env.get("GITHUB_REPOSITORY", "")}
    ctx_runner = {"temp": base_env["RUNNER_TEMP"], "os": base_env["RUNNER_OS"],
                  "arch": base_env["RUNNER_ARCH"]}
    steps_ctx = {}
    added_env, added_path = {}, []
    state = {"failed": False}
    results = []
    summary = []

    funcs = common_funcs()
    funcs.update({
        "success": lambda: not state["failed"],
        "failure": lambda: state["failed"],
        "always": lambda: True,
        "cancelled": lambda: False,
    })

    def evaluate(expr, env_ctx=None):
        ctx = {"inputs": inputs, "steps": steps_ctx, "github": ctx_github, "runner": ctx_runner,
               "env": env_ctx or {}}
        return Expr(expr, ctx, funcs).parse()

    def condition(text, env_ctx):
        if text is None:
            return not state["failed"]
        if isinstance(text, bool):
            return text and not state["failed"]
        text = str(text).strip()
        m = EXPR.fullmatch(text)
        if m:
            text = m.group(1)
        ctx = {"inputs": inputs, "steps": steps_ctx, "github": ctx_github,
               "runner": ctx_runner, "env": env_ctx}
        e = Expr(text, ctx, funcs)
        v = truthy(e.parse())
        if not e.status_used:
            v = v and not state["failed"]
        return v

    artifacts = []
    log = open(args.log, "a", encoding="utf-8")
    cache = Cache(base_env, log)
    for n, step in enumerate(runs.get("steps") or []):
        sid = step.get("id") or f"__step{n}"
        name = step.get("name") or sid
        env_now = dict(base_env)
        env_now.update(added_env)
        senv = {k: to_str(interpolate(v, lambda e: evaluate(e, env_now)))
                for k, v in (step.get("env") or {}).items()}
        rec = {"id": sid, "name": name, "outcome": "skipped", "exit_code": None}
        results.append(rec)
        if not condition(step.get("if"), {**env_now, **senv}):
            steps_ctx[sid] = {"outputs": {}, "outcome": "skipped", "conclusion": "skipped"}
            log.write(f"::sim:: skip step {name}\n")
            continue
        if "uses" in step:
            uses = step["uses"]
            with_ = deep(step.get("with") or {}, lambda s: to_str(interpolate(s, evaluate)))
            outputs = {}
            outcome = "success"
            if uses.split("@")[0] == "actions/cache":
                hit = cache.restore(uses, with_.get("key", ""), with_.get("path", ""))
                outputs = {"cache-hit": "true" if hit else "false"}
            elif uses.split("@")[0] == "actions/upload-artifact":
                outputs, ok = upload_artifact(with_, workdir, base_env, artifacts, log)
                outcome = "success" if ok else "failure"
                if not ok:
                    state["failed"] = True
            else:
                log.write(f"::sim:: {uses}: not run here\n")
            rec.update(kind="uses", uses=uses, outcome=outcome, exit_code=0 if outcome ==
                       "success" else 1, outputs=outputs, with_=with_)
            steps_ctx[sid] = {"outputs": outputs, "outcome": outcome, "conclusion": outcome}
            continue
        shell = step.get("shell")
        if not shell:
            die(f"{path}: step '{name}' has no shell (composite run steps need one)")
        script = os.path.join(files_dir, f"step{n}.sh")
        with open(script, "w", encoding="utf-8") as f:
            f.write(step["run"])
        argv = {"bash": ["bash", "--noprofile", "--norc", "-eo", "pipefail", script],
                "sh": ["sh", "-e", script], "python": [sys.executable, script]}.get(shell)
        if argv is None:
            die(f"{path}: step '{name}': shell '{shell}' not simulated")
        per = {}
        for kind in ("OUTPUT", "ENV", "PATH", "STEP_SUMMARY"):
            per[kind] = os.path.join(files_dir, f"step{n}.{kind.lower()}")
            open(per[kind], "w").close()
        env = dict(env_now)
        env.update(senv)
        env.update({f"GITHUB_{k}": v for k, v in per.items()})
        if added_path:
            env["PATH"] = os.pathsep.join(list(reversed(added_path)) + [env.get("PATH", "")])
        cwd = step.get("working-directory")
        cwd = os.path.join(workdir, to_str(interpolate(cwd, evaluate))) if cwd else workdir
        log.write(f"::sim:: run step {name}\n")
        rc, _ = run_script(argv, env, cwd, log)
        outputs = parse_env_file(per["OUTPUT"])
        added_env.update(parse_env_file(per["ENV"]))
        with open(per["PATH"], encoding="utf-8") as f:
            added_path += [p for p in f.read().splitlines() if p]
        with open(per["STEP_SUMMARY"], encoding="utf-8") as f:
            text = f.read()
        if text:
            summary.append(text)
        outcome = "success" if rc == 0 else "failure"
        if rc != 0 and not step.get("continue-on-error"):
            state["failed"] = True
        rec.update(kind="run", outcome=outcome, exit_code=rc, outputs=outputs)
        steps_ctx[sid] = {"outputs": outputs, "outcome": outcome,
                          "conclusion": "success" if step.get("continue-on-error") else outcome}
    if not state["failed"]:
        cache.save()
    log.close()
    outputs = {}
    for name, spec in (action.get("outputs") or {}).items():
        outputs[name] = to_str(interpolate((spec or {}).get("value", ""), evaluate))
    failing = [r for r in results if r["outcome"] == "failure"]
    return {"outcome": "failure" if state["failed"] else "success",
            "exit_code": failing[0]["exit_code"] if failing else 0,
            "outputs": outputs, "steps": results, "summary": "".join(summary),
            "env": added_env, "path": added_path, "artifacts": artifacts}


def upload_artifact(with_, workdir, env, artifacts, log):
    """actions/upload-artifact@v4: the files of `path` (lines, globs) found, or the step fails
    under if-no-files-found: error (the default warns); the artifact recorded with its files,
    and the outputs artifact-id and artifact-url as the action sets them."""
    files = []
    for line in (with_.get("path") or "").splitlines():
        line = line.strip()
        if line:
            files += sorted(glob.glob(os.path.join(workdir, line), recursive=True))
    name = with_.get("name") or "artifact"
    if any(a["name"] == name for a in artifacts):
        log.write(f"::error::an artifact named {name} already exists in this run\n")
        return {}, False
    if not files:
        how = with_.get("if-no-files-found") or "warn"
        log.write(f"::{'error' if how == 'error' else 'warning'}::no files found for {name}\n")
        return {}, how != "error"
    artifacts.append({"name": name, "files": files,
                      "size": sum(os.path.getsize(f) for f in files)})
    aid = str(len(artifacts))
    url = (f"{env.get('GITHUB_SERVER_URL') or 'https://github.com'}/"
           f"{env.get('GITHUB_REPOSITORY') or 'owner/repo'}/actions/runs/"
           f"{env.get('GITHUB_RUN_ID') or '1'}/artifacts/{aid}")
    log.write(f"::sim:: uploaded artifact {name}: {', '.join(files)}\n")
    return {"artifact-id": aid, "artifact-url": url}, True


# ---------------------------------------------------------------- Azure

VSO = re.compile(r"##vso\[([A-Za-z]+)\.([A-Za-z]+)([^\]]*)\](.*)")
RANK = {"Succeeded": 0, "SucceededWithIssues": 1, "Failed": 2}


def az_unescape(s):
    for a, b in (("%3B", ";"), ("%0D", "\r"), ("%0A", "\n"), ("%5D", "]"), ("%AZP25", "%")):
        s = s.replace(a, b)
    return s


def az_props(text):
    props = {}
    for part in text.strip().split(";"):
        if "=" in part:
            k, v = part.split("=", 1)
            props[k.strip().lower()] = az_unescape(v)
    return props


def az_param_value(spec, raw, path):
    typ = spec.get("type", "string")
    name = spec["name"]
    if typ == "boolean":
        if isinstance(raw, bool):
            return raw
        low = str(raw).lower()
        if low not in ("true", "false"):
            die(f"{path}: parameter '{name}' is a boolean, got {raw!r}")
        return low == "true"
    if typ == "number":
        try:
            return float(raw) if "." in str(raw) else int(raw)
        except ValueError:
            die(f"{path}: parameter '{name}' is a number, got {raw!r}")
    if typ == "object" and isinstance(raw, str):
        return json.loads(raw)
    if typ in ("step", "stepList", "job", "jobList", "stage", "stageList"):
        die(f"{path}: parameter type {typ} not simulated")
    return raw if typ == "object" else to_str(raw)


def azure_compile(path, given):
    """Read a step template and expand compile-time expressions: the steps
    as the agent would receive them."""
    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    params = {}
    declared = doc.get("parameters") or []
    names = {p["name"].lower(): p for p in declared}
    for k in given:
        if k.lower() not in names:
            die(f"{path}: unexpected parameter '{k}'")
    for p in declared:
        if p["name"] in given:
            v = az_param_value(p, given[p["name"]], path)
        elif "default" in p:
            v = p["default"]
        else:
            die(f"{path}: a value for parameter '{p['name']}' must be provided")
        if "values" in p and to_str(v).lower() not in {to_str(x).lower() for x in p["values"]}:
            die(f"{path}: parameter '{p['name']}' is {v!r}, not one of {p['values']}")
        params[p["name"]] = v
    funcs = az_funcs({})

    def evaluate(expr):
        return Expr(expr, {"parameters": params}, funcs).parse()

    steps = []
    for step in doc.get("steps") or []:
        for key in step:
            if isinstance(key, str) and key.strip().startswith("${{"):
                die(f"{path}: template directives ({key}) are not simulated")
        if "template" in step:
            sub = os.path.join(os.path.dirname(path), step["template"])
            subparams = deep(step.get("parameters") or {}, lambda s: interpolate(s, evaluate))
            steps += azure_compile(sub, subparams)
            continue
        steps.append(az_expand(step, evaluate))
    return steps


def az_expand(value, evaluate):
    """Compile-time expansion: ${{ }} in every string; a mapping key
    `${{ insert }}` merges the (mapping) value it evaluates to."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if isinstance(k, str) and re.fullmatch(r"\$\{\{\s*insert\s*\}\}", k.strip()):
                merged = interpolate(v, evaluate) if isinstance(v, str) else v
                if not isinstance(merged, dict):
                    die(f"${{{{ insert }}}} needs a mapping, got {merged!r}")
                out.update(merged)
                continue
            out[az_expand(k, evaluate)] = az_expand(v, evaluate)
        return out
    if isinstance(value, list):
        return [az_expand(v, evaluate) for v in value]
    if isinstance(value, str):
        return interpolate(value, evaluate)
    return value


def az_funcs(state):
    f = common_funcs()
    f.update({
        "eq": lambda a, b: loose_eq(a, b),
        "ne": lambda a, b: not loose_eq(a, b),
        "and": lambda *a: all(truthy(x) for x in a),
        "or": lambda *a: any(truthy(x) for x in a),
        "not": lambda a: not truthy(a),
        "in": lambda a, *b: any(loose_eq(a, x) for x in b),
        "notin": lambda a, *b: not any(loose_eq(a, x) for x in b),
        "coalesce": lambda *a: next((x for x in a if truthy(x)), ""),
        "lower": lambda a: to_str(a).lower(),
        "upper": lambda a: to_str(a).upper(),
        "replace": lambda a, b, c: to_str(a).replace(to_str(b), to_str(c)),
        "succeeded": lambda: not state.get("failed"),
        "failed": lambda: bool(state.get("failed")),
        "always": lambda: True,
        "succeededorfailed": lambda: True,
        "canceled": lambda: False,
    })
    return f


def azure(args):
    given = dict(kv.split("=", 1) for kv in args.param)
    steps = azure_compile(args.file, given)
    workdir = os.path.abspath(args.workdir or os.getcwd())
    env0 = dict(os.environ)
    env0.update(kv.split("=", 1) for kv in args.env)
    env0.pop("GITHUB_ACTIONS", None)
    env0["TF_BUILD"] = "True"
    env0.setdefault("AGENT_TEMPDIRECTORY", tempfile.mkdtemp(prefix="agent-temp-"))
    env0.setdefault("BUILD_SOURCESDIRECTORY", workdir)
    env0.setdefault("SYSTEM_DEFAULTWORKINGDIRECTORY", env0["BUILD_SOURCESDIRECTORY"])
    env0.setdefault("AGENT_OS", "Linux")
    files_dir = tempfile.mkdtemp(prefix="az-steps-", dir=env0["AGENT_TEMPDIRECTORY"])
    variables = {}  # name -> value (names as set; lookup is case-insensitive)
    outputs = {}
    prepend = []
    state = {"failed": False}
    issues, summaries, completes, published, results = [], [], [], [], []
    artifacts = []
    funcs = az_funcs(state)

    def lookup(name):
        for k, v in variables.items():
            if k.lower() == name.lower():
                return v
        envname = re.sub(r"[.\s]", "_", name).upper()
        return env0.get(envname)

    def macros(text):
        if not isinstance(text, str):
            return text

        def rep(m):
            v = lookup(m.group(1))
            return m.group(0) if v is None else v
        return re.sub(r"\$\(([A-Za-z0-9_.]+)\)", rep, text)

    log = open(args.log, "a", encoding="utf-8")
    cache = Cache(env0, log)
    for n, step in enumerate(steps):
        name = step.get("name") or f"__step{n}"
        rec = {"name": name, "displayName": step.get("displayName", ""), "result": "Skipped",
               "exit_code": None}
        results.append(rec)
        cond = step.get("condition", "succeeded()")
        cond = cond if isinstance(cond, str) else to_str(cond)
        varctx = {k: v for k, v in variables.items()}
        if not truthy(Expr(cond, {"variables": varctx}, funcs).parse()):
            log.write(f"::sim:: skip step {name} (condition {cond})\n")
            continue
        env = dict(env0)
        for k, v in variables.items():
            env[re.sub(r"[.\s]", "_", k).upper()] = v
        env.update({k: to_str(macros(to_str(v))) for k, v in (step.get("env") or {}).items()})
        if prepend:
            env["PATH"] = os.pathsep.join(list(reversed(prepend)) + [env.get("PATH", "")])
        cwd = macros(step.get("workingDirectory") or env0["SYSTEM_DEFAULTWORKINGDIRECTORY"])
        result = "Succeeded"
        rc = 0
        if "task" in step:
            task = step["task"]
            inputs = {k: macros(to_str(v)) for k, v in (step.get("inputs") or {}).items()}
            rec.update(kind="task", task=task, inputs=inputs)
            if task.startswith("PublishTestResults@"):
                pub = simulate_publish(inputs, cwd, step, log)
                published.append(pub)
                result = pub["result"]
            elif task.startswith("Cache@"):
                hit = cache.restore(task, inputs.get("key", ""), inputs.get("path", ""))
                if inputs.get("cacheHitVar"):
                    variables[inputs["cacheHitVar"]] = "true" if hit else "false"
            else:
                log.write(f"::sim:: task {task}: not run here\n")
        else:
            kind = "bash" if "bash" in step else "script" if "script" in step else None
            if kind is None:
                die(f"{args.file}: step {name}: not a bash/script/task step: {list(step)}")
            text = macros(step[kind])
            script = os.path.join(files_dir, f"step{n}.sh")
            with open(script, "w", encoding="utf-8") as f:
                f.write(text)
            log.write(f"::sim:: run step {name}\n")
            rc, lines = run_script(["bash", "--noprofile", "--norc", script], env, cwd, log)
            rec.update(kind=kind)
            result = "Succeeded" if rc == 0 else "Failed"
            for line in lines:
                m = VSO.search(line)
                if not m:
                    continue
                area, action, props, data = m.group(1).lower(), m.group(2).lower(), \
                    az_props(m.group(3)), az_unescape(m.group(4))
                if (area, action) == ("task", "setvariable"):
                    var = props.get("variable", "")
                    if props.get("isoutput", "").lower() == "true":
                        outputs[f"{name}.{var}"] = data
                        variables[f"{name}.{var}"] = data
                    else:
                        variables[var] = data
                elif (area, action) in (("task", "logissue"), ("task", "issue")):
                    issues.append({"step": name, **props, "message": data})
                elif (area, action) == ("task", "complete"):
                    r = props.get("result", "Succeeded")
                    completes.append({"step": name, "result": r, "message": data})
                    if RANK.get(r, 0) > RANK[result]:
                        result = r
                elif (area, action) == ("task", "uploadsummary"):
                    text = ""
                    if os.path.isabs(data) and os.path.exists(data):
                        with open(data, encoding="utf-8") as f:
                            text = f.read()
                    summaries.append({"step": name, "path": data, "text": text})
                elif (area, action) == ("task", "prependpath"):
                    prepend.append(data)
                elif (area, action) == ("artifact", "upload"):
                    # the agent uploads the file as (part of) a build artifact
                    there = os.path.isabs(data) and os.path.exists(data)
                    artifacts.append({"step": name, "artifactname": props.get("artifactname", ""),
                                      "containerfolder": props.get("containerfolder", ""),
                                      "path": data, "exists": there})
                    if not there:
                        issues.append({"step": name, "type": "error",
                                       "message": f"artifact.upload: no file {data}"})
                        result = "Failed"
        if result == "Failed" and to_str(step.get("continueOnError", False)).lower() == "true":
            result = "SucceededWithIssues"
        if result == "Failed":
            state["failed"] = True
        rec.update(result=result, exit_code=rc)
    if not state["failed"]:
        cache.save()
    log.close()
    overall = "Succeeded"
    for r in results:
        if RANK.get(r["result"], 0) > RANK[overall]:
            overall = r["result"]
    return {"result": overall, "steps": results, "variables": variables, "outputs": outputs,
            "issues": issues, "summaries": summaries, "completes": completes,
            "artifacts": artifacts,
            "published": published, "path": prepend}


def simulate_publish(inputs, cwd, step, log):
    """PublishTestResults@2: resolve the files, read each as JUnit."""
    import xml.etree.ElementTree as ET
    fmt = inputs.get("testResultsFormat", "JUnit")
    folder = inputs.get("searchFolder") or cwd
    pats = [p.strip() for p in inputs.get("testResultsFiles", "**/TEST-*.xml").splitlines()
            if p.strip()]
    files = []
    for pat in pats:
        full = pat if os.path.isabs(pat) else os.path.join(folder, pat)
        files += sorted(glob.glob(full, recursive=True))
    pub = {"format": fmt, "files": files, "tests": 0, "failures": 0, "errors": 0,
           "title": inputs.get("testRunTitle", ""), "result": "Succeeded",
           "condition": step.get("condition", "succeeded()")}
    if not files:
        log.write(f"##[warning]No test result files matching {pats} were found.\n")
        return pub
    for path in files:
        root = ET.parse(path).getroot()
        suites = [root] if root.tag == "testsuite" else root.iter("testsuite")
        for s in suites:
            for case in s.iter("testcase"):
                if not case.get("name"):
                    continue
                pub["tests"] += 1
                pub["failures"] += case.find("failure") is not None
                pub["errors"] += case.find("error") is not None
    log.write(f"::sim:: published {len(files)} {fmt} file(s): {pub['tests']} tests, "
              f"{pub['failures']} failures, {pub['errors']} errors\n")
    if to_str(inputs.get("failTaskOnFailedTests", "false")).lower() == "true" and \
            (pub["failures"] or pub["errors"]):
        pub["result"] = "Failed"
    return pub


# ---------------------------------------------------------------- main

def get(path, key):
    """KEY.PATH: dict keys (a key may itself contain dots, e.g. Azure's
    'step.var': the longest match wins), list indexes, '#' for a length."""
    with open(path, encoding="utf-8") as f:
        v = json.load(f)
    parts = key.split(".") if key else []
    i = 0
    while i < len(parts) and v is not None:
        part = parts[i]
        if isinstance(v, list):
            if part == "#":
                v = len(v)
            elif part.lstrip("-").isdigit() and -len(v) <= int(part) < len(v):
                v = v[int(part)]
            else:
                v = None
            i += 1
        elif isinstance(v, dict):
            for j in range(len(parts), i, -1):
                k = ".".join(parts[i:j])
                if k in v:
                    v, i = v[k], j
                    break
            else:
                v = None
        else:
            v = None
    try:
        print(to_str(v))
    except BrokenPipeError:  # the reader (grep -q) had enough
        pass


def main():
    import argparse
    if len(sys.argv) >= 2 and sys.argv[1] == "get":
        if len(sys.argv) != 4:
            die("usage: ci_sim.py get RESULT.json KEY.PATH")
        get(sys.argv[2], sys.argv[3])
        return 0
    p = argparse.ArgumentParser()
    p.add_argument("kind", choices=["github", "azure"])
    p.add_argument("file")
    p.add_argument("--input", action="append", default=[])
    p.add_argument("--param", action="append", default=[])
    p.add_argument("--env", action="append", default=[])
    p.add_argument("--workdir")
    p.add_argument("--result", required=True)
    p.add_argument("--log", required=True)
    a = p.parse_args()
    res = github(a) if a.kind == "github" else azure(a)
    with open(a.result, "w", encoding="utf-8") as f:
        json.dump(res, f, indent=1)
    ok = res.get("outcome") == "success" if a.kind == "github" else res["result"] != "Failed"
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
