"""Roles: an API key's own role, or a Django user's groups named after the roles."""

from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from triage.models import ApiKey, Role
from triage.selectors import user_roles


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

    HasRole.__name__ = f"HasRole_{'_'.join(roles)}"
    return HasRole
