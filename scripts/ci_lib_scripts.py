"""The shell scripts in ci/lib/ that a CI step runs (ci/lib/gate.sh behind
both gate wrappers), for scripts/ci-check-actions.py and
scripts/ci-check-azure.py: a step that names `lib/NAME.sh` must find that
file in ci/lib/, and its environment must hold every MLGATE_IN_* variable the
script reads without a default (`${MLGATE_IN_X:-}` is optional), as the
script runs under `set -u`.
"""
import os
import re

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIB_DIR = os.path.join(REPO, "ci", "lib")
LIB_REF = re.compile(r"\blib/([A-Za-z0-9_.-]+\.sh)\b")
ENV_READ = re.compile(r"\$\{?(MLGATE_IN_[A-Z0-9_]+)(:?[-=?+])?")


def required_env(text):
    """The MLGATE_IN_* variables that text reads without a default."""
    return {m.group(1) for m in ENV_READ.finditer(text) if not m.group(2)}


def check_step(text, env, bad, seen):
    """The ci/lib scripts a step's script text runs: report (through
    bad(message)) a missing file or a variable absent from env; returns the
    (path, text) of each script not in `seen` yet (to be shellchecked once)."""
    found = []
    for name in sorted(set(LIB_REF.findall(text))):
        path = os.path.join(LIB_DIR, name)
        try:
            with open(path, encoding="utf-8") as f:
                lib = f.read()
        except OSError:
            bad(f"runs lib/{name}, which is not in ci/lib/")
            continue
        for var in sorted(required_env(lib) - set(env)):
            bad(f"ci/lib/{name} reads ${var}, which is not in the step's env")
        if path not in seen:
            seen.add(path)
            found.append((path, lib))
    return found
