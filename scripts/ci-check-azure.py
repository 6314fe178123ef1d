"""Structural check of mlgate's Azure Pipelines YAML: step templates
(ci/azure/steps/*.yml) and example pipelines (ci/azure/pipelines/*.yml).
Run by `make check-ci` with the CI venv's python (scripts/ci-venv.sh: PyYAML).

  scripts/ci-check-azure.py

Templates:
  - only `parameters` and `steps` at the top; every parameter has a `name`
    and a known `type`; defaults and `values:` match the type; names unique;
  - every `${{ parameters.X }}` (anywhere in a `${{ }}`) names a declared
    parameter; every declared parameter is used;
  - steps are `bash`, `script`, `task` or `template` (one of them), with
    known keys; `name` is an identifier (or an expression);
Pipelines: the same step rules (plus checkout, download, publish),
`parameters.X` against the pipeline's parameters and webhook aliases, jobs
and stages with steps or a deployment strategy, `dependencies.JOB.outputs`
and `stageDependencies.STAGE.JOB.outputs` naming jobs/stages that are
depended on.
Both:
  - `task:` is NAME@MAJOR; PublishTestResults@2 has a condition with
    succeededOrFailed() (results are published when the gate failed) and
    testResultsFormat JUnit;
  - a `template:` reference exists (relative to the file, or `PATH@mlgate`
    from the repository root), the parameters given are declared there, and
    every parameter without a default is given;
  - no `${{` inside a script's text: values reach scripts through `env:`;
  - a script that runs one of ci/lib/ finds it there, and its step's `env:`
    holds every `$MLGATE_IN_*` that script reads without a default
    (scripts/ci_lib_scripts.py);
  - every script, and every ci/lib/ script they run, passes shellcheck
    (bash) when shellcheck is installed.
Exit 0 clean, 1 problems (FILE: message), 2 usage.
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

import ci_lib_scripts

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TYPES = {"string", "number", "boolean", "object", "step", "stepList", "job", "jobList",
         "deployment", "deploymentList", "stage", "stageList"}
STEP_KINDS_TEMPLATE = {"bash", "script", "task", "template"}
STEP_KINDS_PIPELINE = STEP_KINDS_TEMPLATE | {"checkout", "download", "publish"}
STEP_KEYS = {"name", "displayName", "condition", "continueOnError", "enabled", "env",
             "workingDirectory", "timeoutInMinutes", "retryCountOnTaskFailure", "inputs",
             "parameters", "failOnStderr", "target", "fetchDepth", "path", "clean", "lfs",
             "submodules", "persistCredentials", "artifact", "patterns", "fetchTags"}
EXPR = re.compile(r"\$\{\{(.*?)\}\}", re.S)
PARAM_REF = re.compile(r"\bparameters\.([A-Za-z_][A-Za-z0-9_]*)")
INSERT = re.compile(r"\$\{\{\s*insert\s*\}\}")
OWN_REPO_ALIAS = "mlgate"


def strings(value):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from strings(k)
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)
    elif isinstance(value, str):
        yield value


def load(path, bad):
    try:
        with open(path, encoding="utf-8") as f:
            return yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as e:
        bad(f"cannot read: {e}")
        return None


def type_ok(typ, value):
    if typ == "boolean":
        return isinstance(value, bool)
    if typ == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if typ == "string":
        return isinstance(value, str)
    return True


class Checker:
    def __init__(self):
        self.problems = []
        self.scripts = []  # (where, text, whether the agent expands $(macros) in it)
        self.libs_seen = set()

    def bad(self, path, msg):
        self.problems.append(f"{os.path.relpath(path, REPO)}: {msg}")

    # --------------------------------------------------------- parameters
    def parameters(self, path, doc):
        params = {}
        decl = doc.get("parameters") or []
        if not isinstance(decl, list):
            self.bad(path, "parameters must be a list of {name, type, ...} (typed parameters)")
            return params
        for p in decl:
            if not isinstance(p, dict) or "name" not in p:
                self.bad(path, f"parameter {p!r}: needs a name")
                continue
            name = p["name"]
            if name in params:
                self.bad(path, f"parameter '{name}' declared twice")
            typ = p.get("type")
            if typ not in TYPES:
                self.bad(path, f"parameter '{name}': type must be one of {sorted(TYPES)}")
            elif "default" in p and not type_ok(typ, p["default"]):
                self.bad(path, f"parameter '{name}': default {p['default']!r} is not a {typ}")
            for v in p.get("values") or []:
                if typ in ("string", "number", "boolean") and not type_ok(typ, v):
                    self.bad(path, f"parameter '{name}': value {v!r} is not a {typ}")
            if "default" in p and p.get("values") and p["default"] not in p["values"]:
                self.bad(path, f"parameter '{name}': default not among its values")
            params[name] = p
        return params

    def param_refs(self, path, doc, declared, extra=()):
        used = set()
        for s in strings({k: v for k, v in doc.items() if k != "parameters"}):
            for expr in EXPR.findall(s):
                for ref in PARAM_REF.findall(expr):
                    used.add(ref)
                    if ref not in declared and ref not in extra:
                        self.bad(path, f"${{{{ parameters.{ref} }}}} is not a declared parameter")
        return used

    # --------------------------------------------------------- steps
    def steps(self, path, steps, kinds, where="steps"):
        if not isinstance(steps, list):
            self.bad(path, f"{where}: must be a list")
            return []
        names = []
        for n, step in enumerate(steps):
            at = f"{where}[{n}]"
            if not isinstance(step, dict):
                self.bad(path, f"{at}: not a mapping")
                continue
            present = [k for k in step if k in STEP_KINDS_PIPELINE or k == "pwsh"]
            if len(present) != 1 or present[0] not in kinds:
                self.bad(path, f"{at}: must be exactly one of {sorted(kinds)}, has "
                               f"{sorted(k for k in step if not isinstance(k, str) or k not in STEP_KEYS)}")
                continue
            kind = present[0]
            for key in step:
                if key != kind and key not in STEP_KEYS:
                    self.bad(path, f"{at}: unknown key '{key}'")
            name = step.get("name")
            if name is not None:
                if not (re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", str(name)) or "${{" in str(name)):
                    self.bad(path, f"{at}: name '{name}' must be an identifier")
                names.append(str(name))
            env = step.get("env") or {}
            if not isinstance(env, dict):
                self.bad(path, f"{at}: env must be a mapping")
            if kind in ("bash", "script"):
                text = step[kind]
                if not isinstance(text, str):
                    self.bad(path, f"{at}: {kind} must be a string")
                    continue
                if "${{" in text:
                    self.bad(path, f"{at}: '${{{{' inside the script: pass values through env:")
                self.scripts.append((f"{os.path.relpath(path, REPO)} {at}", text, True))
                for lib, lib_text in ci_lib_scripts.check_step(
                        text, env if isinstance(env, dict) else {},
                        lambda m, at=at: self.bad(path, f"{at}: {m}"), self.libs_seen):
                    # a file: the agent expands macros only in the step's own text
                    self.scripts.append((os.path.relpath(lib, REPO), lib_text, False))
            elif kind == "task":
                self.task(path, at, step)
            elif kind == "template":
                names += self.template_ref(path, at, step)
        return names

    def task(self, path, at, step):
        task = str(step["task"])
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_.-]*@\d+", task):
            self.bad(path, f"{at}: task '{task}' must be NAME@MAJOR")
            return
        if task.split("@")[0] == "PublishTestResults":
            if task != "PublishTestResults@2":
                self.bad(path, f"{at}: use PublishTestResults@2")
            cond = str(step.get("condition", ""))
            if "succeededOrFailed()" not in cond:
                self.bad(path, f"{at}: PublishTestResults@2 needs condition: succeededOrFailed() "
                               "(publish the results of a failed gate too)")
            inputs = step.get("inputs") or {}
            if str(inputs.get("testResultsFormat", "")) != "JUnit":
                self.bad(path, f"{at}: PublishTestResults@2 needs testResultsFormat: JUnit")
            if not inputs.get("testResultsFiles"):
                self.bad(path, f"{at}: PublishTestResults@2 needs testResultsFiles")

    def template_ref(self, path, at, step):
        ref = str(step["template"])
        if "${{" in ref:
            return []
        if "@" in ref:
            file, alias = ref.rsplit("@", 1)
            if alias != OWN_REPO_ALIAS:
                return []
            target = os.path.join(REPO, file)
        else:
            target = os.path.join(os.path.dirname(path), ref)
        if not os.path.isfile(target):
            self.bad(path, f"{at}: template '{ref}' not found ({os.path.relpath(target, REPO)})")
            return []
        doc = load(target, lambda m: self.bad(target, m)) or {}
        declared = {p["name"]: p for p in doc.get("parameters") or [] if isinstance(p, dict)}
        given = step.get("parameters") or {}
        for k, v in given.items():
            if k not in declared:
                self.bad(path, f"{at}: template '{ref}' has no parameter '{k}'")
                continue
            typ = declared[k].get("type")
            if typ in ("boolean", "number") and not type_ok(typ, v) and \
                    not (isinstance(v, str) and "${{" in v):
                self.bad(path, f"{at}: parameter '{k}' of '{ref}' is a {typ}, given {v!r}")
            values = declared[k].get("values")
            if values and isinstance(v, str) and "$" not in v and v not in values:
                self.bad(path, f"{at}: parameter '{k}' of '{ref}' must be one of {values}")
        for k, p in declared.items():
            if "default" not in p and k not in given:
                self.bad(path, f"{at}: template '{ref}' needs parameter '{k}'")
        # the step names it makes, for output-variable references
        names = []
        for s in doc.get("steps") or []:
            name = s.get("name") if isinstance(s, dict) else None
            if not name:
                continue
            m = EXPR.fullmatch(str(name).strip())
            if not m:
                names.append(str(name))
                continue
            for ref_ in PARAM_REF.findall(m.group(1)):
                v = given.get(ref_, (declared.get(ref_) or {}).get("default"))
                if v:
                    names.append(str(v))
                    break
        return names

    # --------------------------------------------------------- files
    def template(self, path):
        doc = load(path, lambda m: self.bad(path, m))
        if not isinstance(doc, dict):
            self.bad(path, "not a mapping")
            return
        for key in doc:
            if key not in ("parameters", "steps"):
                self.bad(path, f"a step template has only 'parameters' and 'steps', not '{key}'")
        params = self.parameters(path, doc)
        used = self.param_refs(path, doc, params)
        for name in sorted(set(params) - used):
            self.bad(path, f"parameter '{name}' is declared but never used")
        self.steps(path, doc.get("steps"), STEP_KINDS_TEMPLATE)
        for s in strings(doc.get("steps")):
            if isinstance(s, str) and s.strip().startswith("${{") and \
                    re.match(r"\$\{\{\s*(if|else|each)\b", s.strip()):
                self.bad(path, "conditional insertion (${{ if }}) is not used in these "
                               "templates: use a runtime condition (the local harness runs them)")

    def pipeline(self, path):
        doc = load(path, lambda m: self.bad(path, m))
        if not isinstance(doc, dict):
            self.bad(path, "not a mapping")
            return
        params = self.parameters(path, doc)
        webhooks = [w.get("webhook") for w in
                    ((doc.get("resources") or {}).get("webhooks") or []) if isinstance(w, dict)]
        used = self.param_refs(path, doc, params, extra=webhooks)
        for name in sorted(set(params) - used):
            self.bad(path, f"parameter '{name}' is declared but never used")
        if doc.get("lockBehavior") not in (None, "sequential", "runLatest"):
            self.bad(path, "lockBehavior must be sequential or runLatest")
        stages = doc.get("stages")
        if stages is None:
            stages = [{"stage": "__default", "jobs": doc.get("jobs")}]
        stage_names = [s.get("stage") for s in stages if isinstance(s, dict)]
        job_steps = {}
        for st in stages:
            jobs = st.get("jobs")
            if not isinstance(jobs, list) or not jobs:
                self.bad(path, f"stage {st.get('stage')}: needs jobs")
                continue
            names = [j.get("job") or j.get("deployment") for j in jobs]
            for j in jobs:
                jname = j.get("job") or j.get("deployment")
                where = f"job {jname}"
                if not jname:
                    self.bad(path, f"stage {st.get('stage')}: a job needs 'job' or 'deployment'")
                    continue
                if "deployment" in j:
                    if not j.get("environment"):
                        self.bad(path, f"{where}: a deployment job needs an environment")
                    steps = (((j.get("strategy") or {}).get("runOnce") or {}).get("deploy")
                             or {}).get("steps")
                else:
                    steps = j.get("steps")
                job_steps[(st.get("stage"), jname)] = self.steps(path, steps, STEP_KINDS_PIPELINE,
                                                                 where)
                dep = j.get("dependsOn") or []
                dep = [dep] if isinstance(dep, str) else dep
                for d in dep:
                    if d not in names:
                        self.bad(path, f"{where}: dependsOn '{d}' is not a job of its stage")
                for s in strings({k: v for k, v in j.items() if k in ("condition", "strategy",
                                                                       "variables")}):
                    for ref_job, ref_step in re.findall(
                            r"dependencies\.([A-Za-z_]\w*)\.outputs\['([A-Za-z_]\w*)\.", s):
                        if "stageDependencies" in s:
                            continue
                        if ref_job not in dep:
                            self.bad(path, f"{where}: dependencies.{ref_job} without dependsOn")
                        elif ref_step not in job_steps.get((st.get("stage"), ref_job), []):
                            self.bad(path, f"{where}: job {ref_job} has no step named '{ref_step}'")
            cond = str(st.get("condition", ""))
            for ref_stage in re.findall(r"stageDependencies\.([A-Za-z_]\w*)\.", cond):
                sdep = st.get("dependsOn") or []
                sdep = [sdep] if isinstance(sdep, str) else sdep
                if ref_stage not in stage_names or ref_stage not in sdep:
                    self.bad(path, f"stage {st.get('stage')}: stageDependencies.{ref_stage} "
                                   "without dependsOn")

    def shellcheck(self):
        exe = shutil.which("shellcheck")
        if not exe:
            return False
        with tempfile.TemporaryDirectory() as tmp:
            for i, (where, text, macros) in enumerate(self.scripts):
                # macros $(Name.Sub) are replaced by the agent before bash runs
                if macros:
                    text = re.sub(r"\$\(([A-Za-z_][\w.]*)\)", r"MACRO_\1", text)
                path = os.path.join(tmp, f"script{i}.sh")
                with open(path, "w", encoding="utf-8") as f:
                    f.write(text)
                r = subprocess.run([exe, "-s", "bash", "-f", "gcc", path], capture_output=True,
                                   text=True)
                if r.returncode != 0:
                    for line in (r.stdout + r.stderr).splitlines():
                        self.problems.append(
                            f"{where}: shellcheck: {line.replace(path + ':', 'line ')}")
        return True


def main(argv):
    if argv:
        print(__doc__.strip())
        return 0 if argv[0] in ("-h", "--help") else 2
    c = Checker()
    templates = sorted(glob.glob(os.path.join(REPO, "ci", "azure", "steps", "*.yml")))
    pipelines = sorted(glob.glob(os.path.join(REPO, "ci", "azure", "pipelines", "*.yml")))
    if not templates or not pipelines:
        print("ci-check-azure: no templates or pipelines under ci/azure/", file=sys.stderr)
        return 2
    for t in templates:
        c.template(t)
    for p in pipelines:
        c.pipeline(p)
    checked = c.shellcheck()
    for p in c.problems:
        print(p)
    if c.problems:
        print(f"ci-check-azure: {len(c.problems)} problem(s)")
        return 1
    note = f", {len(c.scripts)} scripts shellchecked" if checked else \
        " (shellcheck not installed: scripts not checked)"
    print(f"ci-check-azure: {len(templates)} step templates and {len(pipelines)} pipelines "
          f"clean{note}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
