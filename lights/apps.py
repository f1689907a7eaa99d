from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LightsConfig(AppConfig):
    """Traffic lights (红黄绿灯): each task's colour by the campaign's rules, explained, kept per week."""

    name = "lights"
    verbose_name = _("Traffic lights")

    def ready(self):
        # tasks offers the hooks and lights (above it) plugs in: the services of tasks call
        # tasks_changed in their transactions, and the task page shows the light panel.
        # Both registrations ignore a second one (ready() may run twice).
        from tasks.changes import register_task_change_handler, register_tasks_deleted_handler
        from tasks.selectors.task_page import register_task_panel

        from .panel import light_panel
        from .services import refresh_on_change
        from .weeks import recount_campaigns

        register_task_change_handler(refresh_on_change)
        register_tasks_deleted_handler(recount_campaigns)
        register_task_panel(light_panel)
