"""Django's createsuperuser, with the new superuser written to the audit trail."""

from typing import Any

from django.contrib.auth.management.commands import createsuperuser

from triage.audit import SYSTEM
from triage.selectors import user_privileges
from triage.services import privileges_record


class Command(createsuperuser.Command):
    """A superuser is the most privileged party there is: its creation is a `user.create` event, as in the admin.

    Django's command asks for the username and password before it creates the user, and the
    database ends a transaction left idle that long, so the user is committed first and the event
    written after it; if the event cannot be written, the user is deleted again and the error raised.
    """

    def handle(self, *args: Any, **options: Any) -> None:
        users = self.UserModel._default_manager.db_manager(options["database"])
        existing = set(users.values_list("pk", flat=True))
        super().handle(*args, **options)
        for user in users.exclude(pk__in=existing):
            try:
                after = user_privileges(user)
                privileges_record(entity_type="User", name=user.get_username(), before=None, after=after, by=SYSTEM)
            except BaseException:
                user.delete()
                raise
