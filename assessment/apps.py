from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    """Assessment (考核): scores per unit and period by the campaign's versioned rule table, explained line by line."""

    name = "assessment"
    verbose_name = _("Assessment")
