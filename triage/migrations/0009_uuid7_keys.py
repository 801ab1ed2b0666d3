"""New presentations and assessments take time-ordered ids (UUIDv7); the database is unchanged (no-op)."""

import uuid_utils.compat
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("triage", "0008_audit_append_function"),
    ]

    operations = [
        migrations.AlterField(
            model_name="assessment",
            name="id",
            field=models.UUIDField(default=uuid_utils.compat.uuid7, editable=False, primary_key=True, serialize=False),
        ),
        migrations.AlterField(
            model_name="presentation",
            name="id",
            field=models.UUIDField(default=uuid_utils.compat.uuid7, editable=False, primary_key=True, serialize=False),
        ),
    ]
