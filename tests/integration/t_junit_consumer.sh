#!/usr/bin/env bash
# A real JUnit consumer reads what mlgate-report writes: Python junitparser
# (used by EnricoMi/publish-unit-test-result-action) must see the right
# suites, counts, statuses, messages and times, also for hostile input (control
# characters, invalid UTF-8, ]]>, workflow commands, a 20 MB output capture) and
# with a German/Turkish locale in the environment; the file is valid against
# docs/junit.xsd.
#
# Needs: $MLGATE_BIN (mlgate-report), $MLGATE_TEST_PYTHON with junitparser
# (tests/integration/requirements.txt). Exit 77 with a reason when it cannot run.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
fixtures=$here/../../fixtures/junit
py=${MLGATE_TEST_PYTHON:?MLGATE_TEST_PYTHON is not set}
bin=${MLGATE_BIN:?MLGATE_BIN is not set}
work=${MLGATE_TEST_TMP:-$(mktemp -d)}

if ! "$py" -c 'import junitparser' 2>/dev/null; then
	echo "skipped: junitparser is not installed in $py (tests/integration/requirements.txt)"
	exit 77
fi
cd "$work"

# hostile input, written by Python's own XML writer
"$py" - <<'PY'
from xml.sax.saxutils import escape, quoteattr
# (a raw ESC cannot appear in well-formed XML, so colours only arrive via mlgate's own writer)
big = "".join("line %d of output <&> ]]>\n" % i for i in range(900000))
assert len(big) > 20 * 1024 * 1024
msg = "a\nb ##vso[task.complete result=Succeeded] ::error::x ]]> <&> \"q\""
with open("hostile-in.xml", "w", encoding="utf-8") as f:
    f.write('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites><testsuite name="hostile">')
    f.write('<testcase name="big" classname="h" time="1.5"><system-out>%s</system-out></testcase>'
            % escape(big))
    f.write('<testcase name="msg" time="0.25"><failure message=%s type="t">%s</failure></testcase>'
            % (quoteattr(msg), escape(msg)))
    f.write('</testsuite></testsuites>\n')
PY
cp "$fixtures"/{pass,fail,pytest,surefire,nested,hostile}.xml .

rc=0
LC_ALL=de_DE.UTF-8 LANG=tr_TR.UTF-8 "$bin/mlgate-report" merge -o TEST-merged.xml \
	pass.xml fail.xml pytest.xml surefire.xml nested.xml hostile.xml hostile-in.xml || rc=$?
if [ "$rc" != 1 ]; then
	echo "mlgate-report merge exited $rc, expected 1 (inputs with failures)"
	exit 1
fi
# the tree's own schema of mlgate's JUnit profile (docs/reporters.md)
xmllint --noout --schema "$here/../../docs/junit.xsd" TEST-merged.xml 2>xsd.err || {
	cat xsd.err
	echo "TEST-merged.xml is not valid against docs/junit.xsd"
	exit 1
}

"$py" - TEST-merged.xml <<'PY'
import sys
from junitparser import JUnitXml, Failure, Error, Skipped

path = sys.argv[1]
raw = open(path, "rb").read()
raw.decode("utf-8")  # valid UTF-8 or this raises
bad = [b for b in raw if b < 0x20 and b not in (9, 10, 13)]
assert not bad, "control characters in the file: %r" % bad[:5]
assert len(raw) < 4 * 1024 * 1024, "the 20 MB capture was not capped: %d bytes" % len(raw)

xml = JUnitXml.fromfile(path)
suites = {s.name: s for s in xml}
want = {  # name: (tests, failures, errors, skipped)
    "comply": (3, 0, 0, 1),
    "compare": (3, 1, 1, 0),
    "pytest": (4, 1, 0, 1),
    "com.example.ScoringTest": (3, 0, 0, 0),
    "smoke/batch": (2, 0, 0, 0),
    "smoke/http": (1, 0, 0, 0),
    "smoke": (2, 2, 0, 0),
    "hostile": (2, 1, 0, 0),
}
assert set(suites) == set(want), sorted(suites)
total = [0, 0, 0, 0]
for name, (t, f, e, s) in want.items():
    suite = suites[name]
    cases = list(suite)
    got = (suite.tests, suite.failures, suite.errors, suite.skipped)
    assert got == (t, f, e, s), (name, got)
    # the attributes agree with the children
    kinds = [type(c.result[0]) if c.result else None for c in cases]
    assert len(cases) == t, (name, len(cases))
    assert kinds.count(Failure) == f and kinds.count(Error) == e and kinds.count(Skipped) == s, name
    for i, n in enumerate((t, f, e, s)):
        total[i] += n
assert (xml.tests, xml.failures, xml.errors, xml.skipped) == tuple(total), total
assert abs(suites["com.example.ScoringTest"].time - 1234.5) < 1e-9
auc = [c for c in suites["compare"] if c.name == "compare.metric.auc"][0]
assert auc.result[0].message == "auc 0.81 is below production's 0.84 minus the 0.01 margin"
assert auc.result[0].type == "threshold"
assert abs(auc.time - 0.5) < 1e-9
msg = [c for c in suites["hostile"] if c.name == "msg"][0].result[0]
assert msg.message == 'a\nb ##vso[task.complete result=Succeeded] ::error::x ]]> <&> "q"', repr(msg.message)
big = [c for c in suites["hostile"] if c.name == "big"][0]
out = big.system_out
assert out.startswith("line 0 of output <&> ]]>\n"), out[:40]
assert "bytes cut ...]" in out and out.rstrip().endswith("line 899999 of output <&> ]]>"), out[-80:]
assert len(out.encode()) <= 1024 * 1024
print("junitparser read %d suites, %d tests, %d failures, %d errors, %d skipped"
      % (len(suites), xml.tests, xml.failures, xml.errors, xml.skipped))
PY
