"""The real worker, run in the test's process until no job is left."""

from django.db import connection
from procrastinate.contrib.django import app


def work() -> None:
    """As `manage.py procrastinate worker` runs it (on its own connections), until the queue is empty. Its job
    threads end with it, so each closes its Django connection after every job (CONN_MAX_AGE 0: procrastinate's
    per-job clean-up) rather than leave it open for the garbage collector."""
    worker = app.with_connector(app.connector.get_worker_connector())
    kept = connection.settings_dict["CONN_MAX_AGE"]  # the one dict every thread's connection is made from
    connection.settings_dict["CONN_MAX_AGE"] = 0
    try:
        worker.run_worker(queues=["alerts"], wait=False, install_signal_handlers=False, listen_notify=False)
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = kept
