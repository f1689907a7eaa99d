"""Templates ask accounts.access what the user may do, as views do, and never decide by role.

- the filter `can` for an action that needs no object: `{% if user|can:"review" %}`;
- the tag `can` for an action on an object, its answer kept under a name:
  `{% can user "answer" notice as may_answer %}{% if may_answer %}…{% endif %}`.

Both take an action of access.ACTIONS; an unknown one raises ValueError, as access.can does.
"""

from django import template

from accounts import access

register = template.Library()


@register.filter(name="can")
def can_filter(user, action):
    """Whether the user may take `action` (no object)."""
    return access.can(user, action)


@register.simple_tag(name="can")
def can_tag(user, action, obj=None):
    """Whether the user may take `action` on `obj`."""
    return access.can(user, action, obj)
