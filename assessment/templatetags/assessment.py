from django import template

from assessment import explain

register = template.Library()


@register.filter
def line_label(line: dict) -> str:
    """A stored score line's label in the reader's language."""
    return explain.label(line)


@register.filter
def line_role(line: dict) -> str:
    return explain.role(line)


@register.simple_tag
def score_links(unit, campaign_ids) -> list[tuple[str, str]]:
    """(campaign title, the unit's score page) for each campaign of `campaign_ids` (a unit's home
    page links to how its scores were made): one query."""
    from django.urls import reverse

    from campaigns.models import Campaign

    if not campaign_ids:
        return []
    campaigns = Campaign.objects.filter(pk__in=list(campaign_ids)).order_by("-start_date", "code")
    return [
        (title, reverse("assessment:unit", args=[code, unit.pk]))
        for code, title in campaigns.values_list("code", "title")
    ]
