"""Database helpers for the write hot path: fewer round trips and less ORM work than `Model.objects.create()`."""

import contextlib
import contextvars
from collections.abc import Iterator
from functools import cache
from typing import Any

import psycopg
from django.db import DEFAULT_DB_ALIAS, Error, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper


def _database() -> BaseDatabaseWrapper:
    """This thread's default connection itself: each attribute read through `django.db.connection`,
    a proxy, is a lookup of the thread's connection again, and the hot path reads dozens."""
    return connections[DEFAULT_DB_ALIAS]


@contextlib.contextmanager
def one_round_trip() -> Iterator[None]:
    """Run the statements inside as one transaction, sent to the server as one batch (psycopg's pipeline mode).

    The server runs them in order, each with its own snapshot, as it would one by one. Outside
    any transaction (a request, in autocommit), the batch is its own implicit transaction: the
    server commits it at the batch's end, or rolls all of it back if one statement fails, without
    waiting on this process, so a lock taken inside (the audit chain's) is held for no round trip.
    Inside a caller's transaction (a test's, a management command's), the batch runs within a
    savepoint instead, and an error rolls back only the block. Either way an error is raised as
    Django's exception when the block ends. Inside, run statements only: a fetch costs a round
    trip mid-batch, and `atomic()` or a commit would sync (and so commit) the batch early.
    A nested `one_round_trip()` joins the batch it is in.
    """
    if _batch.get():
        yield
        return
    connection = _database()
    # Django's health check, if the request has not had one: in the batch, its SELECT 1 would only be queued.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    if connection.in_atomic_block or not connection.get_autocommit():
        with transaction.atomic(), _pipeline():
            yield
        return
    token = _batch.set(True)
    try:
        with _pipeline():
            try:
                yield
            except BaseException:
                # The batch is about to end with a Sync, which would commit what was sent so far.
                with contextlib.suppress(psycopg.Error):  # a broken connection commits nothing anyway
                    connection.connection.execute("ROLLBACK")
                raise
    finally:
        _batch.reset(token)


def one_transaction() -> contextlib.AbstractContextManager:
    """The statements inside as one transaction, in as few round trips as can be, and never in a savepoint.

    Inside a batch they join it, and inside a caller's transaction they are part of it: if they fail,
    the caller's transaction fails with them. Otherwise they are a batch of their own (`one_round_trip`):
    one round trip, where `transaction.atomic()` would take one each for BEGIN, every statement and COMMIT.
    """
    if _batch.get():
        return contextlib.nullcontext()
    connection = _database()
    if connection.in_atomic_block or not connection.get_autocommit():
        return transaction.atomic(savepoint=False)
    return one_round_trip()


_batch: contextvars.ContextVar[bool] = contextvars.ContextVar("triage_db_batch", default=False)


@contextlib.contextmanager
def _pipeline() -> Iterator[None]:
    connection = _database()
    with connection.wrap_database_errors, connection.connection.pipeline():
        yield


def prepared_cursor(*, binary: bool = False) -> CursorWrapper:
    """A cursor for the hot path's few fixed statements: bound on the server, and prepared once per connection.

    Django's own cursors bind parameters in the client (quoting each into the SQL text) and never
    prepare, so that transaction-mode poolers work. This one is for statements that run on every
    request and whose text never changes; psycopg prepares them on their first run (the
    `prepare_threshold` in settings), after which the server only executes them. Parameters are
    typed by their context, so write statements where each one's type follows from its column
    (INSERT … VALUES, `column = %s`). Wrapped like Django's own cursors: query logging and
    execute wrappers still see every statement. `binary`: rows come in PostgreSQL's binary format,
    whose timestamps psycopg loads in C, where Django's loader parses their text in Python.
    """
    # What `connection.cursor()` does before it makes a cursor.
    connection = _database()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        cursor = psycopg.Cursor(connection.connection)
    if binary:
        cursor.format = psycopg.pq.Format.BINARY
    return connection.make_debug_cursor(cursor) if connection.queries_logged else connection.make_cursor(cursor)


def fetch_one_checked(sql: str, params: list[Any]) -> tuple[Any, ...] | None:
    """One row of a read that is safe to repeat, the read itself standing in for Django's health check.

    With persistent connections, Django checks the connection before a request's first statement
    with a round trip of its own (`SELECT 1`, CONN_HEALTH_CHECKS), so that a database restart
    between requests goes unnoticed by clients. Every request with an API key starts with the key
    lookup, a read: it is the check instead. If the connection turns out to be closed (the server
    restarted, or ended the session), it is closed here too, and the read runs once more on a new
    one, as the statement after a failed check would. Narrower than Django's check: a connection
    left open but unusable (which Django's own end-of-request cleanup closes after an error) fails
    this request rather than being replaced. Inside a transaction nothing is checked or repeated.
    """
    connection = _database()
    probing = (
        connection.connection is not None
        and connection.health_check_enabled
        and not connection.health_check_done
        and not connection.in_atomic_block
    )
    if probing:
        connection.health_check_done = True
        try:
            return _fetch_one(sql, params)
        except Error:
            if not connection.connection.closed:
                raise  # the statement failed, not the connection
            connection.close()
    return _fetch_one(sql, params)


def _fetch_one(sql: str, params: list[Any]) -> tuple[Any, ...] | None:
    # Binary: the API key's two timestamps cost ~15 µs a request as text (Django's Python loader).
    # Values load as from Django's own cursor, but for JSON, which would come decoded: read none here.
    with prepared_cursor(binary=True) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def insert_new(*instances: models.Model) -> None:
    """INSERT new rows, one per instance, in a single statement.

    For instances whose primary keys are set in Python and that need nothing back
    from the database. Foreign keys are deferred on PostgreSQL, so rows may refer
    to each other in either order. Fields are prepared as `save()` would prepare them.
    """
    connection = _database()
    statements, params = [], []
    for instance in instances:
        sql, fields = _insert_statement(type(instance))
        statements.append(sql)
        params += [field.get_db_prep_save(field.pre_save(instance, add=True), connection) for field in fields]
    # One statement: each INSERT but the last runs as a data-modifying WITH clause.
    with_clauses = ", ".join(f"_row{n} AS ({sql})" for n, sql in enumerate(statements[:-1]))
    with prepared_cursor() as cursor:
        cursor.execute(f"WITH {with_clauses} {statements[-1]}" if with_clauses else statements[-1], params)
    for instance in instances:
        instance._state.adding, instance._state.db = False, connection.alias


@cache
def _insert_statement(model: type[models.Model]) -> tuple[str, list[models.Field]]:
    fields = list(model._meta.concrete_fields)
    quote = _database().ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    table = quote(model._meta.db_table)
    return f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", fields  # noqa: S608 (names are the model's)
