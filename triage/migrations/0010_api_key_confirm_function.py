"""The audit append confirms, once it holds the chain's lock, that the API key behind the event is still live.

A worker may authenticate a POST's key from its own short-lived cache (triage.api.authentication, ADR 0009),
without reading the key's row. The POST's audit append then confirms the key in the same statement: if the key
has been revoked, has expired or has changed role, the append raises (as `triage_api_key_confirm`, for the
benchmark's unchained appends, does), and the whole statement (rows and audit event) rolls back. SQLSTATE TT401 is this service's own, so it cannot pass for a database error.

The append confirms after taking the chain's lock, in a snapshot taken then: a revocation appends its own
event under the same lock, so a POST waiting on it sees it committed, and no event lands after the revocation's
in the name of the revoked key. `key_id` and `key_role` are the append's last parameters, NULL (no check) unless
given. Everything else is the function of migration 0008, whose signature it replaces.
"""

import importlib

from django.db import migrations

previous = importlib.import_module("triage.migrations.0008_audit_append_function")

CONFIRM = """
CREATE FUNCTION triage_api_key_confirm(key_id text, key_role text) RETURNS void LANGUAGE plpgsql VOLATILE AS $$
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

APPEND = """
CREATE FUNCTION triage_audit_append(
    lock_key bigint, genesis text, recorded timestamptz, action text, event_type text, outcome text,
    status integer, agent_type text, agent_name text, agent_role text, client_ip text, user_agent text,
    entity_type text, entity_id text, patient_reference text, request_id text, detail jsonb, digest text,
    key_id text DEFAULT NULL, key_role text DEFAULT NULL
) RETURNS void LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    -- triage_api_key_confirm's check, written out: a call would cost more, with the lock held.
    IF key_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM triage_apikey k
        WHERE k.id = key_id AND NOT k.revoked AND k.role = key_role
          AND (k.expiry_date IS NULL OR k.expiry_date >= now())
    ) THEN
        RAISE EXCEPTION 'The API key is no longer live.' USING ERRCODE = 'TT401';
    END IF;
    WITH head AS (SELECT e.sequence, e.hash FROM triage_auditevent e ORDER BY e.sequence DESC LIMIT 1),
         position AS (SELECT COALESCE((SELECT h.sequence FROM head h), 0) + 1 AS sequence,
                             COALESCE((SELECT h.hash FROM head h), genesis) AS prev_hash)
    INSERT INTO triage_auditevent (
        recorded, action, event_type, outcome, status, agent_type, agent_name, agent_role, client_ip, user_agent,
        entity_type, entity_id, patient_reference, request_id, detail, sequence, prev_hash, hash
    )
    SELECT recorded, action, event_type, outcome, status, agent_type, agent_name, agent_role, client_ip, user_agent,
           entity_type, entity_id, patient_reference, request_id, detail, p.sequence, p.prev_hash,
           encode(sha256(convert_to(p.prev_hash || ':' || p.sequence || ':' || digest, 'UTF8')), 'hex')
    FROM position p;
END
$$
"""

DROP_APPEND = """
DROP FUNCTION triage_audit_append(
    bigint, text, timestamptz, text, text, text, integer, text, text, text, text, text, text, text, text, text,
    jsonb, text, text, text
)
"""


class Migration(migrations.Migration):
    dependencies = [("triage", "0009_uuid7_keys")]

    operations = [
        migrations.RunSQL(CONFIRM, "DROP FUNCTION triage_api_key_confirm(text, text)"),
        migrations.RunSQL(previous.DROP, previous.CREATE),
        migrations.RunSQL(APPEND, DROP_APPEND),
    ]
