from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    """What leaders, the office and units look at: home pages by role, dashboards, drill-down lists."""

    name = "dashboards"
    verbose_name = _("Dashboards")
