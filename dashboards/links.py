"""Links to the drill-down lists, built the one way every dashboard and home page builds them.

`tasks_url(campaign="c1", light="red")` → "/overview/tasks/?campaign=c1&light=red". Parameters that
are None, "" or False are dropped, True becomes "1" (overdue=1, attention=1, ...), so a card can pass
its filters as they are. Parameters keep the order given, so equal filters give equal URLs.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse


def _query(params: dict) -> str:
    pairs = []
    for key, value in params.items():
        if value is None or value == "" or value is False:
            continue
        if value is True:
            value = 1
        if hasattr(value, "pk"):  # a model instance: its id (campaigns go by code, pass that)
            value = value.pk
        pairs.append((key, value))
    return urlencode(pairs)


def _url(name: str, params: dict) -> str:
    query = _query(params)
    base = reverse(name)
    return f"{base}?{query}" if query else base


def tasks_url(**params) -> str:
    """The task list: campaign, light, section, phase, unit, role, overdue, attention, leader,
    followed, coordination, q."""
    return _url("dashboards:tasks", params)


def reports_url(**params) -> str:
    """The report list: campaign, period (an id or "all"), unit, role, state."""
    return _url("dashboards:reports", params)


def coordination_url(**params) -> str:
    """The open coordination requests: campaign, unit, leader."""
    return _url("dashboards:coordination", params)
