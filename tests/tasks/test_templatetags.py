"""The task pages' template tags: the indicator chart's geometry and the report state labels."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

from django.template import Context, Template
from django.utils import translation

from tasks.templatetags.task_charts import BAR, GAP, HEIGHT, chart_geometry
from tasks.templatetags.task_labels import state_label


def series(target, *values):
    points = [
        SimpleNamespace(period=SimpleNamespace(number=n, end_date=datetime.date(2026, 3, n)), value=Decimal(v))
        for n, v in enumerate(values, start=1)
    ]
    return SimpleNamespace(indicator=SimpleNamespace(target=Decimal(target)), points=points)


def test_the_highest_of_target_and_values_reaches_the_top():
    chart = chart_geometry(series(100, 50, 120))
    assert (BAR, GAP, HEIGHT) == (14, 4, 60)
    assert (chart.width, chart.height, chart.bar) == (36, 60, 14)
    assert [(bar.x, bar.y, bar.height) for bar in chart.bars] == [(0, 35, 25), (18, 0, 60)]
    assert chart.target_y == 10  # 100 of 120


def test_a_target_above_every_value_is_the_top():
    chart = chart_geometry(series(200, 50))
    assert chart.target_y == 0 and [(bar.y, bar.height) for bar in chart.bars] == [(45, 15)]


def test_zero_and_negative_values_draw_nothing():
    chart = chart_geometry(series(0, 0, -5))
    assert [bar.height for bar in chart.bars] == [0, 0] and chart.target_y == HEIGHT
    assert chart_geometry(series(10, -5)).bars[0].height == 0


def test_a_chart_without_points_keeps_a_width():
    chart = chart_geometry(series(10))
    assert chart.width == BAR + GAP and chart.bars == []


def test_the_tag_draws_bars_and_the_target_line():
    html = Template(
        "{% load task_charts %}{% indicator_chart series as chart %}"
        '<svg width="{{ chart.width }}">{% for bar in chart.bars %}<rect x="{{ bar.x }}" y="{{ bar.y }}" '
        'height="{{ bar.height }}"><title>{{ bar.point.period.number }}: {{ bar.point.value }}</title></rect>'
        '{% endfor %}<line y1="{{ chart.target_y }}"></line></svg>'
    ).render(Context({"series": series(100, 50, 120)}))
    assert html == (
        '<svg width="36"><rect x="0" y="35" height="25"><title>1: 50</title></rect>'
        '<rect x="18" y="0" height="60"><title>2: 120</title></rect><line y1="10"></line></svg>'
    )


def test_state_labels_name_every_state_in_chinese():
    with translation.override("zh-hans"):
        labels = {state: str(state_label(state)) for state in ("missing", "draft", "submitted", "returned", "accepted")}
        rendered = Template("{% load task_labels %}{{ state|state_label }}").render(Context({"state": "missing"}))
    assert all(labels.values()) and len(set(labels.values())) == 5
    assert rendered == labels["missing"] != "missing"
    assert state_label("unknown") == "unknown"
