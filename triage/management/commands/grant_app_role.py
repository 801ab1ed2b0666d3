"""`manage.py grant_app_role ROLE`: the role the web process and the worker connect as, granted only what they use.

Run as the schema owner, after every `migrate` (ADR 0015). The role may read and write every table but append-only
ones, which it may only read and append to, and the migration history, which it may only read; it owns nothing,
so it cannot drop or disable a trigger, and it is no superuser, so it cannot set `session_replication_role`.
"""

import os
from collections import defaultdict
from typing import Any

import pgtrigger
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from psycopg import sql

PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE")  # never TRUNCATE, REFERENCES or TRIGGER: the app uses none
ROLE_ATTRIBUTES = sql.SQL("LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS")


def refused_writes() -> dict[str, set[str]]:
    """The writes refused on each table, by table name: what an unconditional `pgtrigger.Protect` refuses (the
    audit trail's UPDATE and DELETE), and every write to the migration history, which only `migrate` keeps."""
    refused: dict[str, set[str]] = defaultdict(set)
    for model, trigger in pgtrigger.registered():
        # A conditional Protect (a ReadOnly on some fields) lets some changes through: the app may need those.
        if isinstance(trigger, pgtrigger.Protect) and trigger.get_condition(model) is None:
            refused[model._meta.db_table] |= {str(operation) for operation in trigger.operation}
    refused[MigrationRecorder.Migration._meta.db_table] |= {"INSERT", "UPDATE", "DELETE"}
    return refused


def table_privileges(tables: list[str]) -> dict[str, tuple[str, ...]]:
    """What the app role is granted on each of `tables`: PRIVILEGES, less the writes refused on it."""
    refused = refused_writes()
    return {table: tuple(p for p in PRIVILEGES if p not in refused[table]) for table in tables}


class Command(BaseCommand):
    help = (
        "Create (or bring back into line) the database role the web process and the worker connect as, and grant "
        "it only what they use: no superuser, owns nothing, reads and appends to the audit trail but never changes "
        "it. Run as the schema owner after every migrate: a table that a migration adds is granted nothing until "
        "then (there are no default privileges, so that each table's grants follow its model's triggers)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("role", help="The role's name, e.g. triage_app")
        parser.add_argument(
            "--password-env",
            metavar="VAR",
            help="Set the role's password from this environment variable (not an argument: a process list shows "
            "those). Without it, an existing role keeps its password and a new one has none.",
        )

    def handle(self, *args: Any, role: str, password_env: str | None, **options: Any) -> None:
        password = None
        if password_env is not None:
            password = os.environ.get(password_env, "")
            if not password:
                raise CommandError(f"The environment variable {password_env} is unset or empty.")
        name = sql.Identifier(role)
        with transaction.atomic(), connection.cursor() as cursor:  # all of it or none: no half-granted role
            cursor.execute("SELECT current_user, current_schema(), current_database()")
            owner, schema, database = cursor.fetchone()
            if role == owner:
                raise CommandError(f"{role} is the user running this command: the app role must not be the owner.")
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            verb = sql.SQL("ALTER ROLE" if cursor.fetchone() else "CREATE ROLE")
            self._refuse_what_it_would_inherit_or_own(cursor, role)
            self._run(cursor, sql.SQL("{} {} {}").format(verb, name, ROLE_ATTRIBUTES))
            if password is not None:
                # Hashed here (SCRAM), so the password itself reaches neither the server nor its statement log.
                hashed = connection.connection.pgconn.encrypt_password(password.encode(), role.encode())
                self._run(cursor, sql.SQL("ALTER ROLE {} PASSWORD {}").format(name, sql.Literal(hashed.decode())))
            self._run(cursor, sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), name))
            self._run(cursor, sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sql.Identifier(schema), name))
            granted, sequences = self._grant_tables(cursor, name)
            # Procrastinate's functions and the audit append: PUBLIC may run them by default, a hardened database not.
            functions = sql.SQL("GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA {} TO {}")
            self._run(cursor, functions.format(sql.Identifier(schema), name))
            cursor.execute("SELECT has_schema_privilege(%s, %s, 'CREATE')", [role, schema])
            can_create = cursor.fetchone()[0]
        self._report(role, granted, len(sequences), schema, can_create)

    def _grant_tables(self, cursor: Any, name: sql.Identifier) -> tuple[dict[str, tuple[str, ...]], list[str]]:
        """Grant each table's privileges (table_privileges) and USAGE on its sequences; return both."""
        granted = table_privileges([table.name for table in connection.introspection.get_table_list(cursor)])
        sequences = []
        for table, privileges in granted.items():
            # Everything taken back first, so that a grant made by hand since the last run does not outlive it.
            self._run(cursor, sql.SQL("REVOKE ALL ON TABLE {} FROM {}").format(sql.Identifier(table), name))
            listed = sql.SQL(", ").join(map(sql.SQL, privileges))
            self._run(cursor, sql.SQL("GRANT {} ON TABLE {} TO {}").format(listed, sql.Identifier(table), name))
            sequences += [sequence["name"] for sequence in connection.introspection.get_sequences(cursor, table)]
        for sequence in sequences:
            # USAGE for nextval(); not UPDATE, which would let setval() rewind one.
            self._run(cursor, sql.SQL("REVOKE ALL ON SEQUENCE {} FROM {}").format(sql.Identifier(sequence), name))
            self._run(cursor, sql.SQL("GRANT USAGE ON SEQUENCE {} TO {}").format(sql.Identifier(sequence), name))
        return granted, sequences

    def _refuse_what_it_would_inherit_or_own(self, cursor: Any, role: str) -> None:
        cursor.execute(
            "SELECT array_agg(r.rolname ORDER BY r.rolname) FROM pg_auth_members m "
            "JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = %s",
            [role],
        )
        if memberships := cursor.fetchone()[0]:
            # pg_write_all_data, or the owner's role, would give back everything withheld here.
            raise CommandError(f"{role} is a member of {', '.join(memberships)}: revoke that first.")
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = %s", [role]
        )
        if owned := cursor.fetchone()[0]:
            # An owner can alter its tables, and disable or drop their triggers.
            raise CommandError(f"{role} owns {owned} tables, sequences or indexes here: the app role must own none.")

    def _run(self, cursor: Any, statement: sql.Composed) -> None:
        cursor.execute(statement.as_string(connection.connection))

    def _report(
        self, role: str, granted: dict[str, tuple[str, ...]], sequences: int, schema: str, can_create: bool
    ) -> None:
        by_privileges: dict[tuple[str, ...], list[str]] = defaultdict(list)
        for table, privileges in sorted(granted.items()):
            by_privileges[privileges].append(table)
        for privileges, tables in sorted(by_privileges.items(), key=lambda item: -len(item[1])):
            named = f"{len(tables)} tables" if len(tables) > 3 else ", ".join(tables)
            self.stdout.write(f"{role}: {', '.join(privileges)} on {named}")
        self.stdout.write(f"{role}: USAGE on {sequences} sequences, EXECUTE on the functions in schema {schema}")
        if can_create:
            # PUBLIC's CREATE on the schema, the default before PostgreSQL 15: the app could add its own objects.
            self.stderr.write(
                f"{role} can still create objects in schema {schema} (through PUBLIC): "
                f"REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC"
            )
