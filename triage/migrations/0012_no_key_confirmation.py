"""The audit append without the API key check of migration 0010: keys are looked up on every request (ADR 0011).

Back to migration 0008's function, and `triage_api_key_confirm` dropped; reversible to 0010's.
"""

import importlib

from django.db import migrations

plain = importlib.import_module("triage.migrations.0008_audit_append_function")
confirming = importlib.import_module("triage.migrations.0010_api_key_confirm_function")


class Migration(migrations.Migration):
    dependencies = [("triage", "0011_canonical_payloads")]

    operations = [
        migrations.RunSQL(confirming.DROP_APPEND, confirming.APPEND),
        migrations.RunSQL(plain.CREATE, plain.DROP),
        migrations.RunSQL("DROP FUNCTION triage_api_key_confirm(text, text)", confirming.CONFIRM),
    ]
