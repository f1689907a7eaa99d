"""A task's units as links, for pages that list many tasks."""

from django import template
from django.utils.html import format_html_join

from common.urls import url_maker

register = template.Library()


# One reverse() per page, not one per link (a 50-task campaign page had some 200 of them).
@register.simple_tag(takes_context=True)
def unit_links(context, assignments):
    """The assignments' units as links joined by 、 ("—" when none): the HTML of
    tasks/_units.html."""
    if not assignments:
        return "—"
    unit_url = context.render_context.get("unit_links_url")
    if unit_url is None:
        unit_url = context.render_context["unit_links_url"] = url_maker("units:detail")
    return format_html_join(
        "、", '<a href="{}">{}</a>', ((unit_url(a.unit_id), a.unit.display_name) for a in assignments)
    )
