"""Indexes no read needs, each written by every POST: the single-column indexes of two foreign keys, which
composite indexes already lead with, and the LIKE index Django adds beside a unique CharField (the audit hash,
unique now by a constraint, which has none).

Django would do this by dropping and re-adding both foreign keys (checking every row again) and rebuilding the
hash's unique index, holding exclusive locks on the busiest tables meanwhile. The database needs none of that:
the indexes are dropped concurrently and the unique constraint is only renamed, so the migration runs on a live
database without blocking intake. The names are the ones Django and PostgreSQL gave them in 0001 and 0003.
"""

import django.db.models.deletion
from django.db import migrations, models

DROPPED = {  # index: how to build it again, if the migration is reversed
    "triage_presentation_client_id_c5245555": "triage_presentation (client_id)",
    "triage_presentation_client_id_c5245555_like": "triage_presentation (client_id varchar_pattern_ops)",
    "triage_assessment_presentation_id_cd002c6d": "triage_assessment (presentation_id)",
    "triage_auditevent_hash_c2d03b2a_like": "triage_auditevent (hash varchar_pattern_ops)",
}

database_operations = [
    migrations.RunSQL(
        f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"', f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "{name}" ON {target}'
    )
    for name, target in DROPPED.items()
] + [
    migrations.RunSQL(
        "ALTER TABLE triage_auditevent RENAME CONSTRAINT triage_auditevent_hash_key TO audit_unique_hash",
        "ALTER TABLE triage_auditevent RENAME CONSTRAINT audit_unique_hash TO triage_auditevent_hash_key",
    )
]

state_operations = [
    migrations.AlterField(
        model_name="assessment",
        name="presentation",
        field=models.ForeignKey(
            db_index=False,
            on_delete=django.db.models.deletion.PROTECT,
            related_name="assessments",
            to="triage.presentation",
        ),
    ),
    migrations.AlterField(
        model_name="auditevent",
        name="hash",
        field=models.CharField(editable=False, max_length=64),
    ),
    migrations.AlterField(
        model_name="presentation",
        name="client",
        field=models.ForeignKey(
            blank=True,
            db_index=False,
            null=True,
            on_delete=django.db.models.deletion.PROTECT,
            related_name="presentations",
            to="triage.apikey",
        ),
    ),
    migrations.AddConstraint(
        model_name="auditevent",
        constraint=models.UniqueConstraint(fields=("hash",), name="audit_unique_hash"),
    ),
]


class Migration(migrations.Migration):
    atomic = False  # CONCURRENTLY cannot run inside a transaction

    dependencies = [
        ("triage", "0006_orjson_fields"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(database_operations=database_operations, state_operations=state_operations)
    ]
