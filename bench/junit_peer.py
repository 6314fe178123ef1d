"""Peer for bench/junit_write.c: the same N test cases written by Python's
junitparser (what EnricoMi/publish-unit-test-result-action reads with).

    python bench/junit_peer.py N OUT.xml
"""
import resource
import sys
import time

from junitparser import Failure, JUnitXml, TestCase, TestSuite

n, out = int(sys.argv[1]), sys.argv[2]
start = time.monotonic()
suite = TestSuite("bench")
for i in range(n):
    case = TestCase("bench.case.%d" % i, classname="bench", time=0.001)
    if i % 100 == 99:
        f = Failure("metric auc 0.81 is below 0.84")
        f.text = "candidate=0.81 production=0.84 margin=0.01"
        case.result = [f]
    suite.add_testcase(case)
suite.update_statistics()
xml = JUnitXml("bench")
xml.add_testsuite(suite)
xml.write(out)
print("junitparser write: %.3f s, peak RSS %d KiB"
      % (time.monotonic() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
