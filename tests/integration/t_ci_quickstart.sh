#!/usr/bin/env bash
# docs/quickstart.md and docs/databricks.md: every snippet on the pages is checked.
#   - the GitHub workflow: actionlint (scripts/actionlint.sh), and every
#     `uses: .../mlgate/ci/github/NAME@REF` names an action of ci/github/ and
#     gives only inputs it declares, every required one;
#   - the Databricks `env:` put in place of the workflow's: the same checks;
#   - docs/databricks.md's workflow and pipeline (Production on Databricks): the same;
#   - the Azure pipeline: scripts/ci-check-azure.py's pipeline checks (the
#     templates exist, the parameters given are declared, the required ones
#     given, scripts shellchecked);
#   - the policy: mlgate-comply passes a compliant version with it and
#     rejects one without an owner tag, on the harness's MLflow server.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testlib.sh"
. "$here/ci_sim.sh"

doc=$CI_REPO/docs/quickstart.md
check_snippets() {
"$MLGATE_TEST_PYTHON" - "$1" "$CI_REPO" "$T_DIR" "$2" <<'PY' || fail "$1: the snippets do not check out"
import importlib.util
import os
import re
import sys

import yaml

doc, repo, tmp, n_env = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
page = os.path.basename(doc)[:-3]
text = open(doc, encoding="utf-8").read()
blocks = re.findall(r"^```yaml\n(.*?)^```$", text, re.S | re.M)
problems = []
workflows, envs, pipelines = [], [], []
for b in blocks:
    y = yaml.safe_load(b)
    if isinstance(y, dict) and "jobs" in y:
        workflows.append(b)
    elif isinstance(y, dict) and list(y) == ["env"]:
        envs.append(b)
    elif isinstance(y, dict) and "steps" in y and "resources" in y:
        pipelines.append(b)
    else:
        problems.append(f"a yaml block of an unknown kind: {b[:60]!r}")
if len(workflows) != 1 or len(envs) != n_env or len(pipelines) != 1:
    problems.append(f"expected 1 workflow, {n_env} env block, 1 pipeline; found "
                    f"{len(workflows)}, {len(envs)}, {len(pipelines)}")

# the Databricks env: in place of the workflow's
variant = None
if workflows and envs:
    env_re = re.compile(r"^    env:\n(?:      .*\n)+", re.M)
    if not env_re.search(workflows[0]):
        problems.append("the workflow has no job-level env: block to replace")
    else:
        variant = env_re.sub("".join("    " + l + "\n" for l in envs[0].splitlines()),
                             workflows[0], count=1)

actions = {}
for name in os.listdir(os.path.join(repo, "ci", "github")):
    path = os.path.join(repo, "ci", "github", name, "action.yml")
    if os.path.exists(path):
        actions[name] = yaml.safe_load(open(path, encoding="utf-8")).get("inputs") or {}

files = []
for i, wf in enumerate(workflows + ([variant] if variant else [])):
    y = yaml.safe_load(wf)
    for job, spec in (y.get("jobs") or {}).items():
        for n, step in enumerate(spec.get("steps") or []):
            uses = step.get("uses", "")
            m = re.fullmatch(r"[\w.-]+/mlgate/ci/github/([\w-]+)@v\d+\.\d+\.\d+", uses)
            if not uses or uses.startswith("actions/"):
                continue
            if not m:
                problems.append(f"job {job} step {n + 1}: 'uses: {uses}' is not an mlgate action at a vX.Y.Z tag")
                continue
            declared = actions.get(m.group(1))
            if declared is None:
                problems.append(f"job {job} step {n + 1}: no action ci/github/{m.group(1)}")
                continue
            given = step.get("with") or {}
            for k in given:
                if k not in declared:
                    problems.append(f"job {job} step {n + 1}: {m.group(1)} has no input '{k}'")
            for k, spec_in in declared.items():
                if (spec_in or {}).get("required") and k not in given:
                    problems.append(f"job {job} step {n + 1}: {m.group(1)} needs input '{k}'")
    path = os.path.join(tmp, f"{page}-{i}.yml")
    with open(path, "w", encoding="utf-8") as f:
        f.write(wf)
    files.append(path)
with open(os.path.join(tmp, "workflows"), "a") as f:
    f.write("\n".join(files) + "\n")

spec = importlib.util.spec_from_file_location("ci_check_azure",
                                              os.path.join(repo, "scripts", "ci-check-azure.py"))
sys.path.insert(0, os.path.join(repo, "scripts"))
azure = importlib.util.module_from_spec(spec)
spec.loader.exec_module(azure)
for i, p in enumerate(pipelines):
    path = os.path.join(tmp, f"{page}-azure-{i}.yml")
    y = yaml.safe_load(p)
    # a pipeline of one job may list its steps at the top (Azure accepts it);
    # the checker reads jobs: the same steps as the one job
    if "steps" in y and "jobs" not in y and "stages" not in y:
        y["jobs"] = [{"job": "main", "steps": y.pop("steps")}]
    with open(path, "w", encoding="utf-8") as f:
        yaml.safe_dump(y, f, sort_keys=False)
    c = azure.Checker()
    c.pipeline(path)
    c.shellcheck()
    problems += c.problems
    used = {s["template"] for s in y["jobs"][0]["steps"] if "template" in s}
    if used != {"ci/azure/steps/setup.yml@mlgate", "ci/azure/steps/gate.yml@mlgate"}:
        problems.append(f"the pipeline uses templates {sorted(used)}")

for p in problems:
    print(f"docs/{page}.md: {p}", file=sys.stderr)
sys.exit(1 if problems else 0)
PY
}
check_snippets "$doc" 1
check_snippets "$CI_REPO/docs/databricks.md" 0
mapfile -t wfs <"$T_DIR/workflows"
((${#wfs[@]} == 3)) || fail "expected the workflow, its Databricks variant and databricks.md's, got ${#wfs[@]} files"
"$CI_REPO/scripts/actionlint.sh" "${wfs[@]}" >"$T_DIR/actionlint.out" 2>&1 || {
	cat "$T_DIR/actionlint.out" >&2
	fail "actionlint rejects the quickstart's workflow"
}

# the policy: a compliant version passes, one without owner tag and description is rejected
awk '/^```json$/ {on = 1; next} /^```$/ {on = 0} on' "$doc" >"$T_DIR/policy.json"
[ -s "$T_DIR/policy.json" ] || fail "no json block (the policy) in $doc"
seed_registry reg
expect_rc 0 "$MLGATE_BIN/mlgate-comply" --registry "$MLGATE_TEST_MLFLOW_URI" --model "$model" \
	--version 1 --repo "$repo_dir" --policy "$T_DIR/policy.json" --junit "$T_DIR/c1.xml"
expect_rc 1 "$MLGATE_BIN/mlgate-comply" --registry "$MLGATE_TEST_MLFLOW_URI" --model "$model" \
	--version 2 --repo "$repo_dir" --policy "$T_DIR/policy.json" --junit "$T_DIR/c2.xml"
assert_match "$T_DIR/c2.xml" 'compliance\.version_tag\.owner'
echo "t_ci_quickstart: ok"
