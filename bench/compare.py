"""What a change costs: POSTs a second through this tree and through an earlier revision, side by side.

    python -m bench.compare REVISION [--seconds 10] [--connections 8] [--rounds 4]

Checks REVISION out into a temporary worktree, migrates one fresh database with this tree (an earlier revision
ignores tables it does not know), and serves each tree in turn (gunicorn, 4 x 2, production settings) to wrk's
unique POSTs, in ABBA rounds so that the tables' growth and the machine's drift fall on both alike. Prints each
round's rates and the median ratio: on this shared machine a ratio in one run carries, absolute figures do not.
"""

import argparse
import contextlib
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from bench import run

PATH = "/api/v1/presentations/"


@contextlib.contextmanager
def worktree(revision: str) -> Iterator[Path]:
    directory = Path(tempfile.mkdtemp(prefix="triage-compare-"))
    subprocess.run(["git", "worktree", "add", "-q", "--detach", str(directory), revision], cwd=run.REPO, check=True)
    try:
        yield directory
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(directory)], cwd=run.REPO, check=True)


@contextlib.contextmanager
def served(tree: Path, database_url: str, log: Path) -> Iterator[str]:
    """`tree`'s service under gunicorn (4 x 2, production settings), its request log lines included."""
    sys.path.insert(0, str(run.REPO))
    from tests.served import gunicorn

    with gunicorn(log, workers=4, threads=2, tree=tree, DATABASE_URL=database_url, DJANGO_LOG_LEVEL="INFO") as base:
        yield base


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("revision", help="the earlier revision to compare this tree against, e.g. HEAD~3")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    db = run.server()
    name = "twitch_triage_compare"
    run.fresh_database(db, name)
    run.setup_django(db, name)
    from bench.mix import presentation_mix
    from triage.audit import SYSTEM
    from triage.models import Role
    from triage.services import api_key_create

    _key, raw = api_key_create(name="compare-intake", role=Role.INTAKE, by=SYSTEM)
    mix = presentation_mix(500)
    database_url = run.url(db, name)
    log = Path(tempfile.mkstemp(suffix="-compare.log")[1])
    rates: dict[str, list[float]] = {"before": [], "after": []}
    with worktree(args.revision) as before:
        trees = [("before", before), ("after", run.REPO)]
        for round_ in range(args.rounds):
            for label, tree in trees[:: 1 if round_ % 2 == 0 else -1]:
                with served(tree, database_url, log) as base:
                    run.wrk(base, PATH, args.connections, 2, run.post_script(mix[:50], f"warm{label}{round_}"), raw)
                    script = run.post_script(mix, f"{label}{round_}")
                    rates[label].append(run.wrk(base, PATH, args.connections, args.seconds, script, raw)["rps"])
                print(f"round {round_ + 1} {label:6} {rates[label][-1]:7.1f} POSTs/s", flush=True)
    ratios = [after / before for before, after in zip(rates["before"], rates["after"], strict=True)]
    each = ", ".join(f"{ratio:.3f}" for ratio in ratios)
    print(f"\nthis tree / {args.revision}: median {statistics.median(ratios):.3f} ({each})")


if __name__ == "__main__":
    main()
