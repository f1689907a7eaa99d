"""A task's units as links, for pages that list many tasks."""

from django import template
from django.urls import reverse
from django.utils.html import format_html_join

register = template.Library()

# A large pk put in the URL once, then replaced by each unit's: one reverse() per page, not one
# per link (a 50-task campaign page had some 200 of them).
_SLOT = "2147483647"


@register.simple_tag(takes_context=True)
def unit_links(context, assignments):
    """The assignments' units as links joined by 、 ("—" when none): the HTML of
    tasks/_units.html."""
    if not assignments:
        return "—"
    parts = context.render_context.get("unit_links_url")
    if parts is None:
        prefix, _slot, suffix = reverse("units:detail", args=[_SLOT]).rpartition(_SLOT)
        parts = context.render_context["unit_links_url"] = (prefix, suffix)
    prefix, suffix = parts
    return format_html_join(
        "、", '<a href="{}">{}</a>', ((f"{prefix}{a.unit_id}{suffix}", a.unit.display_name) for a in assignments)
    )
