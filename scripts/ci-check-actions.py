"""Structural check of mlgate's composite actions (ci/github/*/action.yml),
which actionlint does not lint (it lints workflows). Run by `make check-ci`
with the CI venv's python (scripts/ci-venv.sh: PyYAML).

  scripts/ci-check-actions.py [ACTION.yml...]    default: ci/github/*/action.yml

Each action must have:
  - `name` and `description`; `runs.using: composite` and a list of steps;
  - inputs with a description, `required` true/false, a string default;
    outputs with a description and a `value`;
  - steps with known keys, exactly one of `run` / `uses`, unique ids; a
    `shell` on every `run` step (composite actions have no default shell);
    `uses` pinned to a ref (`owner/repo@ref`);
  - no `${{` inside `run:` text: inputs reach scripts through `env:` only
    (script injection), and every `$MLGATE_IN_*` a script reads is in its
    step's `env:`; so is every one that a script it runs from ci/lib/ reads
    without a default (scripts/ci_lib_scripts.py), and that script exists;
  - every `inputs.X` referenced is declared, every declared input is used;
    every `steps.ID` referenced names an earlier step (or, in outputs, any);
and every `run:` script, and every ci/lib/ script they run, passes
shellcheck (when shellcheck is installed: `scripts/deps.sh test` installs it) as
the shell it runs in.
Exit 0 clean, 1 problems (each printed as FILE: message), 2 usage.
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
STEP_KEYS = {"id", "name", "if", "run", "shell", "env", "working-directory", "uses", "with",
             "continue-on-error"}
SHELLS = {"bash": "bash", "sh": "sh"}
EXPR = re.compile(r"\$\{\{(.*?)\}\}", re.S)
INPUT_REF = re.compile(r"\binputs\.([A-Za-z_][A-Za-z0-9_-]*)")
STEP_REF = re.compile(r"\bsteps\.([A-Za-z_][A-Za-z0-9_-]*)\.")
ENV_REF = re.compile(r"\$\{?(MLGATE_IN_[A-Z0-9_]+)")
LIBS_SEEN = set()


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


def check(path, problems, scripts):
    rel = os.path.relpath(path, REPO)

    def bad(msg):
        problems.append(f"{rel}: {msg}")

    try:
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as e:
        bad(f"cannot read: {e}")
        return
    if not isinstance(doc, dict):
        bad("not a mapping")
        return
    for key in ("name", "description"):
        if not isinstance(doc.get(key), str) or not doc[key].strip():
            bad(f"missing '{key}'")
    runs = doc.get("runs")
    if not isinstance(runs, dict) or runs.get("using") != "composite":
        bad("runs.using must be 'composite'")
        return
    steps = runs.get("steps")
    if not isinstance(steps, list) or not steps:
        bad("runs.steps must be a non-empty list")
        return

    inputs = doc.get("inputs") or {}
    for name, spec in inputs.items():
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", str(name)):
            bad(f"input '{name}': bad name")
        if not isinstance(spec, dict) or not isinstance(spec.get("description"), str):
            bad(f"input '{name}': needs a description")
            continue
        if "required" in spec and not isinstance(spec["required"], bool):
            bad(f"input '{name}': 'required' must be true or false")
        if "default" in spec and not isinstance(spec["default"], str):
            bad(f"input '{name}': default must be a string (quote it)")
    outputs = doc.get("outputs") or {}
    for name, spec in outputs.items():
        if not isinstance(spec, dict) or "value" not in spec or "description" not in spec:
            bad(f"output '{name}': needs 'description' and 'value' (composite outputs)")

    used_inputs = set()
    ids = []
    for n, step in enumerate(steps):
        where = f"step {n + 1}" + (f" ({step.get('id')})" if isinstance(step, dict) and
                                    step.get("id") else "")
        if not isinstance(step, dict):
            bad(f"{where}: not a mapping")
            continue
        for key in step:
            if key not in STEP_KEYS:
                bad(f"{where}: unknown key '{key}'")
        if ("run" in step) == ("uses" in step):
            bad(f"{where}: needs exactly one of 'run' and 'uses'")
        sid = step.get("id")
        if sid is not None:
            if sid in ids:
                bad(f"{where}: duplicate id '{sid}'")
            ids.append(sid)
        # references in everything but the script text
        for key, value in step.items():
            if key == "run":
                continue
            for s in strings(value):
                for expr in EXPR.findall(s) + ([s] if key == "if" else []):
                    used_inputs.update(INPUT_REF.findall(expr))
                    for ref in STEP_REF.findall(expr):
                        if ref not in ids[:-1] if sid == ref else ref not in ids:
                            bad(f"{where}: steps.{ref} is not an earlier step")
        if "uses" in step:
            uses = str(step["uses"])
            if not uses.startswith("./") and not re.fullmatch(r"[\w.-]+/[\w./-]+@[\w.-]+", uses):
                bad(f"{where}: 'uses: {uses}' must be owner/repo[/path]@ref")
            continue
        if "run" not in step:
            continue
        shell = step.get("shell")
        if not shell:
            bad(f"{where}: a run step needs 'shell' (composite actions have no default)")
        elif shell not in SHELLS:
            bad(f"{where}: shell '{shell}' not expected (bash or sh)")
        text = step["run"]
        if not isinstance(text, str):
            bad(f"{where}: run must be a string")
            continue
        if "${{" in text:
            bad(f"{where}: '${{{{' inside run: pass inputs through env: (script injection)")
        env = step.get("env") or {}
        for var in sorted(set(ENV_REF.findall(text))):
            if var not in env:
                bad(f"{where}: the script reads ${var}, which is not in the step's env")
        for lib, lib_text in ci_lib_scripts.check_step(text, env, lambda m: bad(f"{where}: {m}"),
                                                       LIBS_SEEN):
            scripts.append((os.path.relpath(lib, REPO), "bash", lib_text))
        if shell in SHELLS:
            scripts.append((f"{rel} {where}", SHELLS[shell], text))

    for name, spec in outputs.items():
        if isinstance(spec, dict):
            for expr in EXPR.findall(str(spec.get("value", ""))):
                used_inputs.update(INPUT_REF.findall(expr))
                for ref in STEP_REF.findall(expr):
                    if ref not in ids:
                        bad(f"output '{name}': steps.{ref} is not a step id")
    for name in sorted(used_inputs - set(inputs)):
        bad(f"inputs.{name} is referenced but not declared")
    for name in sorted(set(inputs) - used_inputs):
        bad(f"input '{name}' is declared but never used")


def shellcheck(scripts, problems):
    """Run shellcheck on each extracted script; returns False when absent."""
    exe = shutil.which("shellcheck")
    if not exe:
        return False
    with tempfile.TemporaryDirectory() as tmp:
        for i, (where, shell, text) in enumerate(scripts):
            path = os.path.join(tmp, f"script{i}.sh")
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            r = subprocess.run([exe, "-s", shell, "-f", "gcc", path], capture_output=True,
                               text=True)
            if r.returncode != 0:
                for line in (r.stdout + r.stderr).splitlines():
                    problems.append(f"{where}: shellcheck: {line.replace(path + ':', 'line ')}")
    return True


def main(argv):
    if any(a in ("-h", "--help") for a in argv):
        print(__doc__.strip())
        return 0
    files = argv or sorted(glob.glob(os.path.join(REPO, "ci", "github", "*", "action.yml")))
    if not files:
        print("ci-check-actions: no action.yml under ci/github/", file=sys.stderr)
        return 2
    problems, scripts = [], []
    for path in files:
        check(os.path.abspath(path), problems, scripts)
    checked = shellcheck(scripts, problems)
    for p in problems:
        print(p)
    if problems:
        print(f"ci-check-actions: {len(problems)} problem(s) in {len(files)} actions")
        return 1
    note = f", {len(scripts)} scripts shellchecked" if checked else \
        " (shellcheck not installed: scripts not checked)"
    print(f"ci-check-actions: {len(files)} composite actions clean{note}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
