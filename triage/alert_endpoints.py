"""Alert endpoints, managed as a webhook provider manages its receivers: made, changed, disabled, their secret
rotated, each change audited (issue 23). Delivery is triage.alerts' (the worker's).

An alert is an outbound request the service makes on its own: without debug, or `ALERT_ALLOW_INSECURE_URLS`,
only HTTPS to public addresses is allowed, checked where the name resolves, so that an endpoint cannot be
pointed at the service's own network (SSRF).
"""

import base64
import ipaddress
import secrets
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction

from triage.audit import Actor, audit_record
from triage.models import ALERT_LEVELS, AlertEndpoint, AlertEvent, AuditAction

SECRET_PREFIX = "whsec_"  # noqa: S105 (the Standard Webhooks prefix, not a secret)


class EndpointRefused(ValueError):
    """An endpoint that may not be registered: the message says why."""


def new_secret() -> str:
    """A Standard Webhooks signing secret: `whsec_` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def insecure_urls_allowed() -> bool:
    return settings.DEBUG or settings.ALERT_ALLOW_INSECURE_URLS


def url_refusal(url: str) -> str | None:
    """Why an alert may not be sent to `url`, or None. Every address the name resolves to must be public."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "Must be an http(s) URL with a host."
    if insecure_urls_allowed():
        return None
    if parts.scheme != "https":
        return "Must be HTTPS (plain HTTP needs ALERT_ALLOW_INSECURE_URLS=true)."
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 443)}
    except (socket.gaierror, UnicodeError):
        return f"The host {parts.hostname} does not resolve."
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if not ip.is_global or ip.is_multicast:
            return f"The host resolves to a non-public address ({ip}): refused unless ALERT_ALLOW_INSECURE_URLS=true."
    return None


def _codes(given: Iterable[str], allowed: Iterable[str], what: str) -> list[str]:
    allowed = list(allowed)
    chosen = list(dict.fromkeys(code.strip() for code in given if code.strip()))
    unknown = [code for code in chosen if code not in allowed]
    if unknown or not chosen:
        raise EndpointRefused(f"{what}: choose from {', '.join(allowed)} (got {', '.join(unknown) or 'none'}).")
    return [code for code in allowed if code in chosen]  # in the vocabulary's order


def endpoint_create(
    *, name: str, url: str, events: Iterable[str], levels: Iterable[str], by: Actor
) -> tuple[AlertEndpoint, str]:
    """Register an endpoint; returns it with its signing secret, which is shown this once."""
    refusal = url_refusal(url)
    if refusal:
        raise EndpointRefused(f"URL refused: {refusal}")
    if AlertEndpoint.objects.filter(name=name).exists():
        raise EndpointRefused(f"An alert endpoint named {name!r} exists already.")
    endpoint = AlertEndpoint(
        name=name,
        url=url,
        secret=new_secret(),
        events=_codes(events, AlertEvent.values, "events"),
        levels=_codes(levels, ALERT_LEVELS, "levels"),
    )
    with transaction.atomic():
        endpoint.save()
        _record(endpoint, "alert_endpoint.create", AuditAction.CREATE, by)
    return endpoint, endpoint.secret


def endpoint_secret_rotate(*, endpoint: AlertEndpoint, by: Actor) -> str:
    """A new signing secret, from now on; returned this once."""
    endpoint.secret = new_secret()
    with transaction.atomic():
        endpoint.save(update_fields=["secret"])
        _record(endpoint, "alert_endpoint.rotate_secret", AuditAction.UPDATE, by)
    return endpoint.secret


def endpoint_update(*, endpoint: AlertEndpoint, by: Actor) -> None:
    """Store an endpoint changed in the admin (its URL checked again)."""
    refusal = url_refusal(endpoint.url)
    if refusal:
        raise EndpointRefused(f"URL refused: {refusal}")
    endpoint.events = _codes(endpoint.events, AlertEvent.values, "events")
    endpoint.levels = _codes(endpoint.levels, ALERT_LEVELS, "levels")
    with transaction.atomic():
        endpoint.save()
        _record(endpoint, "alert_endpoint.update", AuditAction.UPDATE, by)


def endpoint_delete(*, endpoint: AlertEndpoint, by: Actor) -> None:
    with transaction.atomic():
        _record(endpoint, "alert_endpoint.delete", AuditAction.DELETE, by)
        endpoint.delete()


def _record(endpoint: AlertEndpoint, event_type: str, action: AuditAction, by: Actor) -> None:
    # What the endpoint is, never its secret.
    audit_record(
        by=by,
        action=action,
        event_type=event_type,
        entity_type="AlertEndpoint",
        entity_id=endpoint.pk,
        detail={
            "name": endpoint.name,
            "url": endpoint.url,
            "events": ",".join(endpoint.events),
            "levels": ",".join(endpoint.levels),
            "enabled": endpoint.enabled,
        },
    )
