"""The one reader of the ledger: what each unit owes, filed and missed. Pages, jobs and (later)
dashboards, exports, bulletins and scores ask here, never the reports table, for who owes what.

Every reader first opens the periods that have begun (sync.open_periods: one query when there
is nothing to open), so a page is right even before the beat job has run. What a user may see
is accounts.access.visible_to(user, Obligation); drafts show as drafts only to their own unit.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Count, QuerySet
from django.utils import timezone

from accounts import access

from . import states
from .models import Obligation
from .sync import open_periods


def ensure_open(campaign_ids: Iterable[int] | None = None, now: datetime.datetime | None = None) -> None:
    """Open what has begun (all active campaigns, or `campaign_ids`) before reading."""
    open_periods(now or timezone.now(), campaign_ids)


def visible(user, campaign_ids: Iterable[int] | None = None, now: datetime.datetime | None = None) -> QuerySet:
    """The obligations the user may see (of `campaign_ids` if given), their periods opened first."""
    ensure_open(campaign_ids, now)
    rows = access.visible_to(user, Obligation)
    if campaign_ids is not None:
        rows = rows.filter(campaign_id__in=list(campaign_ids))
    return rows


def with_shown(rows: QuerySet, user, now: datetime.datetime | None = None) -> QuerySet:
    """`rows` annotated with `shown`: the state the user sees at `now` (states.shown_case)."""
    return rows.annotate(shown=states.shown_case(now or timezone.now(), own_unit_ids=access.workspace_unit_ids(user)))


def shown(obligation: Obligation | None, user, now: datetime.datetime, *, due_at) -> str:
    """The state of one obligation as the user sees it at `now` (NOT_OWED for None)."""
    own = obligation is not None and obligation.unit_id in access.workspace_unit_ids(user)
    return states.shown(obligation, now, due_at=due_at, own=own)


def counts(rows: QuerySet, user, now: datetime.datetime | None = None) -> dict[str, int]:
    """How many of `rows` are in each shown state, in one query (states not present count 0)."""
    totals = dict.fromkeys(states.SHOWN_LABELS, 0)
    for row in with_shown(rows, user, now).order_by().values("shown").annotate(n=Count("pk")):
        totals[row["shown"]] = row["n"]
    return totals


def by_key(rows: QuerySet) -> dict[tuple[int, int, int], Obligation]:
    """(task, unit, period) → obligation."""
    return {(o.task_id, o.unit_id, o.period_id): o for o in rows}
