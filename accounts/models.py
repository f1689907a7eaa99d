from django.contrib.auth.models import AbstractUser, Group
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history import register
from simple_history.models import HistoricalRecords


class User(AbstractUser):
    """A person who signs in: a unit liaison or head, supervision-office staff, a leader, an admin.

    What a user may do follows from their unit memberships (units.Membership) and, for leaders,
    their entry in the leader directory (units.Leader).
    """

    full_name = models.CharField(_("full name"), max_length=64, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    # Changes of an account's roles (staff, superuser, active), groups and direct permissions,
    # with who made them and when. The password hash is not copied into history; logins are
    # recorded by django-axes, not here.
    history = HistoricalRecords(
        excluded_fields=["password", "last_login"],
        m2m_fields=["groups", "user_permissions"],
        verbose_name=_("user change"),
        verbose_name_plural=_("user changes"),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.full_name or self.username

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) <= {"last_login"}:
            # A login (django.contrib.auth's update_last_login) changes nothing kept in history.
            self.skip_history_when_saving = True
            try:
                return super().save(*args, **kwargs)
            finally:
                del self.skip_history_when_saving
        return super().save(*args, **kwargs)


# A group's permissions are a role's rights (e.g. the office staff group): changes kept too.
register(Group, app="accounts", m2m_fields=["permissions"])
