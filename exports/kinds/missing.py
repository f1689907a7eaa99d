"""The list of units that did not report (未报送单位名单): every unit that owed reports in the
period, in the unit directory's official order (units.Unit: sort_order, then name), with how many
it owed, filed and missed and the numbers of the tasks it missed. A unit that filed nothing at
all is there like any other: it owed reports, so it has a row of the ledger (tasks.ledger), and
the list is read from the ledger, not from the reports.

Two queries: the counts per unit (aggregated in the database) and the missed tasks' numbers.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy

from tasks.ledger import read, states

from ..filters import Filters
from ..xlsx import Column, FormSheet, open_workbook
from .base import Kind


def owed_in_period(user, filters: Filters, period, *, now):
    rows = read.visible(user, [filters.campaign.pk], now).filter(period=period)
    if filters.unit is not None:
        rows = rows.filter(unit=filters.unit)
    if filters.section is not None:
        rows = rows.filter(task__section=filters.section)
    if filters.phase is not None:
        rows = rows.filter(task__phase=filters.phase)
    return rows


class MissingKind(Kind):
    name = "missing"
    title = gettext_lazy("Units that did not report")
    per_period = True
    empty_message = gettext_lazy("No reports were owed in that period.")

    def count(self, user, filters: Filters, *, now=None) -> int:
        self.check_state(filters)
        now = now or timezone.now()
        period = self.period(filters, now)
        if period is None:
            return 0
        return owed_in_period(self.user(user), filters, period, now=now).order_by().values("unit_id").distinct().count()

    def write(self, user, filters: Filters, target, *, now=None) -> int:
        self.check_state(filters)
        user = self.user(user)
        now = now or timezone.now()
        period = self.period(filters, now)
        book = open_workbook(target)
        try:
            sheet = FormSheet(
                book,
                name=str(self.title),
                title=self.form_title(filters, now),
                subtitle=self.form_subtitle(filters, period),
                columns=[
                    Column("序号", 6, kind="number"),
                    Column("单位", 28, wrap=True),
                    Column("应报数", 9, kind="number"),
                    Column("已报数", 9, kind="number"),
                    Column("未报数", 9, kind="number", light=True),
                    Column("未报送任务", 40, wrap=True),
                ],
            )
            if period is not None:
                rows = owed_in_period(user, filters, period, now=now)
                missed: dict[int, list[str]] = defaultdict(list)
                for unit_id, number in (
                    rows.filter(states.missing_q(now))
                    .order_by("unit_id", "task__sort_key")
                    .values_list("unit_id", "task__number")
                ):
                    missed[unit_id].append(number)
                units = (
                    rows.order_by()
                    .values("unit_id", "unit__name", "unit__sort_order")
                    .annotate(
                        owed=Count("pk"),
                        filed=Count("pk", filter=states.filed_q()),
                        missing=Count("pk", filter=states.missing_q(now)),
                    )
                    .order_by("unit__sort_order", "unit__name", "unit_id")
                )
                for index, unit in enumerate(units, start=1):
                    numbers = missed.get(unit["unit_id"], [])
                    sheet.add_row(
                        [index, unit["unit__name"], unit["owed"], unit["filed"], unit["missing"], "、".join(numbers)],
                        fill="red" if unit["missing"] else None,
                    )
        finally:
            book.close()
        return sheet.rows
