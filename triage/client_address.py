"""Where a request came from, as every per-address rule here sees it: throttles, the admin's lockout, the audit."""

from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle


def client_address(request: HttpRequest) -> str:
    """The connection's address (`REMOTE_ADDR`), never a header the client wrote.

    Behind trusted proxies (`DJANGO_TRUSTED_PROXIES`, DRF's `NUM_PROXIES`), the address the outermost of them
    appended to `X-Forwarded-For`; entries further left were written by the client and are ignored. This is
    DRF's own way of identifying throttled clients, shared so that every per-address rule agrees.
    """
    return BaseThrottle().get_ident(request) or ""  # no REMOTE_ADDR: a request made in-process
