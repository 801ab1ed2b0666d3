from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("triage", "0013_rule_set_releases")]

    operations = [
        migrations.AddField(
            model_name="review",
            name="reviewed_by",
            field=models.CharField(blank=True, default="", max_length=64),
            preserve_default=False,
        ),
    ]
