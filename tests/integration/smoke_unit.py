"""A pytest-style unit suite for the smoke test (pytest is not in the test venv):
runs the test_* functions below and writes JUnit XML like pytest --junitxml.
SMOKE_FAIL=1 makes one test fail."""
import os
import sys
import time
import traceback
from xml.sax.saxutils import escape, quoteattr

import pandas as pd


def test_sample_has_rows():
    assert len(pd.read_csv(os.environ["SMOKE_SAMPLE"])) == 40


def test_labels_are_binary():
    assert set(pd.read_csv(os.environ["SMOKE_SAMPLE"])["label"]) <= {0, 1}


def test_maybe_fails():
    assert os.environ.get("SMOKE_FAIL") != "1", "SMOKE_FAIL asked for a failure"


cases, failed = [], 0
for name, fn in sorted((k, v) for k, v in globals().items() if k.startswith("test_")):
    t0 = time.monotonic()
    try:
        fn()
        body = ""
    except AssertionError as e:
        failed += 1
        body = '<failure message=%s>%s</failure>' % (quoteattr(str(e)), escape(traceback.format_exc()))
    cases.append('<testcase classname="smoke_unit" name="%s" time="%.3f">%s</testcase>'
                 % (name, time.monotonic() - t0, body))
with open(sys.argv[1], "w") as f:
    f.write('<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" '
            'tests="%d" failures="%d" errors="0" skipped="0">%s</testsuite></testsuites>'
            % (len(cases), failed, "".join(cases)))
print("%d passed, %d failed" % (len(cases) - failed, failed))
sys.exit(1 if failed else 0)
