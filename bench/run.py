#!/usr/bin/python3
"""bench/run.py — what `make bench` runs: bench/compare (Gyre vs dynalite vs the trivial server,
every workload including Query), then bench/replication (three-region replication latency at
200, 1,000 and 2,000 writes/s, and `gyre up` time to ready), each with its default durations.

Any arguments are passed on to bench/compare (for example
`bench/run.py --duration 10 --workloads get-uniform,query-uniform`); run bench/replication on its
own for its options. Exits non-zero if either tool failed. Method: docs/performance.md.
"""

import os
import subprocess
import sys

if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    rc = subprocess.call([sys.executable, os.path.join(here, "compare")] + sys.argv[1:])
    print(flush=True)
    rc2 = subprocess.call([sys.executable, os.path.join(here, "replication")])
    sys.exit(rc or rc2)
