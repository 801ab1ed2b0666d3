"""Rule set 2027.01 (issue 22): releases of rule set versions, the queue ordered by level then age, and stored
bodies in the 2027.01 canonical form.

The canonical additions are written out here as they were, so that this migration never changes with the
application's code: `context.stopped_heavy_drinking` (false) and `last_known_well` (null).
"""

from django.db import migrations, models

CANONICAL_2027_01 = """
    UPDATE triage_presentation
    SET payload = jsonb_set(payload, '{context,stopped_heavy_drinking}', 'false')
        || jsonb_build_object('last_known_well', payload -> 'last_known_well')
    WHERE NOT (payload -> 'context') ? 'stopped_heavy_drinking' OR NOT payload ? 'last_known_well'
"""
# The queue no longer orders by score within a level (queue_rank = emergency level - level).
QUEUE_BY_LEVEL = "UPDATE triage_presentation SET queue_rank = 3 - level WHERE queue_rank <> 3 - level"


class Migration(migrations.Migration):
    dependencies = [("triage", "0012_no_key_confirmation")]

    operations = [
        migrations.CreateModel(
            name="RuleSetRelease",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("version", models.CharField(max_length=16)),
                ("previous_version", models.CharField(blank=True, max_length=16)),
                (
                    "approved_by",
                    models.CharField(help_text="The clinical safety officer who signed it off.", max_length=150),
                ),
                ("impact_report_sha256", models.CharField(blank=True, max_length=64)),
                ("activated_at", models.DateTimeField()),
            ],
            options={"get_latest_by": "activated_at", "ordering": ["-activated_at"]},
        ),
        migrations.RunSQL(CANONICAL_2027_01, migrations.RunSQL.noop, elidable=False),
        migrations.RunSQL(QUEUE_BY_LEVEL, migrations.RunSQL.noop, elidable=False),
    ]
