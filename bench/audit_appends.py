"""Appends per second through the single audit chain, and what each kind of request appends to it.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/twitch_triage_capacity
    psql -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS twitch_triage_capacity WITH (FORCE)"
    psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE twitch_triage_capacity"
    DJANGO_SETTINGS_MODULE=config.settings_test .venv/bin/python manage.py migrate
    .venv/bin/python bench/audit_appends.py [--seconds 10] [--rounds 3]

A database of its own, created afresh for each run: the script leaves events in its chain that do not verify (3.).

1. Appends per request: a POST of a new presentation, the same POST retried, a read of one presentation, a queue
   page and a review, each made once through the API in process (DRF's test client), counting events before and
   after.
2. Appends per second from 1, 2, 4 and 8 writers, each append its own transaction, `--seconds` per point, in six
   shapes. Three through the real append path (`triage.audit.audit_record`, which calls the database function
   `triage_audit_append`), each writer a process with its own connection, as gunicorn's workers are:
   - write: the append inside `transaction.atomic()`, as a POST or a review makes it: the chain's lock is held from
     the append through COMMIT (one more round trip, and the WAL flush);
   - read: the append alone in autocommit, as a read's access record is;
   - unchained: the write shape with AUDIT_HASH_CHAIN off (no lock, no predecessor; an ORM insert, as that setting
     writes it): the same rows without the serialisation;
   And three from pgbench, with no Python and no Django:
   - database: the append function alone (the p50 column shows pgbench's mean): the chain's ceiling in this
     PostgreSQL;
   - held+1ms: the append and a 1 ms sleep before COMMIT: the lock held a millisecond longer, as a
     commit to a network disk or one waiting for a synchronous standby holds it;
   - nolock+1ms: the same with a plain INSERT of the row, no chain: what the same writers do without the lock.
   The Python shapes take turns at each number of writers, `--rounds` times over, so that the machine's drift falls
   on all; pgbench's come after them, in the same way. The table gives each point's median over the rounds, and the
   lowest and highest rate.
3. `audit_verify` over the whole chain (before pgbench's events, whose digests are made up and would not verify),
   events per second: how long checking a restored copy takes, and proof that concurrent appends forked nothing.
   The unchained rows are numbered below 1, outside the chain, so it ends by naming them (docs/audit.md): expected
   here.

A shared machine drifts: read the figures beside the CPU reference and load averages printed with them.
"""

import argparse
import multiprocessing
import os
import platform
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: the repository's packages

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")  # production settings, a throwaway secret
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")  # DRF's test client

WRITERS = (1, 2, 4, 8)
PYTHON_SHAPES = ("write", "read", "unchained")
PGBENCH_SHAPES = ("database", "held+1ms", "nolock+1ms")
SHAPES = PYTHON_SHAPES + PGBENCH_SHAPES
# The same event as append_once's, for pgbench: the function's arguments by name, so a column it lacks fails loudly.
# (JSON spaced out: pgbench would read a compact '"a":1' as a :variable.)
DATABASE_APPEND = """SELECT triage_audit_append(lock_key => {lock}, genesis => '{genesis}', recorded => now(),
 action => 'C', event_type => 'presentation.create', outcome => 'success', status => 201, agent_type => 'api_key',
 agent_name => 'bench-intake', agent_role => 'intake', client_ip => '127.0.0.1', user_agent => 'bench',
 entity_type => 'Presentation', entity_id => gen_random_uuid()::text, patient_reference => 'pt-0000abcd',
 request_id => '', detail => '{{"level": "routine", "score": 2, "flagged": false}}'::jsonb,
 digest => md5(random()::text) || md5(random()::text));
"""
# The same row without the chain: no lock, a random sequence below 1, as AUDIT_HASH_CHAIN=false writes it.
PLAIN_INSERT = """INSERT INTO triage_auditevent (recorded, action, event_type, outcome, status, agent_type, agent_name,
 agent_role, client_ip, user_agent, entity_type, entity_id, patient_reference, request_id, detail, sequence, prev_hash,
 hash) VALUES (now(), 'C', 'presentation.create', 'success', 201, 'api_key', 'bench-intake', 'intake', '127.0.0.1',
 'bench', 'Presentation', gen_random_uuid()::text, 'pt-0000abcd', '',
 '{"level": "routine", "score": 2, "flagged": false}'::jsonb, -(random() * 4e18)::bigint, '',
 md5(random()::text) || md5(random()::text));
"""
# A commit that waits about a millisecond longer, as one to a network disk or with a synchronous standby would.
HELD = "BEGIN;\n{statement}SELECT pg_sleep(0.001);\nCOMMIT;\n"


def setup() -> None:
    import django

    django.setup()


def append_once(shape: str, actor: Any) -> None:
    """One event shaped as a POST's `presentation.create`, through the service's own append."""
    from django.db import transaction

    from triage.audit import audit_record
    from triage.models import AuditAction

    def append() -> None:
        audit_record(
            by=actor, action=AuditAction.CREATE, event_type="presentation.create", status=201,
            entity_type="Presentation", entity_id=uuid.uuid4(), patient_reference=f"pt-{uuid.uuid4().hex[:8]}",
            detail={"assessment_id": str(uuid.uuid4()), "ruleset_version": "2027.01", "level": "routine",
                    "score": 2, "flagged": False},
        )  # fmt: skip

    if shape == "read":
        append()  # autocommit: the append is its own transaction
    else:
        with transaction.atomic():
            append()


def writer(shape: str, seconds: float, start: Barrier, results: "multiprocessing.Queue[list[float]]") -> None:
    """One process appending as fast as it can for `seconds`; puts its latencies (seconds) on `results`."""
    setup()
    from django.conf import settings

    from triage.audit import Actor

    settings.AUDIT_HASH_CHAIN = shape != "unchained"
    actor = Actor(kind="api_key", name="bench-intake", role="intake", client_ip="127.0.0.1", user_agent="bench")
    for _ in range(20):  # connect and warm up before the clock starts
        append_once(shape, actor)
    start.wait()
    latencies, deadline = [], time.monotonic() + seconds
    while (began := time.monotonic()) < deadline:
        append_once(shape, actor)
        latencies.append(time.monotonic() - began)
    results.put(latencies)


def measure(shape: str, writers: int, seconds: float) -> dict[str, float]:
    if shape in PGBENCH_SHAPES:
        return measure_pgbench(shape, writers, seconds)
    context = multiprocessing.get_context("spawn")  # each writer sets Django up afresh, with its own connection
    start, results = context.Barrier(writers), context.Queue()
    processes = [context.Process(target=writer, args=(shape, seconds, start, results)) for _ in range(writers)]
    for process in processes:
        process.start()
    latencies = [latency for _ in processes for latency in results.get(timeout=seconds + 120)]
    for process in processes:
        process.join()
    ordered = sorted(latencies)
    return {
        "appends_per_second": len(latencies) / seconds,
        "p50_ms": 1000 * statistics.median(ordered),
        "p99_ms": 1000 * ordered[int(0.99 * (len(ordered) - 1))],
    }


def measure_pgbench(shape: str, writers: int, seconds: float) -> dict[str, float]:
    from django.db import connection

    from bench import run
    from triage.audit import CHAIN_LOCK, GENESIS_HASH

    append = DATABASE_APPEND.format(lock=CHAIN_LOCK, genesis=GENESIS_HASH)
    script = {
        "database": append,
        "held+1ms": HELD.format(statement=append),
        "nolock+1ms": HELD.format(statement=PLAIN_INSERT),
    }[shape]
    result = run.pgbench(run.server(), connection.settings_dict["NAME"], script, writers, round(seconds))
    return {"appends_per_second": result["tps"], "p50_ms": result["latency_avg_ms"], "p99_ms": float("nan")}


def appends_per_request() -> dict[str, int]:
    """Events each kind of request appends, through the API in process."""
    import logging

    from rest_framework.test import APIClient

    from bench.mix import presentation_mix
    from triage.audit import SYSTEM
    from triage.models import AuditEvent, Role
    from triage.services import api_key_create

    def client(role: Role) -> APIClient:
        _key, raw = api_key_create(name=f"capacity-{role}-{uuid.uuid4().hex[:8]}", role=role, by=SYSTEM)
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
        return api

    logging.getLogger("triage.requests").disabled = True  # the access log, one JSON line per request
    intake, clinician = client(Role.INTAKE), client(Role.CLINICIAN)
    body = {**presentation_mix(50)[0], "external_id": f"capacity-{uuid.uuid4()}"}
    url = "/api/v1/presentations/"
    counts: dict[str, int] = {}

    def count(label: str, expected_status: int, request: Any, *args: Any, **kwargs: Any) -> Any:
        before = AuditEvent.objects.count()
        response = request(*args, **kwargs)
        if response.status_code != expected_status:
            raise RuntimeError(f"{label}: {response.status_code} {response.content[:300]!r}")
        counts[label] = AuditEvent.objects.count() - before
        return response.json()

    case = count("POST a new presentation", 201, intake.post, url, body, format="json")["id"]
    count("the same POST again (a retry)", 200, intake.post, url, body, format="json")
    count("GET one presentation", 200, clinician.get, f"{url}{case}/")
    count("GET a queue page (50)", 200, clinician.get, url, {"page_size": 50})
    review = {"status": "in_review", "reviewed_by": "staff-0001"}
    count("POST a review", 201, clinician.post, f"{url}{case}/review/", review, format="json")
    return counts


def machine() -> str:
    from django.db import connection

    from bench.run import cpu_reference_ms

    with connection.cursor() as cursor:
        cursor.execute("SELECT version(), current_setting('synchronous_commit'), current_setting('fsync')")
        version, synchronous_commit, fsync = cursor.fetchone()
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())  # fmt: skip
    return (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {cpu}, {os.cpu_count()} cores (shared); "
        f"{version.split(' on ')[0]}, fsync {fsync}, synchronous_commit {synchronous_commit}; "
        f"CPU reference {cpu_reference_ms():.0f} ms; load average {os.getloadavg()[0]:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10, help="per point")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    setup()
    from django.db import connection

    from triage.audit import audit_verify

    print(machine())
    print("\nappends per request:")
    for label, appended in appends_per_request().items():
        print(f"  {label:32} {appended}")
    connection.close()  # no connection open in this process while the writers run

    points: dict[tuple[str, int], list[dict[str, float]]] = {}

    def rounds_of(shapes: tuple[str, ...]) -> None:
        for round_ in range(1, args.rounds + 1):
            for writers in WRITERS:
                for shape in shapes:
                    r = measure(shape, writers, args.seconds)
                    points.setdefault((shape, writers), []).append(r)
                    print(f"  round {round_}: {shape:9} {writers} writers {r['appends_per_second']:7,.0f} appends/s")

    rounds_of(PYTHON_SHAPES)
    began = time.monotonic()
    check = audit_verify()  # before pgbench's events, whose digests are made up
    took = time.monotonic() - began
    connection.close()
    rounds_of(PGBENCH_SHAPES)

    print(f"\n{'shape':10} {'writers':>7} {'appends/s':>10} {'lowest':>7} {'highest':>7} {'p50 ms':>7} {'p99 ms':>7}")
    for (shape, writers), rounds in sorted(points.items(), key=lambda point: SHAPES.index(point[0][0])):
        rate, p50, p99 = (
            statistics.median(r[key] for r in rounds) for key in ("appends_per_second", "p50_ms", "p99_ms")
        )
        low, high = (f(r["appends_per_second"] for r in rounds) for f in (min, max))
        p99_shown = "-" if shape in PGBENCH_SHAPES else f"{p99:.2f}"  # pgbench gives a mean only
        print(f"{shape:10} {writers:>7} {rate:>10,.0f} {low:>7,.0f} {high:>7,.0f} {p50:>7.2f} {p99_shown:>7}")
    print(f"\naudit_verify: {check.events:,} events walked in {took:.1f} s, {check.events / took:,.0f} events/s; "
          f"{'intact' if check.intact else check.problem}")  # fmt: skip
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
