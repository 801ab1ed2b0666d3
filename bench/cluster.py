"""The cluster run (issue 26): more than one app instance, proven on this machine.

It starts PgBouncer (transaction mode) in front of the machine's PostgreSQL, app instances (gunicorn) and the
alerts worker, and nginx balancing across the instances (deploy/); drives POSTs and queue reads through nginx; kills
an app instance and the worker mid-run and restarts them; then proves that every acknowledged POST is stored once,
every flagged one alerted once (by webhook-id), the audit chain verifies and rate limits hold across instances,
and prints POST throughput through one instance and through two.

    make cluster                  # about 3 minutes
    python -m bench.cluster --quick   # CI's short version

Clients behave as the API asks: a POST that fails without an answer (the instance died under it, or nginx
answered 503) is sent again with the same external_id until it is acknowledged.
"""

import argparse
import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEPLOY = REPO / "deploy"
DATABASE = "twitch_triage_cluster"
APP_ROLE = "triage_cluster_app"  # what the instances and the worker connect as (grant_app_role, ADR 0015)
POSTGRES = ("127.0.0.1", 5432)
FAILED_AUTH_RATE = 30  # failed keys a minute per client address (API_FAILED_AUTH_RATE): the cross-instance check
SECRET = "cluster-run-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"  # noqa: S105 (a throwaway run's)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on {port}")


def render(template: Path, **values: str) -> str:
    """A deploy/ template with its ${NAME}s filled in; nginx's own $variables are left as they are."""
    return string.Template(template.read_text()).safe_substitute(values)


def database_url(host: str, port: int, user: str = "postgres") -> str:
    return f"postgres://{user}@{host}:{port}/{DATABASE}"


def app_environment(database: str, **more: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_HTTPS": "false",
        "DJANGO_SECRET_KEY": SECRET,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database,
        "ALERT_ALLOW_INSECURE_URLS": "true",
        "API_KEY_RATE": "1000000/min",
        "API_FAILED_AUTH_RATE": f"{FAILED_AUTH_RATE}/min",
        "DJANGO_LOG_LEVEL": "WARNING",
        **more,
    }


def manage(*args: str, database: str) -> str:
    result = subprocess.run(
        [str(BIN / "python"), "manage.py", *args],
        cwd=REPO,
        env=app_environment(database),
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


# --- the parts -------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def pgbouncer(workdir: Path) -> Iterator[int]:
    """PgBouncer in transaction mode on a free port, in front of the machine's PostgreSQL."""
    directory = workdir / "pgbouncer"
    directory.mkdir()
    port = free_port()
    (directory / "users.txt").write_text(f'"postgres" ""\n"{APP_ROLE}" ""\n')
    config = directory / "pgbouncer.ini"
    config.write_text(
        render(
            DEPLOY / "pgbouncer" / "pgbouncer.ini.template",
            DATABASE_HOST=POSTGRES[0],
            DATABASE_PORT=str(POSTGRES[1]),
            PGBOUNCER_PORT=str(port),
            PGBOUNCER_DIR=str(directory),
        )
    )
    command = ["pgbouncer", str(config)]
    if os.geteuid() == 0:  # PgBouncer refuses to run as root
        shutil.chown(directory, "postgres")
        for path in directory.iterdir():
            shutil.chown(path, "postgres")
        command = ["pgbouncer", "-u", "postgres", str(config)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, process, "PgBouncer")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextlib.contextmanager
def nginx(workdir: Path, name: str, upstreams: list[int]) -> Iterator[int]:
    """nginx on a free port, balancing across the app instances on `upstreams` (deploy/nginx)."""
    directory = workdir / name
    directory.mkdir(mode=0o755)
    port = free_port()
    servers = " ".join(f"server 127.0.0.1:{upstream} max_fails=1 fail_timeout=2s;" for upstream in upstreams)
    (directory / "triage.conf").write_text(
        render(DEPLOY / "nginx" / "triage.conf.template", TRIAGE_LISTEN=f"127.0.0.1:{port}", TRIAGE_UPSTREAMS=servers)
    )
    temp = directory / "temp"
    temp.mkdir()
    temp.chmod(0o777)  # nginx's workers (not root) buffer bodies there
    (directory / "nginx.conf").write_text(
        f"worker_processes 1;\npid {directory}/nginx.pid;\nerror_log {directory}/error.log warn;\n"
        "events { worker_connections 2048; }\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {temp}/body;\n  proxy_temp_path {temp}/proxy;\n"
        f"  fastcgi_temp_path {temp}/fastcgi;\n  uwsgi_temp_path {temp}/uwsgi;\n  scgi_temp_path {temp}/scgi;\n"
        f"  include {directory}/triage.conf;\n}}\n"
    )
    process = subprocess.Popen(
        ["nginx", "-p", str(directory), "-c", str(directory / "nginx.conf"), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port, process, "nginx")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


@dataclass
class Service:
    """A process of the cluster that can be killed and started again: `command` run with `environment`."""

    log: Path
    process: subprocess.Popen = field(init=False)

    def command(self) -> list[str]:
        raise NotImplementedError

    def environment(self) -> dict[str, str]:
        raise NotImplementedError

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                self.command(),
                cwd=REPO,
                env=self.environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self) -> None:
        """SIGKILL, as a machine lost: no graceful shutdown, requests in flight are cut."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=15)


@dataclass
class Instance(Service):
    """An app instance: gunicorn, 2 workers x 2 threads, on its port, through PgBouncer."""

    port: int = 0
    database: str = ""

    def command(self) -> list[str]:
        return [str(BIN / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{self.port}", "--graceful-timeout", "5"]

    def environment(self) -> dict[str, str]:
        return app_environment(
            self.database,
            DATABASE_TRANSACTION_POOLING="true",
            DJANGO_TRUSTED_PROXIES="1",
            WEB_WORKERS="2",
            WEB_THREADS="2",
        )

    def start(self) -> None:
        super().start()
        wait_for_port(self.port, self.process, f"app on {self.port}")


@dataclass
class Worker(Service):
    """The alerts worker, connected to PostgreSQL directly (it LISTENs)."""

    database: str = ""

    def command(self) -> list[str]:
        return [str(BIN / "python"), "manage.py", "procrastinate", "worker", "--queues", "alerts", "--concurrency", "4"]

    def environment(self) -> dict[str, str]:
        return app_environment(self.database)


class Receiver(ThreadingHTTPServer):
    """The alert endpoint: every delivery's webhook-id, event and presentation."""

    def __init__(self) -> None:
        self.deliveries: list[tuple[str, str, str]] = []
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), ReceiverHandler)


class ReceiverHandler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        presentation = body["data"]["presentation_id"]
        with self.server.lock:
            self.server.deliveries.append((self.headers["webhook-id"], body.get("type", ""), str(presentation)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


# --- the load --------------------------------------------------------------------------------------------------


def presentation(external_id: str, flagged: bool) -> dict:
    body = {
        "external_id": external_id,
        "patient": {"reference": f"pt-{external_id}", "age_years": 58},
        "twitch": {"locations": ["eyelid"], "side": "left", "duration_days": 3},
    }
    if flagged:
        body["symptoms"] = [{"code": "slurred_speech", "onset": "sudden"}]
    return body


@dataclass
class Load:
    """What the clients sent and what was acknowledged."""

    acknowledged: dict[str, bool] = field(default_factory=dict)  # external_id -> flagged
    latencies: list[float] = field(default_factory=list)
    retries: int = 0
    abandoned: int = 0
    queue_reads: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def client(port: int, intake: str, clinician: str, stop: threading.Event, load: Load, name: str) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    sent = 0
    while not stop.is_set():
        sent += 1
        external_id = f"{name}-{sent}"
        flagged = sent % 5 == 0
        body = json.dumps(presentation(external_id, flagged))
        for _attempt in range(60):
            started = time.perf_counter()
            try:
                connection.request(
                    "POST",
                    "/api/v1/presentations/",
                    body,
                    {"Authorization": f"Api-Key {intake}", "Content-Type": "application/json"},
                )
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                connection.close()
                status = None
            if status in (200, 201):
                with load.lock:
                    load.acknowledged[external_id] = flagged
                    load.latencies.append(time.perf_counter() - started)
                break
            with load.lock:
                load.retries += 1
            time.sleep(0.2)  # an instance died or none answered: the same body again, with the same external_id
        else:
            with load.lock:
                load.abandoned += 1
        if sent % 4 == 0:
            with contextlib.suppress(OSError, http.client.HTTPException):
                connection.request(
                    "GET", "/api/v1/presentations/?page_size=20", headers={"Authorization": f"Api-Key {clinician}"}
                )
                connection.getresponse().read()
                with load.lock:
                    load.queue_reads += 1


def drive(port: int, keys: tuple[str, str], seconds: float, clients: int, tag: str, chaos=None) -> Load:
    load, stop = Load(), threading.Event()
    threads = [
        threading.Thread(target=client, args=(port, *keys, stop, load, f"{tag}-{index}"), daemon=True)
        for index in range(clients)
    ]
    for thread in threads:
        thread.start()
    if chaos is not None:
        chaos(seconds)
    else:
        time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    return load


# --- the proofs ------------------------------------------------------------------------------------------------


def stored_counts(database: str, external_ids: list[str]) -> Counter:
    rows = psql(database, "SELECT external_id FROM triage_presentation")
    stored = Counter(rows)
    return Counter({external_id: stored[external_id] for external_id in external_ids})


def psql(database: str, query: str) -> list[str]:
    result = subprocess.run(
        ["psql", "-h", POSTGRES[0], "-p", str(POSTGRES[1]), "-U", "postgres", "-d", DATABASE, "-Atc", query],
        capture_output=True,
        text=True,
        check=True,
    )
    return [line for line in result.stdout.splitlines() if line]


def failed_keys(port: int, attempts: int) -> Counter:
    """`attempts` requests with a wrong key, as one client address, spread by nginx over every instance, all in
    one minute's window: a limit counted per fixed window lets twice its rate through across a boundary."""
    if (left := 60 - time.time() % 60) < 10:
        time.sleep(left + 0.5)
    statuses: Counter = Counter()
    for attempt in range(attempts):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/api/v1/presentations/", headers={"Authorization": f"Api-Key guess.{attempt}"})
        statuses[connection.getresponse().status] += 1
        connection.close()
    return statuses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="CI's short version: shorter phases")
    parser.add_argument("--clients", type=int, default=8)
    arguments = parser.parse_args()
    phase = 8.0 if arguments.quick else 30.0

    direct = database_url(*POSTGRES)
    subprocess.run(["dropdb", "-h", POSTGRES[0], "-U", "postgres", "--if-exists", "--force", DATABASE], check=True)
    subprocess.run(["createdb", "-h", POSTGRES[0], "-U", "postgres", DATABASE], check=True)
    manage("migrate", "--noinput", database=direct)
    manage("grant_app_role", APP_ROLE, database=direct)
    as_app = database_url(*POSTGRES, user=APP_ROLE)
    intake = manage("create_api_key", "cluster-intake", "--role", "intake", database=direct).split()[-1]
    clinician = manage("create_api_key", "cluster-clinician", "--role", "clinician", database=direct).split()[-1]
    receiver = Receiver()
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    endpoint = f"http://127.0.0.1:{receiver.server_address[1]}/alerts"
    manage(
        "add_alert_endpoint", "cluster-receiver", endpoint,
        "--events", "presentation.flagged", "--levels", "emergency,urgent", database=direct,
    )  # fmt: skip

    with tempfile.TemporaryDirectory(prefix="triage-cluster-") as temp, contextlib.ExitStack() as stack:
        workdir = Path(temp)
        workdir.chmod(0o755)
        bouncer = stack.enter_context(pgbouncer(workdir))
        pooled = database_url("127.0.0.1", bouncer, user=APP_ROLE)
        instances = [Instance(workdir / f"app-{index}.log", free_port(), pooled) for index in range(2)]
        for instance in instances:
            instance.start()
            stack.callback(instance.stop)
        worker = Worker(workdir / "worker.log", as_app)
        worker.start()
        stack.callback(worker.stop)
        one = stack.enter_context(nginx(workdir, "nginx-one", [instances[0].port]))
        both = stack.enter_context(nginx(workdir, "nginx-both", [instance.port for instance in instances]))
        keys = (intake, clinician)

        print(f"cluster: PgBouncer :{bouncer} (transaction mode), 2 instances x 2 workers x 2 threads, worker, nginx;")
        print(f"  the instances and the worker as {APP_ROLE}, granted only what they use")
        drive(both, keys, 3, arguments.clients, "warm-up")  # every worker's first requests (imports, connections)
        single = drive(one, keys, phase, arguments.clients, "one")
        double = drive(both, keys, phase, arguments.clients, "two")

        def chaos(seconds: float) -> None:
            time.sleep(seconds / 3)
            instances[1].kill()
            worker.kill()
            print(f"  killed app :{instances[1].port} and the worker at {seconds / 3:.0f} s")
            time.sleep(seconds / 3)
            instances[1].start()
            worker.start()
            print(f"  restarted them at {2 * seconds / 3:.0f} s")
            time.sleep(seconds / 3)

        chaotic = drive(both, keys, phase, arguments.clients, "chaos", chaos=chaos)
        refusals = failed_keys(both, 2 * FAILED_AUTH_RATE)

        acknowledged = {**single.acknowledged, **double.acknowledged, **chaotic.acknowledged}
        flagged = {external_id for external_id, is_flagged in acknowledged.items() if is_flagged}
        # Until nothing is due and every alert is delivered: a delivery the killed worker held is retried once its
        # heartbeat is stale (retry_stalled_deliveries, every minute), so this can take a couple of minutes.
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            due = psql(direct, "SELECT count(*) FROM triage_presentation WHERE alert_due")
            undelivered = psql(direct, "SELECT count(*) FROM triage_alert WHERE status <> 'delivered'")
            if due == undelivered == ["0"]:
                break
            time.sleep(1)
        counts = stored_counts(direct, list(acknowledged))
        ids_of_flagged = dict(
            line.split("|") for line in psql(direct, "SELECT external_id, id FROM triage_presentation WHERE flagged")
        )
        with receiver.lock:
            webhook_ids: dict[str, set[str]] = {}
            for webhook_id, event, presentation_id in receiver.deliveries:
                if event == "presentation.flagged":
                    webhook_ids.setdefault(presentation_id, set()).add(webhook_id)
        verified = subprocess.run(
            [str(BIN / "python"), "manage.py", "verify_audit"],
            cwd=REPO, env=app_environment(direct), capture_output=True, text=True, check=False,
        )  # fmt: skip

    throughput = {name: len(load.acknowledged) / phase for name, load in (("one", single), ("two", double))}
    print(f"\nPOSTs acknowledged a second ({arguments.clients} clients, {phase:.0f} s each, queue reads beside):")
    print(f"  one instance   {throughput['one']:7.1f}")
    print(f"  two instances  {throughput['two']:7.1f}   ({throughput['two'] / throughput['one']:.2f}x)")
    print(f"chaos: {len(chaotic.acknowledged)} acknowledged, {chaotic.retries} retries, {chaotic.abandoned} abandoned")

    unalerted = [
        external_id for external_id in flagged if len(webhook_ids.get(ids_of_flagged.get(external_id, ""), ())) != 1
    ]
    checks = {
        "every acknowledged POST is stored exactly once": all(count == 1 for count in counts.values()),
        "every flagged POST is alerted exactly once (one webhook-id each)": not unalerted,
        "no POST was abandoned": single.abandoned + double.abandoned + chaotic.abandoned == 0,
        "the audit chain verifies": verified.returncode == 0,
        f"rate limits hold across instances (at most {FAILED_AUTH_RATE} failed keys a minute per address)": (
            refusals[401] <= FAILED_AUTH_RATE and refusals[429] > 0
        ),
    }
    print(f"stored: {len(acknowledged)} acknowledged, {len(flagged)} flagged; refusals {dict(refusals)}")
    for check, held in checks.items():
        print(f"  {'ok  ' if held else 'FAIL'} {check}")
    if unalerted:
        print(f"  not alerted exactly once: {len(unalerted)} ({unalerted[:3]}); due {due}, undelivered {undelivered}")
    if verified.returncode != 0:
        print(verified.stdout[-2000:], verified.stderr[-2000:])
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
