"""Profile one endpoint under load: py-spy samples the gunicorn workers while wrk drives them.

    python -m bench.profile [post|queue|detail|rules] [--seconds S] [--connections C] [--prefill N]
                            [--workers W] [--threads T]

Writes py-spy's collapsed stacks to bench/results/profile-<endpoint>.txt (for flamegraph.pl, or
speedscope's import) and prints the functions with the largest inclusive share of the samples.
Needs py-spy (`pip install py-spy`) and permission to ptrace the workers (root, or ptrace_scope 0).
"""

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import run

ENDPOINTS = ("post", "queue", "detail", "rules")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("endpoint", choices=ENDPOINTS, nargs="?", default="post")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--prefill", type=int, default=20_000)
    # The served layout, as make run, the image and the benchmark have it.
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", 4)))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", 2)))
    args = parser.parse_args()

    sys.path.insert(0, str(run.REPO))
    db = run.server()
    name = "twitch_triage_profile"
    run.fresh_database(db, name)
    run.setup_django(db, name)
    from bench.mix import presentation_mix
    from triage.audit import SYSTEM
    from triage.models import Presentation, Role
    from triage.services import api_key_create

    mix = presentation_mix(500)
    intake, intake_raw = api_key_create(name="profile-intake", role=Role.INTAKE, by=SYSTEM)
    _clinician, clinician_raw = api_key_create(name="profile-clinician", role=Role.CLINICIAN, by=SYSTEM)
    run.prefill(args.prefill, mix, intake.pk)
    one_id = str(Presentation.objects.filter(flagged=True).values_list("id", flat=True).first())
    from django.db import connection

    connection.close()
    target = {
        "post": ("/api/v1/presentations/", intake_raw, run.post_script(mix[:50], "warm-up")),
        "queue": ("/api/v1/presentations/?flagged=true&page_size=50", clinician_raw, ""),
        "detail": (f"/api/v1/presentations/{one_id}/", clinician_raw, ""),
        "rules": ("/api/v1/rules/", clinician_raw, ""),
    }[args.endpoint]
    out = run.RESULTS / f"profile-{args.endpoint}"
    limits = {"API_KEY_RATE": "10000000/min", "DATABASE_URL": run.url(db, name)}
    log = Path(tempfile.mkdtemp()) / "service.log"
    with run.served("config.wsgi", args.workers, args.threads, log, **limits) as base:
        run.wrk(base, target[0], args.connections, 2, target[2], target[1])  # warm up
        # This run's master: the one bound to this port (another gunicorn may be serving on the machine).
        bound = f"gunicorn config.wsgi --bind {base.removeprefix('http://')} "
        master = int(subprocess.run(["pgrep", "-f", "-o", bound], capture_output=True, text=True).stdout.split()[0])
        # --gil: only the thread holding the GIL is sampled, so the profile is Python CPU time, not waits.
        spy = subprocess.Popen([
            str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(master), "--subprocesses", "--gil",
            "--format", "raw", "--duration", str(args.seconds), "--rate", "250", "--output", f"{out}.txt",
        ], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        time.sleep(1)
        # POSTs with ids of their own: one sent in the warm-up would be answered as a retry.
        script = run.post_script(mix[:50], "profiled") if args.endpoint == "post" else target[2]
        result = run.wrk(base, target[0], args.connections, args.seconds - 2, script, target[1])
        spy.wait()
    print(json.dumps(result))
    summarise(Path(f"{out}.txt"))


def summarise(raw: Path, top: int = 40) -> None:
    """Inclusive share of samples per function, from py-spy's collapsed stacks."""
    inclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        if not frames or "gunicorn" not in stack or "handle_request" not in stack:
            continue
        total += int(count)
        for frame in set(frames):
            inclusive[frame] += int(count)
    print(f"{total} samples inside handle_request")
    for frame, count in inclusive.most_common(top):
        print(f"{100 * count / total:5.1f}%  {frame[:150]}")


if __name__ == "__main__":
    main()
