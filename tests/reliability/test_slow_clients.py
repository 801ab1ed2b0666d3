"""Slow clients cannot stop the service behind its proxy (deploy/nginx): nginx reads each request whole before any
gunicorn thread sees it, so clients that trickle their headers or bodies hold only nginx's cheap connections.

Without the proxy, four such clients hold every thread of a gunicorn worker (gthread, two threads) and /healthz times
out for as long as they last: the first test shows that, so the second cannot pass by accident."""

import contextlib
import json
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.cluster import nginx
from tests.factories import make_api_key, make_payload
from tests.served import gunicorn, http

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed (.ci/run installs it)"),
]

SLOW_CLIENTS = 50


def trickle(port: int, body: bool, stop: threading.Event) -> None:
    """A client that sends its request a little at a time: a header line every second, or a chunked body a byte
    a second, until told to stop or dropped."""
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        if body:
            sock.sendall(
                b"POST /api/v1/presentations/ HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
            )
        else:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        while not stop.wait(1):
            sock.sendall(b"1\r\n{\r\n" if body else b"X-Slow: 1\r\n")


@contextlib.contextmanager
def slow_clients(port: int, count: int) -> Iterator[None]:
    stop = threading.Event()
    threads = [threading.Thread(target=trickle, args=(port, index % 2 == 1, stop)) for index in range(count)]
    for thread in threads:
        thread.start()
    time.sleep(1.5)  # every one connected and sending
    try:
        yield
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=5)


def timed(method: str, url: str, **kwargs: object) -> tuple[int | None, float]:
    started = time.monotonic()
    try:
        status = http(method, url, timeout=3, **kwargs)[0]
    except OSError:
        status = None
    return status, time.monotonic() - started


def test_without_the_proxy_four_slow_clients_stall_the_health_probe(tmp_path: Path):
    with gunicorn(tmp_path / "gunicorn.log", workers=1, threads=2) as base:
        port = int(base.rpartition(":")[2])
        with slow_clients(port, 4):
            status, _seconds = timed("GET", f"{base}/healthz")

    assert status is None  # timed out: both threads wait on slow clients


def test_behind_the_proxy_fifty_slow_clients_leave_probes_and_posts_answered_within_a_second(tmp_path: Path):
    _key, raw = make_api_key("slow-clients-intake", "intake")
    with gunicorn(tmp_path / "gunicorn.log", workers=1, threads=2, DJANGO_TRUSTED_PROXIES="1") as base:
        app_port = int(base.rpartition(":")[2])
        with nginx(tmp_path, "nginx", [app_port]) as proxy_port, slow_clients(proxy_port, SLOW_CLIENTS):
            proxy = f"http://127.0.0.1:{proxy_port}"
            probes = [timed("GET", f"{proxy}/healthz") for _ in range(5)]
            posts = [
                timed(
                    "POST",
                    f"{proxy}/api/v1/presentations/",
                    body=make_payload(external_id=f"slow-{index}"),
                    headers={"Authorization": f"Api-Key {raw}"},
                )
                for index in range(5)
            ]

    assert [status for status, _ in probes] == [200] * 5
    assert [status for status, _ in posts] == [201] * 5
    assert max(seconds for _, seconds in probes + posts) < 1.0


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("POST", "/api/v1/presentations/", {"notes": "x" * 70_000}, 413),
        ("GET", "/api/v1/presentations/?" + "q" * 9_000, None, 414),
    ],
)
def test_what_the_proxy_refuses_itself_is_problem_json(tmp_path: Path, method, path, body, status):
    with gunicorn(tmp_path / "gunicorn.log") as base, nginx(tmp_path, "nginx", [int(base.rpartition(":")[2])]) as port:
        answered, headers, content = http(method, f"http://127.0.0.1:{port}{path}", body=body)

    assert answered == status
    assert headers["Content-Type"] == "application/problem+json"
    assert json.loads(content)["status"] == status


def test_a_request_the_proxy_cannot_read_is_a_problem_json_400(tmp_path: Path):
    with gunicorn(tmp_path / "gunicorn.log") as base, nginx(tmp_path, "nginx", [int(base.rpartition(":")[2])]) as port:
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(b"NOT HTTP AT ALL\r\n\r\n")
        answer = sock.recv(4096).decode()
        sock.close()

    head, _, body = answer.partition("\r\n\r\n")
    assert head.startswith("HTTP/1.1 400")
    assert "Content-Type: application/problem+json" in head
    assert json.loads(body)["status"] == 400
