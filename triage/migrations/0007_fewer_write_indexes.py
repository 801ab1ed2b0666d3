"""Indexes no read needs, each written by every POST: the single-column indexes of two foreign keys, which
composite indexes already lead with, and the LIKE index Django adds beside a unique CharField (the audit hash,
unique now by a constraint, which has none)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("triage", "0006_orjson_fields"),
    ]

    operations = [
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
