"""The data of a dashboard's charts: one structure read twice, by static/js/charts.js (through
json_script) and by templates/dashboards/_chart.html (the same figures as a table), so the picture
and the table beside it cannot disagree.

A chart is a grid: `categories` (a light, a section, a week…) down the side, `series` across,
each series one number per category and, for each number, the drill-down URL of the list behind
it (None where no list says exactly that number, such as a past week's lights).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from lights.models import Light

LIGHTS = [Light.RED, Light.YELLOW, Light.GREEN, Light.CLOSED]
TONES = ["danger", "warning", "success", "secondary"]  # the Bootstrap colours of LIGHTS' badges


@dataclass
class Series:
    name: str
    data: list
    links: list
    key: str = ""  # a light ("red"…) for its colour; "" takes the palette's next colour


@dataclass
class Chart:
    id: str  # the json_script element's id, and the chart's anchor
    kind: str  # "pie", "bar", "stack" (stacked bars) or "line"
    title: str
    categories: list[str]
    series: list[Series] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)  # per category, for a pie's slice colours
    percent: bool = False  # figures are percentages (lines of rates)

    @property
    def data(self) -> dict:
        """What charts.js reads (strings only: lazy translations resolved)."""
        return {
            "kind": self.kind,
            "title": str(self.title),
            "categories": [str(category) for category in self.categories],
            "keys": self.keys,
            "percent": self.percent,
            "series": [{**asdict(series), "name": str(series.name)} for series in self.series],
        }

    @property
    def rows(self) -> list[tuple[str, list[tuple[object, str | None]]]]:
        """The table: one row per category, one (figure, link) per series."""
        return [
            (category, [(series.data[index], series.links[index]) for series in self.series])
            for index, category in enumerate(self.categories)
        ]

    @property
    def empty(self) -> bool:
        return not self.categories or not any(value for series in self.series for value in series.data if value)


def light_pie(chart_id: str, title, counts: dict[str, int], link) -> Chart:
    """Tasks by light: `link(light)` is the URL of the tasks of that light."""
    return Chart(
        chart_id,
        "pie",
        title,
        [light.label for light in LIGHTS],
        [Series(title, [counts.get(light.value, 0) for light in LIGHTS], [link(light.value) for light in LIGHTS])],
        keys=[light.value for light in LIGHTS],
    )


def light_stack(chart_id: str, title, categories: list[tuple[str, dict[str, int], object]]) -> Chart:
    """Stacked bars of lights: `categories` are (label, counts by light, link(light) or None)."""
    return Chart(
        chart_id,
        "stack",
        title,
        [label for label, _counts, _link in categories],
        [
            Series(
                light.label,
                [counts.get(light.value, 0) for _label, counts, _link in categories],
                [link(light.value) if link else None for _label, _counts, link in categories],
                key=light.value,
            )
            for light in LIGHTS
        ],
    )


def rate_lines(chart_id: str, title, weeks: list, lines: list[tuple[str, str, object]]) -> Chart:
    """Lines of percentages over the weeks: `weeks` are (date, Rates, link(state) or None);
    `lines` are (name, the Rates property, the report state its link filters on)."""
    return Chart(
        chart_id,
        "line",
        title,
        [week.isoformat() for week, _rates, _link in weeks],
        [
            Series(
                name,
                [_round(getattr(rates, attribute)) for _week, rates, _link in weeks],
                [link(state) if link else None for _week, _rates, link in weeks],
            )
            for name, attribute, state in lines
        ],
        percent=True,
    )


def _round(value):
    return None if value is None else round(value, 1)
