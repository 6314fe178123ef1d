"""Validate mlgate's GitHub Actions files against their published JSON
schemas (SchemaStore's, as vendored in check-jsonschema, pinned in
scripts/ci-requirements.txt). Run by `make check-ci` with the CI venv's
python (scripts/ci-venv.sh).

  scripts/ci-check-schemas.py

  ci/github/*/action.yml        against vendor.github-actions (action metadata)
  ci/github/workflows/*.yml     against vendor.github-workflows

actionlint (scripts/actionlint.sh) lints the workflows' meaning; the schemas
also cover the composite actions' metadata, which actionlint reads only
through the workflows that use them.

Azure Pipelines: not checked against check-jsonschema's vendor.azure-pipelines.
With check-jsonschema 0.39.0 that schema does not load under the default
regex engine (one of its patterns is not an ECMA regex), and under
--regex-variant python it rejects every scalar that is not a string (e.g.
`fetchDepth: 0`, `continueOnReject: true`, boolean parameter defaults):
hundreds of errors on the three example pipelines, all of them YAML Azure
accepts. A list of known false positives that long would hide real ones, so
the Azure YAML keeps its structural checks (scripts/ci-check-azure.py), which
also check what no schema can: parameter references, template parameters,
job dependencies and the scripts.

Exit 0 valid, 1 a file is not valid (check-jsonschema's message), 2 set-up.
"""
import glob
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHECKS = [
    ("vendor.github-actions", "ci/github/*/action.yml"),
    ("vendor.github-workflows", "ci/github/workflows/*.yml"),
]


def main(argv):
    if argv:
        print(__doc__.strip())
        return 0 if argv[0] in ("-h", "--help") else 2
    exe = os.path.join(os.path.dirname(sys.executable), "check-jsonschema")
    if not os.access(exe, os.X_OK):
        print(f"ci-check-schemas: no check-jsonschema beside {sys.executable} "
              "(run me with scripts/ci-venv.sh's python)", file=sys.stderr)
        return 2
    total, rc = 0, 0
    for schema, pattern in CHECKS:
        files = sorted(glob.glob(os.path.join(REPO, pattern)))
        if not files:
            print(f"ci-check-schemas: no file matches {pattern}", file=sys.stderr)
            return 2
        r = subprocess.run([exe, "--no-cache", "--builtin-schema", schema, "--", *files],
                           capture_output=True, text=True)
        if r.returncode == 1:
            sys.stdout.write(r.stdout.replace(REPO + os.sep, ""))
            print(f"ci-check-schemas: {pattern} is not valid against {schema}")
            rc = 1
        elif r.returncode != 0:
            sys.stderr.write(r.stdout + r.stderr)
            print(f"ci-check-schemas: check-jsonschema failed (exit {r.returncode})",
                  file=sys.stderr)
            return 2
        total += len(files)
    if rc == 0:
        print(f"ci-check-schemas: {total} files valid against the GitHub Actions schemas "
              "(vendor.github-actions, vendor.github-workflows)")
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
