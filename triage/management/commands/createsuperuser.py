"""Django's createsuperuser, with the new superuser written to the audit trail."""

from typing import Any

from django.contrib.auth.management.commands import createsuperuser
from django.db.models.signals import post_save

from triage.audit import SYSTEM
from triage.selectors import user_privileges
from triage.services import privileges_record


class Command(createsuperuser.Command):
    """A superuser is the most privileged party there is: its creation is a `user.create` event, as in the admin.

    Django's command asks for the username and password before it creates the user, and the
    database ends a transaction left idle that long, so the user is committed first and the event
    written after it, even if the command is then interrupted; if the event cannot be written, the
    user is deleted again and the error raised.
    """

    def handle(self, *args: Any, **options: Any) -> None:
        made = []

        # Listening only while Django's command runs, in this process: the user it inserts, and no other.
        def remember(sender: type, instance: Any, created: bool, **kwargs: Any) -> None:
            if created:
                made.append(instance)

        post_save.connect(remember, sender=self.UserModel, weak=False)
        try:
            super().handle(*args, **options)
        finally:
            post_save.disconnect(remember, sender=self.UserModel)
            for user in made:
                try:
                    after = user_privileges(user)
                    privileges_record(entity_type="User", name=user.get_username(), before=None, after=after, by=SYSTEM)
                except BaseException:
                    user.delete()
                    raise
