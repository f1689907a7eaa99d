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
