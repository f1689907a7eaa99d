"""The weekly summary (周报汇总): one row per task × unit owing a report in a period — what the unit
filed, when, whether on time, late or missing, how the office reviewed it, and 内容雷同.

One query over the reporting ledger (tasks.ledger: the Obligation rows the user may see, with the
state the user sees, tasks.ledger.read.with_shown) joined to its report, task and unit, streamed
with .iterator() straight into the sheet: memory stays flat however many rows.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tasks.ledger import read, states

from ..filters import TIMELINESS, Filters
from ..xlsx import Column, FormSheet, open_workbook
from .base import CHUNK, Kind

ROLE_LABELS = {"lead": "牵头", "support": "配合"}
# 报送情况 and its fill.
ON_TIME, LATE = "按时", "迟报"
FILLS = {ON_TIME: "green", LATE: "yellow", states.MISSING: "red"}

_FIELDS = (
    "period__number", "task__number", "task__title", "unit__name", "role", "state", "shown",
    "first_late", "first_submitted_at", "report__status", "report__progress", "report__percent_complete",
    "report__stale", "report__similarity",
)  # fmt: skip


def summary_rows(user, filters: Filters, period, *, now):
    """The obligations of the period (or of period..filters.period_to) that the filters select,
    each with the state the user sees (`shown`), in task order."""
    last = filters.period_to.number if filters.period_to else period.number
    rows = read.visible(user, [filters.campaign.pk], now).filter(
        period__campaign=filters.campaign, period__number__gte=period.number, period__number__lte=last
    )
    if filters.unit is not None:
        rows = rows.filter(unit=filters.unit)
    if filters.section is not None:
        rows = rows.filter(task__section=filters.section)
    if filters.phase is not None:
        rows = rows.filter(task__phase=filters.phase)
    if filters.state == "on_time":
        rows = rows.filter(states.filed_q(), first_late=False)
    elif filters.state == "late":
        rows = rows.filter(states.filed_q(), first_late=True)
    rows = read.with_shown(rows, user, now)
    if filters.state and filters.state not in TIMELINESS:
        rows = rows.filter(shown=filters.state)
    return rows


class WeeklySummaryKind(Kind):
    name = "weekly-summary"
    title = gettext_lazy("Weekly summary")
    states = (*states.SHOWN_LABELS, *TIMELINESS)
    per_period = True
    empty_message = gettext_lazy("No reports were owed in that period.")

    def count(self, user, filters: Filters, *, now=None) -> int:
        self.check_state(filters)
        now = now or timezone.now()
        period = self.period(filters, now)
        if period is None:
            return 0
        return summary_rows(self.user(user), filters, period, now=now).count()

    def write(self, user, filters: Filters, target, *, now=None) -> int:
        self.check_state(filters)
        user = self.user(user)
        now = now or timezone.now()
        period = self.period(filters, now)
        several = filters.period_to is not None and filters.period_to != period
        columns = [Column("序号", 7, kind="number")]
        if several:
            columns.append(Column("周期", 9))
        columns += [
            Column("任务编号", 8),
            Column("任务名称", 24, wrap=True),
            Column("单位", 18, wrap=True),
            Column("角色", 6),
            Column("报送内容", 50, wrap=True),
            Column("完成进度", 9, kind="percent"),
            Column("报送时间", 16, kind="datetime"),
            Column("报送情况", 10, light=True),
            Column("审核状态", 12),
            Column("内容雷同", 12),
        ]
        book = open_workbook(target)
        try:
            subtitle = [self.describe_period(period, filters.period_to)] if period else []
            sheet = FormSheet(
                book,
                name=str(self.title),
                title=self.form_title(filters, now),
                subtitle="；".join(subtitle + self.describe_filters(filters)),
                columns=columns,
            )
            if period is not None:
                rows = summary_rows(user, filters, period, now=now).order_by(
                    "period__number", "task__sort_key", "task_id", "role", "unit__sort_order", "unit__name"
                )
                for index, row in enumerate(rows.values_list(*_FIELDS).iterator(chunk_size=CHUNK), start=1):
                    values, fill = self._values(index, row, several)
                    sheet.add_row(values, fill=fill)
        finally:
            book.close()
        return sheet.rows

    @staticmethod
    def _values(index, row, several):
        (number, task_number, task_title, unit, role, state, shown, first_late, submitted_at, report_status,
         progress, percent, stale, similarity) = row  # fmt: skip
        filed = state in states.FILED
        if filed:
            timeliness = LATE if first_late else ON_TIME
            review = str(states.SHOWN_LABELS.get(shown, shown))
        else:
            timeliness = str(states.SHOWN_LABELS.get(shown, shown))
            review = ""
        # A report being fixed after a return is its unit's draft again: its text is not shown.
        shows_report = filed and report_status not in (None, "draft")
        same = ""
        if shows_report and stale:
            same = _("Same (%(percent)s%%)") % {"percent": similarity} if similarity is not None else _("Same")
        values = [index]
        if several:
            values.append(number)
        values += [
            task_number,
            task_title,
            unit,
            ROLE_LABELS.get(role, role),
            progress if shows_report else "",
            percent if shows_report else None,
            submitted_at if filed else None,
            timeliness,
            review,
            same,
        ]
        fill = FILLS.get(timeliness if filed else shown)
        return values, fill
