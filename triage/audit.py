"""Recording and verifying the audit chain.

Every event is appended inside the caller's transaction, so a change and its
event commit or roll back together. A transaction-level advisory lock makes
appends one at a time: no two events can claim the same predecessor (no fork),
and a rolled-back append takes its sequence number with it (no gap).
"""

import hashlib
import json
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone

from triage.client_address import client_address
from triage.models import ApiKey, AuditAction, AuditEvent
from triage.selectors import user_roles

GENESIS_HASH = "0" * 64
# pg_advisory_xact_lock key: any constant that no other part of the service uses.
CHAIN_LOCK = 0x7472696167650001


@dataclass(frozen=True)
class Actor:
    """Who did something, from where: the agent of an audit event."""

    kind: str  # "api_key", "user", "anonymous" or "system"
    name: str = ""
    role: str = ""
    client_ip: str = ""
    user_agent: str = ""
    request_id: str = ""


SYSTEM = Actor(kind="system", name="manage.py")


def actor_for(request: HttpRequest, *, user: Any = None, api_key: ApiKey | None = None) -> Actor:
    """The actor behind a request, authenticated by an API key, a Django user, or nobody."""
    context = {
        "client_ip": client_address(request)[:45],
        "user_agent": request.headers.get("User-Agent", "")[:256],
        "request_id": getattr(request, "request_id", ""),
    }
    if api_key is not None:
        return Actor(kind="api_key", name=api_key.name, role=api_key.role, **context)
    if user is not None and not isinstance(user, AnonymousUser) and getattr(user, "is_authenticated", False):
        return Actor(kind="user", name=user.get_username(), role=",".join(sorted(user_roles(user))), **context)
    return Actor(kind="anonymous", **context)


def audit_record(
    *,
    by: Actor,
    action: AuditAction,
    event_type: str,
    outcome: str = "success",
    status: int | None = None,
    entity_type: str = "",
    entity_id: object = "",
    patient_reference: str = "",
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Append one event to the chain, in the caller's transaction (or as a transaction of its own, in autocommit).

    One database function call (migration 0008): it takes the chain's lock, held until the transaction ends,
    and appends after the head. Callers that change data call this inside their `transaction.atomic()`, so
    that the change and its event are stored together or not at all.
    """
    detail = dict(detail or {})
    if _beyond_plain_json(detail):
        raise ValueError(
            "An audit detail holds strings, booleans, None and integers of at most 64 bits, under string keys: "
            "anything else comes back from the jsonb column changed (1e16 as 10000000000000000, the key 2 as "
            '"2"), and the event would not verify.'
        )
    content = {
        "recorded": timezone.now(),
        "action": str(action),
        "event_type": event_type,
        "outcome": outcome,
        "status": status,
        "agent_type": by.kind,
        "agent_name": by.name[:150],
        "agent_role": by.role,
        "client_ip": by.client_ip,
        "user_agent": by.user_agent,
        "entity_type": entity_type,
        "entity_id": str(entity_id)[:64],  # an id from a URL may be anything: the column's width
        "patient_reference": patient_reference,
        "request_id": by.request_id,
        "detail": detail,
    }
    digest = content_digest(content)  # all the hashing work happens before the chain is locked
    if not settings.AUDIT_HASH_CHAIN:
        # Benchmarks only (AUDIT_HASH_CHAIN=false), to price the chain: a random negative sequence, no predecessor,
        # no lock; it will not verify.
        sequence = -secrets.randbits(62)
        AuditEvent.objects.create(**content, sequence=sequence, prev_hash="", hash=chain_hash("", sequence, digest))
        return
    values = [json.dumps(content["detail"]) if column == "detail" else content[column] for column in COLUMNS]
    with connection.cursor() as cursor:
        cursor.execute(APPEND, [CHAIN_LOCK, GENESIS_HASH, *values, digest])


CHAIN_POSITION = ("sequence", "prev_hash", "hash")
# The columns an append writes itself; the chain position comes from the head (or is made up, unchained).
COLUMNS = [f.column for f in AuditEvent._meta.concrete_fields if f.column not in {"id", *CHAIN_POSITION}]
# The chain's append (migration 0008), its arguments named: a column the function does not know is an error.
APPEND_ARGUMENTS = ", ".join(f"{name} => %s" for name in ("lock_key", "genesis", *COLUMNS, "digest"))
APPEND = f"SELECT triage_audit_append({APPEND_ARGUMENTS})"
CONTENT_FIELDS = (
    "recorded", "action", "event_type", "outcome", "status", "agent_type", "agent_name", "agent_role",
    "client_ip", "user_agent", "entity_type", "entity_id", "patient_reference", "request_id", "detail",
)  # fmt: skip


def content_digest(content: Mapping[str, Any]) -> str:
    """SHA-256 of a canonical JSON serialisation of what an event says (CONTENT_FIELDS: all but its chain position):
    `json.dumps` with sorted keys, compact separators and characters as they are (not escaped to ASCII)."""
    fields = {name: content[name] for name in CONTENT_FIELDS}
    fields["recorded"] = fields["recorded"].astimezone(UTC).isoformat()
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return hashlib.sha256(canonical).hexdigest()


def _beyond_plain_json(value: Any) -> bool:
    """Whether `value` holds a float, an integer beyond 64 bits or a key that is not a string: what the jsonb
    column gives back changed (it keeps numbers as decimals, written without an exponent; every key is a string),
    so that the event would not verify."""
    if isinstance(value, dict):
        return any(not isinstance(key, str) or _beyond_plain_json(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(_beyond_plain_json(item) for item in value)
    return isinstance(value, float) or (isinstance(value, int) and not -(2**63) <= value < 2**64)


def chain_hash(prev_hash: str, sequence: int, digest: str) -> str:
    """The event's hash: SHA-256 over the previous hash, its sequence number and its content digest."""
    return hashlib.sha256(f"{prev_hash}:{sequence}:{digest}".encode()).hexdigest()


def event_hash(event: AuditEvent) -> str:
    """What `event.hash` must be, recomputed from the stored row."""
    return chain_hash(
        event.prev_hash, event.sequence, content_digest({name: getattr(event, name) for name in CONTENT_FIELDS})
    )


@dataclass(frozen=True)
class ChainCheck:
    events: int
    head_hash: str
    first_bad_sequence: int | None = None
    problem: str = ""

    @property
    def intact(self) -> bool:
        return self.first_bad_sequence is None


def audit_verify(batch_size: int = 5000, anchor: tuple[int, str] | None = None) -> ChainCheck:
    """Walk the whole chain in sequence order; name the first event where it breaks.

    `anchor`: a (sequence, hash) that an earlier run reported, kept outside the database. The chain
    must still hold that event with that hash: a chain cut short, or rewritten whole, fails.
    """
    expected_sequence, prev_hash, count = 1, GENESIS_HASH, 0
    for event in _in_sequence(batch_size):
        problem = ""
        if event.sequence != expected_sequence:
            problem = f"expected sequence {expected_sequence}: events are missing, inserted or reordered"
        elif event.prev_hash != prev_hash:
            problem = "prev_hash does not match the previous event's hash"
        elif event_hash(event) != event.hash:
            problem = "hash does not match the event's content"
        elif anchor is not None and event.sequence == anchor[0] and event.hash != anchor[1]:
            problem = "the hash differs from the anchor's: the chain was rewritten up to here"
        if problem:
            return ChainCheck(
                count, prev_hash, first_bad_sequence=min(event.sequence, expected_sequence), problem=problem
            )
        expected_sequence, prev_hash, count = expected_sequence + 1, event.hash, count + 1
    if anchor is not None and anchor[0] == 0 and anchor[1] != GENESIS_HASH:
        return ChainCheck(count, prev_hash, first_bad_sequence=0, problem="an empty chain's anchor is all zeros")
    if anchor is not None and anchor[0] > count:
        problem = f"the chain ends before the anchor's sequence {anchor[0]}: events were deleted from its end"
        return ChainCheck(count, prev_hash, first_bad_sequence=count + 1, problem=problem)
    # The walk starts at 1: a row numbered below (inserted, or written unchained) would go unseen.
    outside = AuditEvent.objects.filter(sequence__lt=1).order_by("sequence").values_list("sequence", flat=True)
    if (sequence := outside.first()) is not None:
        problem = "an event numbered below 1, outside the chain: inserted, or written unchained"
        return ChainCheck(count, prev_hash, first_bad_sequence=sequence, problem=problem)
    return ChainCheck(count, prev_hash)


def _in_sequence(batch_size: int) -> Iterator[AuditEvent]:
    last = 0
    while True:
        batch = list(AuditEvent.objects.filter(sequence__gt=last).order_by("sequence")[:batch_size])
        yield from batch
        if len(batch) < batch_size:
            return
        last = batch[-1].sequence
