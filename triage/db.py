"""Database helpers for the hot paths: fewer statements and less ORM work than `Model.objects.create()`."""

import contextlib
import uuid
from collections.abc import Callable
from datetime import datetime
from functools import cache, partial
from typing import Any, NamedTuple, TypeVar

import psycopg
from django.db import DEFAULT_DB_ALIAS, Error, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper

T = TypeVar("T")


def _database() -> BaseDatabaseWrapper:
    """This thread's default connection itself: each attribute read through `django.db.connection`,
    a proxy, is a lookup of the thread's connection again, and the hot path reads dozens."""
    return connections[DEFAULT_DB_ALIAS]


def own_savepoint() -> contextlib.AbstractContextManager:
    """Around a statement whose failure the caller handles (a unique constraint it expects to hit).

    Inside a caller's transaction (a test's, a management command's), a savepoint, so that the failure
    rolls back the statement alone and the transaction can go on. Outside any, in autocommit (a request),
    the statement is its own transaction already: nothing, where `atomic()` would cost a round trip
    each for BEGIN and COMMIT.
    """
    connection = _database()
    in_transaction = connection.in_atomic_block or not connection.get_autocommit()
    return transaction.atomic() if in_transaction else contextlib.nullcontext()


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
    """One row of a read that is safe to repeat, the read itself standing in for Django's health check."""
    return as_health_check(partial(_fetch_one, sql, params))


def as_health_check(statement: Callable[[], T]) -> T:
    """Run `statement` (a request's first, safe to repeat) standing in for Django's health check.

    With persistent connections, Django checks the connection before a request's first statement
    with a round trip of its own (`SELECT 1`, CONN_HEALTH_CHECKS), so that a database restart
    between requests goes unnoticed by clients. A request's first statement is the check instead:
    the key lookup, or a POST's write when its key came from a cache. If the connection turns out
    to be closed (the server restarted, or ended the session), it is closed here too, and
    `statement` runs once more on a new one, as the statement after a failed check would. Narrower
    than Django's check: a connection left open but unusable (which Django's own end-of-request
    cleanup closes after an error) fails this request rather than being replaced. Inside a
    transaction, or once the request has checked, nothing is checked or repeated.
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
            return statement()
        except Error:
            if not connection.connection.closed:
                raise  # the statement failed, not the connection
            connection.close()
    return statement()


def _fetch_one(sql: str, params: list[Any]) -> tuple[Any, ...] | None:
    # Binary: the API key's two timestamps cost ~15 µs a request as text (Django's Python loader).
    # Values load as from Django's own cursor, but for JSON, which would come decoded: read none here.
    with prepared_cursor(binary=True) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def insert_new(*instances: models.Model, then: tuple[str, list[Any]] | None = None) -> None:
    """INSERT new rows, one per instance, in a single statement; and once they are in, in the same statement,
    `then`: a `SELECT` with no `FROM` (SQL and parameters), such as the audit append that records them.

    For instances whose primary keys are set in Python or generated by the database, and that need
    nothing back from it. Foreign keys are deferred on PostgreSQL, so rows may refer to each other in
    either order. Fields are prepared as `save()` would prepare them. One statement is one transaction
    in autocommit: all of it is stored, or none.
    """
    connection = _database()
    statements, params = [], []
    for instance in instances:
        sql, fields = _insert_statement(type(instance))
        statements.append(sql)
        params += [_prepared(instance, field, shortcut, connection) for field, shortcut in fields]
    # One statement: each INSERT but the last runs as a data-modifying WITH clause.
    if then is None:
        last = statements.pop()
    else:
        # PostgreSQL runs a WITH clause that nothing reads after the rest of the statement: `then` reads the
        # rows' counts, so that it runs once they are inserted (the audit append's lock is held for no INSERT).
        last = then[0]
        if statements:
            counts = (f"(SELECT count(*) FROM _row{n}) _after{n}" for n in range(len(statements)))  # noqa: S608
            last += " FROM " + ", ".join(counts)
            statements = [f"{sql} RETURNING 1" for sql in statements]
        params += then[1]
    with_clauses = ", ".join(f"_row{n} AS ({sql})" for n, sql in enumerate(statements))
    with prepared_cursor() as cursor:
        cursor.execute(f"WITH {with_clauses} {last}" if with_clauses else last, params)
    for instance in instances:
        instance._state.adding, instance._state.db = False, connection.alias


@cache
def _insert_statement(model: type[models.Model]) -> tuple[str, list[tuple[models.Field, "_Shortcut | None"]]]:
    # A primary key the database generates (an identity column) is left to it.
    fields = [field for field in model._meta.concrete_fields if not isinstance(field, models.AutoField)]
    quote = _database().ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    table = quote(model._meta.db_table)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608 (names are the model's)
    return sql, [(field, _shortcut(field)) for field in fields]


class _Shortcut(NamedTuple):
    """For a field's value of exactly `type`, what Django's preparation would send, without its dozen calls."""

    type: type
    send: Callable[[Any], Any]


def _prepared(instance: models.Model, field: models.Field, shortcut: _Shortcut | None, connection: Any) -> Any:
    """What `save()` would send for the field: a POST's rows have two dozen fields, and Django's preparation
    costs a dozen calls a field, to change nothing (or little) in a value of the type the field makes anyway."""
    value = getattr(instance, field.attname)
    if shortcut is not None:
        if type(value) is shortcut.type and (shortcut.type is not datetime or value.tzinfo is not None):
            return shortcut.send(value)  # (Django makes a naive datetime aware, with a warning)
        if shortcut.type is str and isinstance(value, str):
            return plain_str(value)
    return field.get_db_prep_save(field.pre_save(instance, add=True), connection)


def plain_str(value: str) -> str:
    """A str subclass's text as a str, such as a choice's (TextChoices): the same text to the database, but psycopg
    finds the dumper of a str at once, where for a subclass it searches the class's ancestry on every statement."""
    return str.__str__(value)


def _as_is(value: Any) -> Any:
    return value


# Exact field classes (a subclass may prepare differently) whose values of this type PostgreSQL's backend sends as
# they are. Integers are sent in a wrapper of their column's type (psycopg's Int2 for a smallint, say).
_AS_IS = {models.CharField: str, models.UUIDField: uuid.UUID, models.BooleanField: bool, models.DateTimeField: datetime}
_INTEGERS = {models.SmallIntegerField, models.PositiveSmallIntegerField, models.IntegerField, models.BigIntegerField}


def _shortcut(field: models.Field) -> _Shortcut | None:
    if field.is_relation:
        return _shortcut(field.target_field)  # a foreign key's value is its target's
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return None  # set by pre_save
    if type(field) in _INTEGERS:
        return _Shortcut(int, _database().ops.integerfield_type_map[field.get_internal_type()])
    return _Shortcut(_AS_IS[type(field)], _as_is) if type(field) in _AS_IS else None
