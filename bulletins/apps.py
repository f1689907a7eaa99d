from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BulletinsConfig(AppConfig):
    """The office's bulletin (督查通报): drafted from the ledger, edited, published with an issue number, downloadable as .docx."""

    name = "bulletins"
    verbose_name = _("Bulletins")
