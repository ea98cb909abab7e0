#!/usr/bin/python3
"""bench/run.py — what `make bench` runs: bench/compare with its default durations.

Kept so the top-level Makefile's `bench:` recipe needs no change; any arguments are passed on
(for example `bench/run.py --duration 10 --workloads get-uniform,put`).
"""

import os
import sys

if __name__ == "__main__":
    compare = os.path.join(os.path.dirname(os.path.abspath(__file__)), "compare")
    os.execv(sys.executable, [sys.executable, compare] + sys.argv[1:])
