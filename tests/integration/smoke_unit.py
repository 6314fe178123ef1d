"""The smoke test's unit suite, run by real pytest (`python -m pytest smoke_unit.py
--junitxml=...`) so mlgate-smoke imports pytest's own JUnit; SMOKE_FAIL=1 makes one test fail."""
import os

import pandas as pd


def test_sample_has_rows():
    assert len(pd.read_csv(os.environ["SMOKE_SAMPLE"])) == 40


def test_labels_are_binary():
    assert set(pd.read_csv(os.environ["SMOKE_SAMPLE"])["label"]) <= {0, 1}


def test_maybe_fails():
    asked = os.environ.get("SMOKE_FAIL") == "1"  # a plain bool: pytest's report shows no environment
    assert not asked, "SMOKE_FAIL asked for a failure"
