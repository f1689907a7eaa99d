"""How the dashboards write their figures: a rate as "87.5%" (or "—" when nothing was owed)."""

from django import template
from django.template.defaultfilters import floatformat

register = template.Library()


@register.filter
def percent(value):
    """A percentage to one decimal place ("—" for None: nothing to rate)."""
    if value is None or value == "":
        return "—"
    return f"{floatformat(value, -1)}%"
