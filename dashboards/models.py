"""What the home pages remember per person: the tasks a leader follows (关注) and when they last came."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Follow(models.Model):
    """A user follows a task (关注): it is listed on their home page whatever its light."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows", verbose_name=_("user")
    )
    task = models.ForeignKey("tasks.Task", on_delete=models.CASCADE, related_name="follows", verbose_name=_("task"))
    created_at = models.DateTimeField(_("followed at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("followed task")
        verbose_name_plural = _("followed tasks")
        constraints = [
            # One row per user and task: following twice (a double click) is following once. Its
            # index also serves the home page's "tasks this user follows".
            models.UniqueConstraint(fields=["user", "task"], name="follow_unique_user_task"),
        ]

    def __str__(self):
        return f"{self.user_id} → {self.task_id}"


class LastVisit(models.Model):
    """When a user last came to their home page (`seen_at`, the start of the current visit) and the
    visit before (`previous_seen_at`): "since your last visit" counts from the latter. A visit is
    the requests within dashboards.services.VISIT_GAP of its start, so reloading the page does not
    empty the list."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="last_visit", verbose_name=_("user")
    )
    seen_at = models.DateTimeField(_("seen at"))
    previous_seen_at = models.DateTimeField(_("previously seen at"), null=True, blank=True)

    class Meta:
        verbose_name = _("last visit")
        verbose_name_plural = _("last visits")

    def __str__(self):
        return f"{self.user_id} @ {self.seen_at:%Y-%m-%d %H:%M}"
