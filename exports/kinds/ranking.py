"""The assessment's ranking (考核排名): every unit with a score through the period (the last due one
by default), best first, with its score and the ledger's counts behind it, as the ranking page
shows it (assessment.selectors.ranking, through accounts.access). A unit filter keeps that unit's
row with its rank among all. Scores are per unit, not per task: phase and section do not apply.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import access
from assessment.models import UnitScore
from assessment.selectors import ranking

from ..filters import FilterError, Filters
from ..xlsx import Column, FormSheet, open_workbook
from .base import Kind

COLUMNS = [
    Column("名次", 6, kind="number"),
    Column("单位", 28, wrap=True),
    Column("得分", 9, kind="number"),
    Column("加分", 8, kind="number"),
    Column("扣分", 8, kind="number"),
    Column("按时报送率", 10, kind="percent"),
    Column("应报", 7, kind="number"),
    Column("已报", 7, kind="number"),
    Column("按时", 7, kind="number"),
    Column("迟报", 7, kind="number"),
    Column("漏报", 7, kind="number", light=True),
    Column("退回", 7, kind="number"),
]


class RankingKind(Kind):
    name = "ranking"
    title = gettext_lazy("Ranking")
    per_period = True
    empty_message = gettext_lazy("No scores yet for that period.")

    def _check(self, filters: Filters) -> None:
        self.check_state(filters)
        for name in ("phase", "section"):
            if getattr(filters, name) is not None:
                raise FilterError(name, _("The ranking scores units, not tasks: it cannot be filtered by %(field)s.")
                                  % {"field": _(name)})  # fmt: skip

    def count(self, user, filters: Filters, *, now=None) -> int:
        self._check(filters)
        period = self.period(filters, now)
        if period is None:
            return 0
        rows = access.visible_to(self.user(user), UnitScore).filter(
            campaign=filters.campaign, period__number__lte=period.number
        )
        if filters.unit is not None:
            rows = rows.filter(unit=filters.unit)
        return rows.order_by().values("unit_id").distinct().count()

    def write(self, user, filters: Filters, target, *, now=None) -> int:
        self._check(filters)
        now = now or timezone.now()
        period = self.period(filters, now)
        rows = ranking(self.user(user), filters.campaign, period=period) if period is not None else []
        if filters.unit is not None:
            rows = [row for row in rows if row.unit.pk == filters.unit.pk]
        book = open_workbook(target)
        try:
            sheet = FormSheet(
                book,
                name=str(self.title),
                title=self.form_title(filters, now),
                subtitle=self.form_subtitle(filters, period),
                columns=COLUMNS,
            )
            for row in rows:
                sheet.add_row(
                    [
                        row.rank, row.unit.name, float(row.score), float(row.bonus), float(row.deduction),
                        None if row.on_time_rate is None else float(row.on_time_rate), row.owed, row.filed,
                        row.on_time, row.late, row.missing, row.returned,
                    ],
                    fill="red" if row.missing else None,
                )  # fmt: skip
        finally:
            book.close()
        return sheet.rows
