"""The image, read (no Docker engine runs here): it ships every file the service reads when it starts."""

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_the_image_copies_what_the_service_reads_at_start():
    # gunicorn reads ./gunicorn.conf.py from its working directory: without it the image's workers would run
    # without the settings make run and the benchmark have (threads, collection thresholds, the log format).
    lines = (REPO / "Dockerfile").read_text().splitlines()
    copied = {name for line in lines if line.startswith("COPY ") for name in line.split()[1:-1]}

    assert {"pyproject.toml", "manage.py", "gunicorn.conf.py", "config", "triage", "fixtures"} <= copied
    assert all((REPO / name).exists() for name in copied)
