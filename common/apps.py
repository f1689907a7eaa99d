from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    """The ground floor: workbook reading, name matching, the working-day calendar and generic
    admin and form pieces. It imports no other app of the project."""

    name = "common"
    verbose_name = _("Working-day calendar")  # the admin section of its one model
