"""System checks: closed by default must not mean broken by accident, so an action nobody was given roles for
stops `manage.py check` (and every command that runs the checks) instead of quietly answering 403 to everyone."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import AppConfig
from django.core.checks import CheckMessage, Error
from django.urls import URLResolver, get_resolver

from triage.api.permissions import RolesByAction


@dataclass(frozen=True)
class Route:
    name: str  # namespaced, as `reverse` takes it: "api:presentation-list"
    path: str  # as written, from the root: "api/v1/presentations/<uuid:pk>/"
    view: Callable[..., Any]


def routes(patterns: Iterable[Any] | None = None, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    """Every route of the root URLconf (or of `patterns`), includes followed, in URLconf order."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, (namespace, pattern.namespace)))
            yield from routes(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        else:
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name or ""
            yield Route(name, prefix + str(pattern.pattern), pattern.callback)


def unmapped_actions(app_configs: Sequence[AppConfig] | None = None, **kwargs: object) -> list[CheckMessage]:
    """An error for each routed action of a RolesByAction viewset that its `permission_by_action` leaves out."""
    errors: dict[tuple[type, str], Error] = {}
    for route in routes():
        viewset, actions = getattr(route.view, "cls", None), getattr(route.view, "actions", None)
        if actions is None or not issubclass(viewset, RolesByAction):
            continue
        for action in actions.values():
            if action not in viewset.permission_by_action and (viewset, action) not in errors:
                errors[viewset, action] = Error(
                    f"The action {action!r} (route {route.name or route.path}) has no roles: every caller is refused.",
                    hint=f"Name its roles in {viewset.__name__}.permission_by_action, e.g. allow(Role.CLINICIAN).",
                    obj=f"{viewset.__module__}.{viewset.__qualname__}",
                    id="triage.E001",
                )
    return list(errors.values())
