from django.conf import settings
from django.db import models

from tongzheng.core.access import ScopeFields
from tongzheng.core.timed import TimedTask, TimedTaskQuerySet

PERMISSION = "timedtest.handle_errand"


class Errand(TimedTask):
    """A concrete timed task for the tests of ``tongzheng.core.timed``."""

    title = models.CharField(max_length=100)
    organisation = models.ForeignKey("core.Organisation", on_delete=models.CASCADE)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True
    )

    objects = TimedTaskQuerySet.as_manager()
    scope_fields = ScopeFields(organisation="organisation", owner="handler")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"/errands/{self.pk}/"

    @classmethod
    def inbox_for_user(cls, user):
        return cls.objects.for_user(user, PERMISSION).open().order_by("due_at")
