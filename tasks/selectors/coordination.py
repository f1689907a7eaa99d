"""Open coordination requests (需协调解决事项): what units asked the leaders to settle.

A unit asks in its report (needs_coordination, with what is needed). The request stays open as long
as that report is the unit's latest word on the task: a later filed report closes it (or, if it asks
again, becomes the open request in its place), and closing the task off closes them all. A draft
asks nobody anything: only filed reports count (the ledger's filed states).
"""

from __future__ import annotations

from django.db.models import QuerySet


def open_items(rows: QuerySet) -> QuerySet:
    """Of `rows` (obligations the user may see, tasks.ledger.read.visible's), those whose report is
    an open coordination request: filed, asking for coordination, the unit's latest filed report
    on the task, on a task still open. The ledger keeps the answer on each obligation
    (tasks.ledger.coordination), so this is a partial-index lookup. Still a queryset, to filter,
    count and page."""
    return rows.filter(coordination_open=True)
