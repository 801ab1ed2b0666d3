"""Roles: an API key's own role, or a Django user's groups named after the roles."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.permissions import BasePermission, IsAuthenticated

from triage.models import ApiKey, Role
from triage.selectors import user_roles

if TYPE_CHECKING:  # for annotations only: DRF's settings import this module (DEFAULT_PERMISSION_CLASSES)
    from rest_framework.request import Request
    from rest_framework.views import APIView


def caller_roles(request: Request) -> frozenset[str]:
    if isinstance(request.auth, ApiKey):
        return frozenset({request.auth.role})
    user = request.user
    if not user or not user.is_authenticated:
        return frozenset()
    return user_roles(user)


def intake_client(request: Request) -> ApiKey | None:
    """The API key whose presentations the caller is limited to, or None for a role that sees all."""
    if isinstance(request.auth, ApiKey) and request.auth.role == Role.INTAKE:
        return request.auth
    return None


def allow(*roles: Role) -> type[BasePermission]:
    """A permission class letting in callers that hold any of `roles`."""

    class HasRole(BasePermission):
        message = f"This needs the {' or '.join(roles)} role."

        def has_permission(self, request: Request, view: APIView) -> bool:
            return bool(caller_roles(request) & set(roles))

    HasRole.roles = frozenset(roles)
    HasRole.__name__ = f"HasRole_{'_'.join(roles)}"
    return HasRole


class NoRoleGiven(BasePermission):
    """The default (DEFAULT_PERMISSION_CLASSES): a view or action nobody was given a role for is closed to all."""

    message = "No role may do this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return False


class RolesByAction:
    """A viewset whose `permission_by_action` names the roles of each action; an action missing from it is
    closed to everyone (and `triage.checks` refuses to start)."""

    permission_by_action: dict[str, type[BasePermission]] = {}

    def get_permissions(self) -> list[BasePermission]:
        if self.action is None:
            # A method the viewset does not route: an authenticated caller is answered DRF's 405.
            return [IsAuthenticated()]
        if self.action == "metadata":
            # OPTIONS describes the viewset's endpoints: to a caller who may use any of them.
            return [allow(*{role for permission in self.permission_by_action.values() for role in permission.roles})()]
        return [self.permission_by_action.get(self.action, NoRoleGiven)()]
