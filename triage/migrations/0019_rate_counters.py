"""Rate counters shared by every app instance (triage.counters, ADR 0016).

UNLOGGED: a counter is worth no WAL; after a crash PostgreSQL empties the table and the limits start afresh.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("triage", "0018_alert_due")]

    operations = [
        migrations.CreateModel(
            name="RateCounter",
            fields=[
                ("key", models.TextField(primary_key=True, serialize=False)),
                ("window_start", models.BigIntegerField()),
                ("count", models.IntegerField()),
                ("ends_at", models.DateTimeField()),
            ],
            options={"db_table": "triage_rate_counter"},
        ),
        migrations.RunSQL(
            "ALTER TABLE triage_rate_counter SET UNLOGGED", "ALTER TABLE triage_rate_counter SET LOGGED"
        ),
    ]
