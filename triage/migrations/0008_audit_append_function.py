"""The audit chain's append as one database function: it takes the chain's lock, then reads the head and inserts
after it. One statement where there were two (the lock, then the append), so that an audit event, and with it a
POST's whole write, is a single statement: its own transaction in autocommit, with no batch around it.

The lock must come before the head is read, in a snapshot taken after the lock was granted: inside a VOLATILE
function, each statement takes a fresh snapshot (read committed), which one SQL statement could not do for its
own parts. The parameters carry the audit table's content columns by name, and are called by name
(triage.audit.APPEND), so a column added to the model without a new version of this function fails every append.
Types are the widest that fit each column (integer for the smallint status): a literal or a parameter of a
narrower type is cast up when the function is resolved, never down.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION triage_audit_append(
    lock_key bigint, genesis text, recorded timestamptz, action text, event_type text, outcome text,
    status integer, agent_type text, agent_name text, agent_role text, client_ip text, user_agent text,
    entity_type text, entity_id text, patient_reference text, request_id text, detail jsonb, digest text
) RETURNS void LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
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

DROP = """
DROP FUNCTION triage_audit_append(
    bigint, text, timestamptz, text, text, text, integer, text, text, text, text, text, text, text, text, text,
    jsonb, text
)
"""


class Migration(migrations.Migration):
    dependencies = [("triage", "0007_fewer_write_indexes")]

    operations = [migrations.RunSQL(CREATE, DROP)]
