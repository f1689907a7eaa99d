from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .sessions import mark_renewed

        user_logged_in.connect(mark_renewed, dispatch_uid="accounts.sessions.mark_renewed")
