from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    """Excel exports of the ledger, weekly summary, missing-units list and ranking, streamed and recorded."""

    name = "exports"
    verbose_name = _("Exports")
