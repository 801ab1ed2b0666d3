"""gunicorn settings, read automatically from the project root (make run, Docker, the benchmark)."""

import gc
import os
import sys

# 2 cores: four processes (Python runs one thread at a time per process), each with two threads
# to overlap database waits. Measured against 2 x 4: queue pages ~1.5x the throughput, POSTs level.
workers = int(os.environ.get("WEB_WORKERS", 4))
threads = int(os.environ.get("WEB_THREADS", 2))
worker_class = "gthread"
keepalive = 5


def post_worker_init(worker: object) -> None:
    # A thread that holds the audit chain's lock must not wait long for the GIL: switch threads more often.
    sys.setswitchinterval(float(os.environ.get("PYTHON_SWITCH_INTERVAL", "0.002")))
    # Long-lived objects loaded at start (Django, DRF, the rule table) leave the collector's sight, and full
    # collections become rare: each one otherwise walks them all and stalls the worker's requests.
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)
