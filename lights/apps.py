from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LightsConfig(AppConfig):
    """Traffic lights (红黄绿灯): each task's colour by the campaign's rules, explained, kept per week."""

    name = "lights"
    verbose_name = _("Traffic lights")
