"""gunicorn settings, read automatically from the project root (make run, Docker, the benchmark)."""

import faulthandler
import os
import shutil
import tempfile
from typing import Any

# A worker that crashes in C code (a driver, a parser) leaves every thread's Python traceback in the log.
faulthandler.enable()

# Metrics (triage.metrics): each worker process counts its own requests, and prometheus_client adds them up at a
# scrape only in its multiprocess mode, each worker keeping its counts in files in this directory. Set here, in the
# master before it forks and before anything imports prometheus_client (which picks its mode on import), so that
# every worker inherits it. A fresh directory for each run: no counts carried over from an earlier server's workers
# (one given in the environment must be emptied before each start, as prometheus_client's documentation says).
metrics_directory_made_here = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if metrics_directory_made_here:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="triage-metrics-")

# 2 cores: four processes (Python runs one thread at a time per process), each with two threads
# to overlap database waits. Measured against 2 x 4: queue pages ~1.5x the throughput, POSTs level.
workers = int(os.environ.get("WEB_WORKERS", 4))
threads = int(os.environ.get("WEB_THREADS", 2))
worker_class = "gthread"
keepalive = 5
# The access log (off: the app logs each request as JSON; on with --access-logfile) writes each request's path as
# sent, never its query string or Referer: those carry admin searches and audit filters by patient reference.
logger_class = "config.access_log.PathOnlyAccessLogger"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s" %({x-request-id}o)s'
# gunicorn's own lines (booting, a worker's timeout) as JSON, as the app's are (triage.logs). The app logs each
# request itself, with its API key; gunicorn's access log stays off unless asked for.
logconfig_dict = {
    "formatters": {"json": {"()": "triage.logs.JsonLines"}},
    "handlers": {"json": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
    "root": {"level": "INFO", "handlers": ["json"]},
    "loggers": {"gunicorn.error": {"level": "INFO", "handlers": ["json"], "propagate": False}},
}


def post_worker_init(worker: object) -> None:
    # Each request leaves hundreds of objects in reference cycles (DRF's request and response), freed only by the
    # cyclic collector. At Python's default thresholds it runs every few hundred allocations and walks everything
    # Django and DRF imported: queue pages served at half the rate (ADR 0011). So: import the URLconf (every view),
    # freeze what is loaded so that no collection walks it again, and collect the young generation less often.
    import gc

    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports the URLconf and with it every view)
    gc.collect()
    gc.freeze()
    gc.set_threshold(5_000, 10, 100)


def child_exit(server: object, worker: Any) -> None:
    # prometheus_client's bookkeeping for a worker gone (restarted, crashed): its counts stay in the totals.
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server: object) -> None:
    if metrics_directory_made_here:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"])
