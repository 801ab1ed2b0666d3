"""The real worker, run in the test's process until no job is left."""

from django.db import connection
from procrastinate.contrib.django import app

from triage.alerts import QUEUE, alerts_sweep


def work() -> None:
    """The periodic sweep's work (the alerts due fanned out), then the worker as `manage.py procrastinate worker`
    runs it (on its own connections) until the queue is empty. Its job threads end with it, so each closes its
    Django connection after every job (CONN_MAX_AGE 0: procrastinate's per-job clean-up) rather than leave it open
    for the garbage collector. (tests/alerts/test_worker_killed.py runs the worker itself, its sweep included.)"""
    while alerts_sweep():
        pass
    kept = connection.settings_dict["CONN_MAX_AGE"]  # the one dict every thread's connection is made from
    connection.settings_dict["CONN_MAX_AGE"] = 0
    try:
        with app.replace_connector(app.connector.get_worker_connector()) as worker:  # as the command does
            worker.run_worker(queues=[QUEUE], wait=False, install_signal_handlers=False, listen_notify=False)
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = kept
