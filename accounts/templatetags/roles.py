"""Role checks for templates, e.g. `{% if request.user|is_office %}` to show office-only links."""

from django import template

from accounts import roles

register = template.Library()


@register.filter
def is_office(user):
    return roles.is_office(user)


@register.filter
def is_leader(user):
    return roles.is_leader(user)


@register.filter
def has_units(user):
    """Liaison or head of at least one unit: the user has a workspace."""
    return bool(roles.member_unit_ids(user))
