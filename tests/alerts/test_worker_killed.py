"""A worker killed in the middle of a delivery: the alert is still delivered, and a receiver that deduplicates by
`webhook-id` sees it once."""

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote

import pytest
from django.db import connection
from procrastinate.contrib.django import app

from tests.alerts.worker import work
from tests.factories import make_payload, symptom
from triage.alert_endpoints import endpoint_create
from triage.audit import SYSTEM
from triage.models import Alert
from triage.services import presentation_create
from triage.tasks import deliveries_retry_stalled

pytestmark = pytest.mark.django_db(transaction=True)


class HangsFirst(ThreadingHTTPServer):
    """Holds the first request open (its worker is killed meanwhile); answers the next ones."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.arrived = threading.Event()
        self.ids: list[str] = []  # webhook-ids of the deliveries answered 2xx


class Handler(BaseHTTPRequestHandler):
    server: HangsFirst

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        if not self.server.arrived.is_set():
            self.server.arrived.set()
            time.sleep(3)  # the worker is killed while it waits for this answer
            return
        self.server.ids.append(self.headers["webhook-id"])
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_a_worker_killed_mid_delivery_leaves_an_alert_that_is_delivered_once(settings):
    settings.ALERT_ALLOW_INSECURE_URLS = True
    server = HangsFirst()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    endpoint_create(
        name="pager", url=f"http://127.0.0.1:{port}/hook", events=["presentation.flagged"], levels=["emergency"],
        by=SYSTEM,
    )  # fmt: skip
    presentation_create(payload=make_payload(symptoms=[symptom("slurred_speech", "sudden")]), client=None, by=SYSTEM)
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": f"postgres://{db['USER']}@{quote(db['HOST'], safe='')}:{db['PORT'] or 5432}/{db['NAME']}",
        "ALERT_ALLOW_INSECURE_URLS": "true",
        "ALERT_TIMEOUT_SECONDS": "30",
    }
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "procrastinate", "worker", "--queues", "alerts"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        assert server.arrived.wait(timeout=60), "the worker never tried to deliver"
        worker.send_signal(signal.SIGKILL)  # mid-delivery: no chance to record anything
        worker.wait(timeout=10)
        assert Alert.objects.get().status == "pending"

        # The stalled delivery is found (its worker's heartbeat has stopped) and tried again by another worker.
        async def recover() -> int:
            with app.replace_connector(app.connector.get_worker_connector()) as worker_app:
                async with worker_app.open_async():
                    return await deliveries_retry_stalled(worker_app.job_manager, seconds_since_heartbeat=0)

        assert asyncio.run(recover()) == 1
        work()
    finally:
        worker.kill()
        server.shutdown()
        server.server_close()

    alert = Alert.objects.get()
    assert alert.status == "delivered"
    assert server.ids == [f"msg_{alert.pk}"]  # delivered once, with the id every attempt carries
