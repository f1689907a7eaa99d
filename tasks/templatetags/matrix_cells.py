"""The compliance matrix's cells, written in one go: a page has hundreds of them, and a template
loop over each cell's few attributes costs more than the rest of the page (tasks.selectors.matrix
gives the cells; this module only writes them)."""

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()


@register.simple_tag
def matrix_cells(cells) -> str:
    """`{% matrix_cells row.cells %}`: a row's units and their states, as a list."""
    items = format_html_join(
        "",
        '<li class="matrix-cell matrix-{}{}" data-state="{}" title="{}"><i class="bi {}"></i> {}'
        '<span class="visually-hidden">: {}</span></li>',
        (
            (cell.state, " matrix-late" if cell.late else "", cell.state, cell.caption, cell.icon,
             cell.unit.display_name, cell.caption)
            for cell in cells
        ),
    )  # fmt: skip
    return format_html('<ul class="matrix-units">{}</ul>', items)
