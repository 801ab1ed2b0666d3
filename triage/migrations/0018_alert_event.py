"""Alerts fanned out by the worker from one job per change: each alert names its change (event_id), once per
endpoint. Alerts written before this were one per change and endpoint already: each is its own event."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("triage", "0017_alerts")]

    operations = [
        migrations.AddField(model_name="alert", name="event_id", field=models.UUIDField(editable=False, null=True)),
        migrations.RunSQL("UPDATE triage_alert SET event_id = id", migrations.RunSQL.noop),
        migrations.AlterField(model_name="alert", name="event_id", field=models.UUIDField(editable=False)),
        migrations.AddConstraint(
            model_name="alert",
            constraint=models.UniqueConstraint(fields=["event_id", "endpoint"], name="alert_once_per_event_endpoint"),
        ),
    ]
