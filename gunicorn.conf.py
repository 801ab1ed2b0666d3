"""gunicorn settings, read automatically from the project root (make run, Docker, the benchmark)."""

import gc
import os
import sys

# 2 cores: two processes, each with a few threads to overlap database waits.
workers = int(os.environ.get("WEB_WORKERS", 2))
threads = int(os.environ.get("WEB_THREADS", 4))
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
