"""Display labels of tasks' and reports' states, for the templates."""

from django import template

from ..ledger import states as ledger
from ..selectors.states import STATE_LABELS

register = template.Library()


@register.filter
def state_label(state: str) -> str:
    """A report's state (missing, draft, submitted, returned, accepted) as the pages name it."""
    return STATE_LABELS.get(state, state)


@register.filter
def awaiting_fix(obligation) -> bool:
    """The obligation was returned and its fix is owed (tasks.ledger.states.awaiting_fix)."""
    return ledger.awaiting_fix(obligation)


@register.filter
def fix_overdue_at(obligation, now) -> bool:
    """`{{ obligation|fix_overdue_at:now }}`: its fix is past its deadline (退回未整改)."""
    return bool(now) and ledger.fix_overdue(obligation, now)
