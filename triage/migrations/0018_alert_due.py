"""The alerts' outbox as a column of the change itself: a flagged case's alert is due until the worker's sweep
fans it out. Alerts already written (by the earlier outbox) are delivered as before."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("triage", "0017_alerts")]

    operations = [
        migrations.AddField(
            model_name="presentation",
            name="alert_due",
            field=models.BooleanField(default=False, db_default=False, editable=False),
        ),
        migrations.AddIndex(
            model_name="presentation",
            index=models.Index(
                condition=models.Q(("alert_due", True)), fields=["id"], name="presentation_alert_due"
            ),
        ),
    ]
