"""The geometry of the small inline bar chart of an indicator on the task page (an SVG drawn by
the template): one bar per period, scaled to the larger of the target and the highest value, and
a line at the target. The selectors give the values (tasks.selectors.task_page.IndicatorSeries);
this module decides where they are drawn."""

from __future__ import annotations

from dataclasses import dataclass

from django import template

register = template.Library()

# Drawing sizes, in SVG units: a bar's width, the gap after it, the chart's height.
BAR, GAP, HEIGHT = 14, 4, 60


@dataclass(frozen=True)
class Bar:
    point: object  # an IndicatorPoint: its period and value
    x: int
    y: int
    height: int


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bar: int  # the width of every bar
    target_y: int
    bars: list[Bar]


def _scaled(value, top) -> int:
    return round(value / top * HEIGHT) if top > 0 and value > 0 else 0


def chart_geometry(series) -> Chart:
    """Where each bar of `series` and its target line go; the highest of the target and the
    values reaches the top, nothing negative or zero is drawn."""
    top = max([series.indicator.target, *(point.value for point in series.points)])
    bars = []
    for index, point in enumerate(series.points):
        height = _scaled(point.value, top)
        bars.append(Bar(point, x=index * (BAR + GAP), y=HEIGHT - height, height=height))
    return Chart(
        width=max(1, len(series.points)) * (BAR + GAP),
        height=HEIGHT,
        bar=BAR,
        target_y=HEIGHT - _scaled(series.indicator.target, top),
        bars=bars,
    )


@register.simple_tag
def indicator_chart(series) -> Chart:
    """`{% indicator_chart series as chart %}`: the chart's geometry, for the template to draw."""
    return chart_geometry(series)
