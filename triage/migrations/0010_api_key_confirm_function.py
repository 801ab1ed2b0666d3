"""A database function that confirms, inside a write, that the API key behind it is still live.

A worker may authenticate a POST's key from its own short-lived cache (triage.api.authentication), and so
without reading the key's row. The write then calls this function in its own statement: if the key has been
revoked, has expired or has changed role since, it raises, and the whole statement (rows and audit event)
rolls back. SQLSTATE TT401 is this service's own code, so that it cannot be mistaken for a database error.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION triage_api_key_confirm(key_id text, key_role text) RETURNS void LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM triage_apikey k
        WHERE k.id = key_id AND NOT k.revoked AND k.role = key_role
          AND (k.expiry_date IS NULL OR k.expiry_date >= now())
    ) THEN
        RAISE EXCEPTION 'The API key is no longer live.' USING ERRCODE = 'TT401';
    END IF;
END
$$
"""

DROP = "DROP FUNCTION triage_api_key_confirm(text, text)"


class Migration(migrations.Migration):
    dependencies = [("triage", "0009_uuid7_keys")]

    operations = [migrations.RunSQL(CREATE, DROP)]
