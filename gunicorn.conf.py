"""gunicorn settings, read automatically from the project root (make run, Docker, the benchmark)."""

import faulthandler
import os

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
