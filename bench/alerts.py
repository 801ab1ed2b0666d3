"""Alerts under load: what the outbox costs a POST, how fast one worker delivers, and how long an alert takes.

    python -m bench.alerts [--seconds 10] [--connections 8] [--rounds 6]

Serves the service (gunicorn, 4 x 2, production settings) on a fresh database with one endpoint subscribed to every
flagged level (a real HTTP receiver on 127.0.0.1) and drives POSTs of the generated mix with wrk: in alternating
rounds, the service as shipped and the same service with its outbox switched off (bench.no_outbox_wsgi), no worker
running; then one worker (`manage.py procrastinate worker --concurrency 4`) drains what they queued, and runs beside
a last round of POSTs. Prints the POST rates side by side, the alerts one worker delivered per second, and the time
from a POST's `received_at` to the receiver's answer (p50, p99). Target (issue 23): the outbox costs POST
throughput under 10 %.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bench import run

RESULTS = run.REPO / "bench" / "results"


class Receiver(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.latencies: list[float] = []  # seconds from the case's receipt to its alert's arrival
        self.arrivals: list[float] = []
        self.ids: set[str] = set()  # webhook-ids: a message that arrives twice is counted once


class Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        now = time.time()
        received = datetime.fromisoformat(body["data"]["received_at"]).timestamp()
        self.server.latencies.append(now - received)
        self.server.arrivals.append(now)
        self.server.ids.add(self.headers["webhook-id"])
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=6, help="rounds of the outbox's cost, each with and without")
    args = parser.parse_args()
    sys.path.insert(0, str(run.REPO))
    db = run.server()
    name = "twitch_triage_alerts"
    run.fresh_database(db, name)
    env = {"ALERT_ALLOW_INSECURE_URLS": "true"}  # the receiver is on loopback, over plain HTTP
    os.environ.update(env)
    run.setup_django(db, name)
    from bench.mix import presentation_mix
    from triage.alert_endpoints import endpoint_create
    from triage.audit import SYSTEM
    from triage.models import Presentation, Role
    from triage.services import api_key_create

    def alerts_queued() -> int:  # one endpoint: an alert per flagged case stored with its outbox on
        flagged = Presentation.objects.filter(flagged=True)
        return flagged.exclude(external_id__startswith="without").exclude(external_id__startswith="warmwithout").count()

    mix = presentation_mix(500)
    from triage.contract import canonical
    from triage.rules import NEWEST, RULESETS, assess, presentation_from_payload

    ruleset = RULESETS[NEWEST]
    flagged_share = sum(assess(presentation_from_payload(canonical(p)), ruleset).flagged for p in mix) / len(mix)
    _intake, raw = api_key_create(name="bench-intake", role=Role.INTAKE, by=SYSTEM)
    receiver = Receiver()
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    RESULTS.mkdir(exist_ok=True)
    figures = {"cpu_reference_ms": round(run.cpu_reference_ms())}
    path, log = "/api/v1/presentations/", RESULTS / "alerts-gunicorn.log"
    endpoint_create(
        name="bench-receiver", url=f"http://127.0.0.1:{receiver.server_address[1]}/hook",
        events=["presentation.flagged"], levels=["urgent", "emergency"], by=SYSTEM,
    )  # fmt: skip
    # What the outbox costs a POST (no worker yet): the service as shipped beside the same service with its outbox
    # switched off (bench.no_outbox_wsgi), in alternating rounds, for ratios measured side by side.
    rates: dict[str, list[float]] = {"without": [], "outbox": []}
    for round_ in range(args.rounds):
        servers = [("without", "bench.no_outbox_wsgi"), ("outbox", "config.wsgi")]
        for label, app in servers[:: 1 if round_ % 2 == 0 else -1]:  # ABBA: the tables' growth falls on both
            with run.served(app, 4, 2, log, **env) as base:
                run.wrk(base, path, args.connections, 2, run.post_script(mix[:50], f"warm{label}{round_}"), raw)
                script = run.post_script(mix, f"{label}{round_}")
                rates[label].append(run.wrk(base, path, args.connections, args.seconds, script, raw)["rps"])
    costs = [1 - outbox / without for without, outbox in zip(rates["without"], rates["outbox"], strict=True)]
    with run.served("config.wsgi", 4, 2, log, **env) as base:
        backlog = alerts_queued()
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "procrastinate", "worker", "--queues", "alerts", "--concurrency", "4"],
            cwd=run.REPO, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            started = time.monotonic()
            while len(receiver.ids) < backlog and time.monotonic() < started + 300:
                time.sleep(0.2)
            drain_seconds = time.monotonic() - started  # one worker, the backlog, nothing else running
            receiver.latencies.clear()
            # Then POSTs and the worker together, on the same two cores: the time from a POST to its delivery.
            with_outbox = run.wrk(base, path, args.connections, args.seconds, run.post_script(mix, "with"), raw)
            deadline = time.monotonic() + 300
            while len(receiver.ids) < alerts_queued() and time.monotonic() < deadline:
                time.sleep(0.5)
            written = alerts_queued()  # after the requests still in flight when wrk stopped
        finally:
            worker.terminate()
            worker.wait(timeout=30)
    delivered = len(receiver.ids)
    figures |= {
        "post_rps_without_outbox": rates["without"],
        "post_rps_with_outbox": rates["outbox"],
        "outbox_cost": round(statistics.median(costs), 3),  # the median of the rounds' ratios
        "post_rps_with_worker_running": with_outbox["rps"],
        "post_p99_ms_with_worker_running": with_outbox["p99_ms"],
        "alerts_written": written,
        "alerts_delivered": delivered,
        "deliveries_repeated": len(receiver.arrivals) - delivered,
        "worker_alerts_per_second": round(backlog / drain_seconds, 1) if drain_seconds else None,
        "post_to_delivery_ms_p50": round(1000 * statistics.median(receiver.latencies), 1) if delivered else None,
        "post_to_delivery_ms_p99": round(1000 * percentile(receiver.latencies, 0.99), 1) if delivered else None,
        "flagged_share_of_mix": round(flagged_share, 2),
    }
    print(json.dumps(figures, indent=1))
    Path(RESULTS / "alerts-latest.json").write_text(json.dumps(figures, indent=1) + "\n")
    print(
        f"outbox cost to POST throughput: {figures['outbox_cost']:.1%} (target < 10 %); one worker delivered "
        f"{figures['worker_alerts_per_second']} alerts/s; POST to delivery p50 {figures['post_to_delivery_ms_p50']} "
        f"ms, p99 {figures['post_to_delivery_ms_p99']} ms"
    )


if __name__ == "__main__":
    main()
