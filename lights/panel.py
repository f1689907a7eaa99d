"""The light panel of the task page (registered with tasks.selectors.task_page in LightsConfig.ready()):
the task's light, why, and its light week by week. Two queries."""

from __future__ import annotations

from accounts import access
from tasks.selectors.task_page import TaskPanel

from .models import Attention, Light, TaskLight
from .selectors import history


def light_panel(user, task, now) -> TaskPanel:
    stored = access.visible_to(user, TaskLight).filter(task=task).first()
    if task.status == "closed":
        light, reasons = Light.CLOSED, stored.reasons if stored and stored.light == Light.CLOSED else []
    elif stored is None:
        light, reasons = Light.GREEN, []
    else:
        light, reasons = stored.light, stored.reasons
    can_mark = access.can(user, "mark_attention")
    marked = can_mark and Attention.objects.filter(task=task).exists()
    return TaskPanel(
        "lights/_panel.html",
        {
            "task": task, "light": light, "reasons": reasons, "stored": stored, "weeks": history(task),
            "can_mark": can_mark and task.status == "open", "marked": marked,
        },
    )  # fmt: skip
