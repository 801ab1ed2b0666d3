"""Database helpers for the write hot path: fewer round trips and less ORM work than `Model.objects.create()`."""

import contextlib
from collections.abc import Iterator
from functools import cache

from django.db import connection, models


@contextlib.contextmanager
def pipelined() -> Iterator[None]:
    """Send the statements run inside as one batch (psycopg's pipeline mode) and read their results together.

    Nothing changes but the timing: the server runs the statements in order, each with its own
    snapshot, and the results (or the first error, as Django's exception) arrive at the first
    fetch or at the end of the block. Use it inside `transaction.atomic()`, so an error rolls back.
    """
    connection.ensure_connection()
    with connection.wrap_database_errors, connection.connection.pipeline():
        yield


def insert_new(*instances: models.Model) -> None:
    """INSERT new rows, one per instance, in a single statement.

    For instances whose primary keys are set in Python and that need nothing back
    from the database. Foreign keys are deferred on PostgreSQL, so rows may refer
    to each other in either order. Fields are prepared as `save()` would prepare them.
    """
    statements, params = [], []
    for instance in instances:
        sql, fields = _insert_statement(type(instance))
        statements.append(sql)
        params += [field.get_db_prep_save(field.pre_save(instance, add=True), connection) for field in fields]
    # One statement: each INSERT but the last runs as a data-modifying WITH clause.
    with_clauses = ", ".join(f"_row{n} AS ({sql})" for n, sql in enumerate(statements[:-1]))
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {with_clauses} {statements[-1]}" if with_clauses else statements[-1], params)
    for instance in instances:
        instance._state.adding, instance._state.db = False, connection.alias


@cache
def _insert_statement(model: type[models.Model]) -> tuple[str, list[models.Field]]:
    fields = list(model._meta.concrete_fields)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    table = quote(model._meta.db_table)
    return f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", fields  # noqa: S608 (names are the model's)
