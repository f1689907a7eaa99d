from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("Supervision")

    def ready(self):
        # Urges and notices go on the task timeline: tasks offers the hook, supervision (above it)
        # plugs in. register_timeline_source ignores a second registration (ready() may run twice).
        from tasks.selectors.timeline import register_timeline_source

        from .timeline import ACTIONS, supervision_events

        register_timeline_source(supervision_events, actions=ACTIONS)
