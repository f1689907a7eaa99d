"""Display labels of tasks' and reports' states, for the templates."""

from django import template

from ..selectors.states import STATE_LABELS

register = template.Library()


@register.filter
def state_label(state: str) -> str:
    """A report's state (missing, draft, submitted, returned, accepted) as the pages name it."""
    return STATE_LABELS.get(state, state)
