"""Peer for 'mlgate-report merge': junitparser merging JUnit files.

    python bench/junit_peer_merge.py OUT.xml IN.xml...
"""
import resource
import sys
import time

from junitparser import JUnitXml

start = time.monotonic()
merged = JUnitXml("merged")
for path in sys.argv[2:]:
    for suite in JUnitXml.fromfile(path):
        merged.add_testsuite(suite)
merged.update_statistics()
merged.write(sys.argv[1])
print("junitparser merge: %.3f s, peak RSS %d KiB"
      % (time.monotonic() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
