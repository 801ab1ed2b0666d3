"""gunicorn settings, read automatically from the project root (make run, Docker, the benchmark)."""

import faulthandler
import gc
import os
import sys

# A worker that crashes in C code (a driver, a parser) leaves every thread's Python traceback in the log.
faulthandler.enable()

# 2 cores: four processes (Python runs one thread at a time per process), each with two threads
# to overlap database waits. Measured against 2 x 4: queue pages ~1.5x the throughput, POSTs level.
workers = int(os.environ.get("WEB_WORKERS", 4))
threads = int(os.environ.get("WEB_THREADS", 2))
worker_class = "gthread"
keepalive = 5
# The access log (on with --access-logfile, as make run and the image have it) writes each request's path as
# sent, never its query string or Referer: those carry admin searches and audit filters by patient reference.
logger_class = "config.access_log.PathOnlyAccessLogger"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s" %({x-request-id}o)s'


def post_worker_init(worker: object) -> None:
    # Threads take turns with the GIL every 2 ms, not Python's 5: a request whose database answer has come
    # waits less for the other thread. (It was set for the audit chain's lock, which no thread holds any more
    # while Python runs: ADR 0007. Served POSTs measured level at 5 ms.)
    sys.setswitchinterval(float(os.environ.get("PYTHON_SWITCH_INTERVAL", "0.002")))
    # Import what the first requests would (every view, DRF, the schema tools) so that it is frozen below.
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports the URLconf and with it every view)
    # The long-lived objects leave the collector's sight, so no collection walks them again.
    gc.collect()
    gc.freeze()
    # Each request leaves a few hundred objects in reference cycles (DRF, forms), freed only by a collection,
    # whose pause grows with what it frees: at Python's default thresholds, small pauses but often; at 50,000
    # (tried) pauses of 50-200 ms that set the p99. These measured at most ~25 ms, ~50 ms for the rarer gen1.
    gc.set_threshold(5_000, 10, 100)
