"""{% load lights %}: a light as a badge with its explanation in words (never colour alone)."""

from django import template

from .. import explain as explaining

register = template.Library()


@register.filter
def explain(reasons) -> list[str]:
    """A light's stored reasons as sentences in the reader's language, worst first."""
    return explaining.sentences(reasons)


@register.filter
def light_label(light) -> str:
    """红灯, 黄灯, 绿灯 or 已办结."""
    return explaining.label(light)


@register.inclusion_tag("lights/_badge.html")
def light_badge(light, reasons=None, brief=False):
    """The light's badge (its name in words) followed by its reasons; `brief`: the worst only."""
    sentences = explaining.sentences(reasons)
    return {
        "light": light, "label": explaining.label(light), "sentences": sentences[:1] if brief else sentences,
        "more": len(sentences) - 1 if brief and len(sentences) > 1 else 0,
    }  # fmt: skip
