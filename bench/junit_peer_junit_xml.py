"""Second peer for bench/junit_write.c: the same N test cases written by the
junit-xml package (junitparser's add_testcase is quadratic: 10 000 cases
take about two minutes, so 100 000 are measured with this one).

    python bench/junit_peer_junit_xml.py N OUT.xml
"""
import resource
import sys
import time

from junit_xml import TestCase, TestSuite, to_xml_report_file

n, out = int(sys.argv[1]), sys.argv[2]
start = time.monotonic()
cases = []
for i in range(n):
    case = TestCase("bench.case.%d" % i, classname="bench", elapsed_sec=0.001)
    if i % 100 == 99:
        case.add_failure_info("metric auc 0.81 is below 0.84",
                              "candidate=0.81 production=0.84 margin=0.01")
    cases.append(case)
with open(out, "w", encoding="utf-8") as f:
    to_xml_report_file(f, [TestSuite("bench", cases)])
print("junit-xml write: %.3f s, peak RSS %d KiB"
      % (time.monotonic() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
