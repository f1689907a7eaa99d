"""The export kinds: what each export is, its rows and its file. Others look kinds up here.

KINDS maps the name the command and the web form use to a Kind (exports.kinds.base): its title,
`count(user, filters)` (rows it would write: one cheap query, which decides between writing now
and a background job), `write(user, filters, target)` (streams the xlsx, returns data rows) and
`filename(filters)`.
"""

from __future__ import annotations

from .base import Kind
from .ledger import LedgerKind
from .missing import MissingKind
from .ranking import RankingKind
from .weekly_summary import WeeklySummaryKind

KINDS: dict[str, Kind] = {
    "ledger": LedgerKind(),
    "weekly-summary": WeeklySummaryKind(),
    "missing": MissingKind(),
    "ranking": RankingKind(),
}


def get_kind(name: str) -> Kind:
    """The kind called `name`; KeyError for an unknown one."""
    return KINDS[name]
