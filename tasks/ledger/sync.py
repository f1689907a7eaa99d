"""Writes of the ledger. Every service that changes reports, assignments, tasks or periods calls
here in its own transaction, so the ledger never lags what it counts:

- `open_periods`: a period that has begun opens (the beat job, or the first page that needs it):
  every unit then on a task owes its report;
- `terms_sync`: the assignment service's writes (tasks.assignments): a unit put on a task starts a
  term, a unit taken off ends it, a role change follows;
- `reconcile`: after any change of structure (terms, a task closed or reopened, periods moved),
  the obligations of a scope are made exactly what tasks.ledger.check.expected says;
- `owed` and `record`: a report's save, submission, return and acceptance move its obligation
  (tasks.ledger.states.transition).

Each of them keeps the per period × unit summary (tasks.ledger.summary) right in the same
transaction: a moved obligation adds its difference, any other change recomputes its rows.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Campaign, ReportingPeriod
from campaigns.periods import local_today

from ..models import ProgressReport, Task, TaskAssignment
from . import coordination, states, summary
from .check import Scope, expected
from .models import AssignmentTerm, Obligation

BATCH = 5000


# ---- periods ---------------------------------------------------------------------------------


def _periods_to_open(now: datetime.datetime, campaign_ids: Iterable[int] | None):
    pending = ReportingPeriod.objects.filter(
        opened_at__isnull=True, start_date__lte=local_today(now), campaign__status=Campaign.Status.ACTIVE
    )
    if campaign_ids is not None:
        pending = pending.filter(campaign_id__in=list(campaign_ids))
    return pending


def open_periods(now: datetime.datetime | None = None, campaign_ids: Iterable[int] | None = None) -> int:
    """Open the periods of active campaigns (all, or those of `campaign_ids`) that have begun and
    are not open yet; returns how many. One query when there are none (what a page pays); safe on
    any machine and twice: the periods are locked and re-read, the obligations inserted once."""
    now = now or timezone.now()
    if not _periods_to_open(now, campaign_ids).exists():
        return 0
    with transaction.atomic():
        periods = list(_periods_to_open(now, campaign_ids).select_for_update().order_by("pk"))
        if not periods:
            return 0
        ReportingPeriod.objects.filter(pk__in=[p.pk for p in periods]).update(opened_at=now)
        reconcile(Scope(period_ids=frozenset(p.pk for p in periods)))
    return len(periods)


# ---- terms -------------------------------------------------------------------------------------


def starting_period_number(campaign: Campaign, now: datetime.datetime) -> int:
    """The period from which a unit put on a task now owes reports: the one containing today; the
    first if the campaign has not begun; after the last if it is over (it owes nothing)."""
    today = local_today(now)
    numbers = list(
        ReportingPeriod.objects.filter(campaign=campaign, start_date__lte=today)
        .order_by("-number")
        .values_list("number", "end_date")[:1]
    )
    if not numbers:
        return 1
    number, end_date = numbers[0]
    return number if end_date >= today else number + 1


def terms_sync(task_ids: Iterable[int], *, now: datetime.datetime, from_first_period: bool = False) -> None:
    """Make the open terms of the tasks match their assignments: a new assignment opens a term
    (from the current period, or the first with `from_first_period`: the campaign's first
    import), a removed one ends its term, a changed role follows, on the term and on the
    obligations it owes. Then the tasks' obligations follow (reconcile)."""
    task_ids = frozenset(task_ids)
    if not task_ids:
        return
    assigned = {
        (task_id, unit_id): role
        for task_id, unit_id, role in TaskAssignment.objects.filter(task_id__in=task_ids).values_list(
            "task_id", "unit_id", "role"
        )
    }
    open_terms = {
        (term.task_id, term.unit_id): term
        for term in AssignmentTerm.objects.filter(task_id__in=task_ids, ended_at__isnull=True)
    }
    ended = [term.pk for key, term in open_terms.items() if key not in assigned]
    if ended:
        AssignmentTerm.objects.filter(pk__in=ended).update(ended_at=now)
    changed = []
    for key, role in assigned.items():
        term = open_terms.get(key)
        if term is not None and term.role != role:
            term.role = role
            changed.append(term)
    if changed:  # one statement however many roles changed (a re-import of a whole sheet)
        AssignmentTerm.objects.bulk_update(changed, ["role"], batch_size=BATCH)
    new = [key for key in assigned if key not in open_terms]
    if new:
        starts = {}
        campaigns = dict(Task.objects.filter(pk__in={task_id for task_id, _unit in new}).values_list("pk", "campaign"))
        for campaign in Campaign.objects.filter(pk__in=set(campaigns.values())):
            starts[campaign.pk] = 1 if from_first_period else starting_period_number(campaign, now)
        AssignmentTerm.objects.bulk_create(
            AssignmentTerm(
                task_id=task_id, unit_id=unit_id, role=assigned[(task_id, unit_id)],
                first_period_number=starts[campaigns[task_id]], started_at=now,
            )
            for task_id, unit_id in new
        )  # fmt: skip
    reconcile(Scope(task_ids=task_ids))


# ---- reconciling structure -----------------------------------------------------------------------


def _new_obligation(key, entry, due_at, campaign, *, period_number: int) -> Obligation:
    """An obligation created after the fact (a period opened, a unit put back on a task): its state
    from the report if there is one, the timeliness from what the report still shows."""
    task_id, unit_id, period_id = key
    obligation = Obligation(
        task_id=task_id, unit_id=unit_id, period_id=period_id, period_number=period_number,
        campaign_id=entry.campaign_id, role=entry.role, state=entry.state,
    )  # fmt: skip
    if entry.report is not None:
        pk, _status, submitted_at, reviewed_at, _late = entry.report
        obligation.report_id = pk
        if obligation.state in states.FILED:
            obligation.first_submitted_at = submitted_at
            obligation.first_late = submitted_at > due_at
        if obligation.state in (states.RETURNED, states.RESUBMITTED):
            obligation.returns, obligation.returned_at = 1, reviewed_at
            obligation.fix_due_at = states.fix_deadline(campaign, reviewed_at or submitted_at)
        if obligation.state == states.ACCEPTED:
            obligation.accepted_at = reviewed_at
    return obligation


def reconcile(scope: Scope) -> tuple[int, int, int]:
    """Make the obligations in `scope` exactly what check.expected says: insert the missing ones,
    delete those no longer owed (never one with something filed: expected keeps those), fix roles,
    campaigns and report links. States of existing rows are the transitions' business, not this.
    Returns (inserted, deleted, updated)."""
    wanted = expected(scope)
    stored = {
        (task_id, unit_id, period_id): (pk, campaign_id, role, report_id)
        for pk, task_id, unit_id, period_id, campaign_id, role, report_id in scope.filter(
            Obligation.objects.all()
        ).values_list("pk", "task_id", "unit_id", "period_id", "campaign_id", "role", "report_id")
    }
    stale = [pk for key, (pk, *_rest) in stored.items() if key not in wanted]
    # The (period, unit) pairs whose summary rows this changes: recomputed at the end.
    touched = {(key[2], key[1]) for key, (pk, *_rest) in stored.items() if key not in wanted}
    deleted = 0
    if stale:  # never one with something filed (expected keeps those anyway)
        deleted, _per_model = Obligation.objects.filter(pk__in=stale, state__in=states.UNFILED).delete()
    missing = [key for key in wanted if key not in stored]
    touched.update((key[2], key[1]) for key in missing)
    if missing:
        periods = {
            pk: (due_at, number)
            for pk, due_at, number in ReportingPeriod.objects.filter(pk__in={key[2] for key in missing}).values_list(
                "pk", "due_at", "number"
            )
        }
        campaigns = {c.pk: c for c in Campaign.objects.filter(pk__in={wanted[key].campaign_id for key in missing})}
        Obligation.objects.bulk_create(
            (
                _new_obligation(
                    key,
                    wanted[key],
                    periods[key[2]][0],
                    campaigns[wanted[key].campaign_id],
                    period_number=periods[key[2]][1],
                )
                for key in missing
            ),
            batch_size=BATCH,
            ignore_conflicts=True,  # another machine opening the same period at the same moment
        )
    changed, relinked_tasks = [], set()
    for key, (pk, campaign_id, role, report_id) in stored.items():
        entry = wanted.get(key)
        if entry is None:
            continue
        report_pk = entry.report[0] if entry.report else None
        if (campaign_id, role, report_id) != (entry.campaign_id, entry.role, report_pk):
            changed.append(Obligation(pk=pk, campaign_id=entry.campaign_id, role=entry.role, report_id=report_pk))
            touched.add((key[2], key[1]))
            relinked_tasks.add(key[0])
    if changed:
        Obligation.objects.bulk_update(changed, ["campaign_id", "role", "report_id"], batch_size=BATCH)
    touched |= _rejudge_first_submissions(scope)
    summary.refresh(touched)
    # Rows inserted already filed (a report written before its period opened) and relinked rows
    # may open or close coordination requests; new owed rows and deleted unfiled ones cannot.
    relinked = {key[0] for key in missing if wanted[key].state in states.FILED} | relinked_tasks
    if relinked:
        coordination.refresh_tasks(relinked)
    return len(missing), deleted, len(changed)


def _rejudge_first_submissions(scope: Scope) -> set[tuple[int, int]]:
    """A period whose due moment moved (a re-import changed the campaign's due day or time):
    its first submissions are judged again against it, as the report's own deadline is.
    Returns the (period, unit) pairs of the rows it changed."""
    due = F("period__due_at")
    wrong = scope.filter(Obligation.objects.filter(first_submitted_at__isnull=False)).filter(
        Q(first_late=True, first_submitted_at__lte=due) | Q(first_late=False, first_submitted_at__gt=due)
    )
    flips = list(wrong.values_list("pk", "first_late", "period_id", "unit_id"))
    for late in (True, False):
        pks = [pk for pk, was_late, _period, _unit in flips if was_late != late]
        if pks:
            Obligation.objects.filter(pk__in=pks).update(first_late=late)
    return {(period, unit) for _pk, _late, period, unit in flips}


# ---- reports ---------------------------------------------------------------------------------------


def _not_owed_reason(task: Task, unit, period: ReportingPeriod) -> str:
    if task.campaign.status != Campaign.Status.ACTIVE:
        return _("The campaign is closed; its reports can no longer be filed or changed.")
    if task.status == Task.Status.CLOSED:
        if period.due_at <= task.closed_at:  # owed, but a closed task takes no more reports
            return _("The task was closed off on %(date)s; its reports can no longer be filed or changed.") % {
                "date": timezone.localdate(task.closed_at)}  # fmt: skip
        return _("The task was closed off on %(date)s; no report is owed for period %(period)s.") % {
            "date": timezone.localdate(task.closed_at), "period": period.number}  # fmt: skip
    term = AssignmentTerm.objects.filter(task=task, unit=unit).order_by("-pk").first()  # the latest
    if term is None:
        return _("%(unit)s is not on this task.") % {"unit": unit}
    if period.number < term.first_period_number:
        return _("%(unit)s was put on this task in period %(first)s; it owes no report for period %(period)s.") % {
            "unit": unit, "first": term.first_period_number, "period": period.number}  # fmt: skip
    if term.ended_at is not None and period.due_at <= term.ended_at:  # owed, but no longer on the task
        return _("%(unit)s was taken off this task on %(date)s; its reports can no longer be filed or changed.") % {
            "unit": unit, "date": timezone.localdate(term.ended_at)}  # fmt: skip
    if term.ended_at is not None:
        return _("%(unit)s was taken off this task on %(date)s; it owes no report for period %(period)s.") % {
            "unit": unit, "date": timezone.localdate(term.ended_at), "period": period.number}  # fmt: skip
    return _("No report is owed for period %(period)s.") % {"period": period.number}


def was_on_task(task: Task, unit) -> bool:
    """Whether the unit was ever on the task (has a term, open or ended)."""
    return AssignmentTerm.objects.filter(task=task, unit=unit).exists()


def not_owed_reason(task: Task, unit, period: ReportingPeriod) -> str:
    """Why the unit may not file a report on the task for the period, for the user to read."""
    return _not_owed_reason(task, unit, period)


def owed(task: Task, unit, period: ReportingPeriod, *, now: datetime.datetime) -> Obligation:
    """The obligation of the unit's report on the task for the period, locked for this transaction;
    ValidationError with the reason if the unit owes none (before its term, after it was taken off,
    after the task or the campaign closed)."""
    if task.campaign.status != Campaign.Status.ACTIVE:
        raise ValidationError(_not_owed_reason(task, unit, period))
    open_periods(now, [task.campaign_id])
    # Ordered by pk, not the model's ordering: that joins the period and FOR UPDATE would lock
    # the period's row too, making every unit's submission in a period wait for the others.
    obligation = (
        Obligation.objects.select_for_update().filter(task=task, unit=unit, period=period).order_by("pk").first()
    )
    if obligation is None:
        raise ValidationError(_not_owed_reason(task, unit, period))
    return obligation


def record(obligation: Obligation, report: ProgressReport, event: str, *, now: datetime.datetime,
           due_at: datetime.datetime, campaign: Campaign | None = None,
           stale_before: bool | None = None) -> Obligation:  # fmt: skip
    """Move the obligation (locked by `owed`) by the report's event and store it (one UPDATE), and
    its summary row by the difference (one UPDATE when a count changes). `stale_before`: whether
    the report was flagged 内容雷同 before this event (its flag now when not given)."""
    before = summary.counted(obligation, stale=report.stale if stale_before is None else stale_before)
    fix_due_at = states.fix_deadline(campaign, now) if event == states.RETURN else None
    states.transition(obligation, event, now=now, due_at=due_at, fix_due_at=fix_due_at)
    obligation.report_id = report.pk
    obligation.save(
        update_fields=[
            "state", "report", "first_submitted_at", "first_late", "returns", "returned_at", "fix_due_at",
            "fix_submitted_at", "fix_late", "accepted_at",
        ]
    )  # fmt: skip
    summary.add(obligation, before, summary.counted(obligation, stale=report.stale))
    if event == states.SAVE and obligation.state in states.FILED:
        # A returned report's fix is still filed: a request ticked or unticked in it counts at once.
        # (Filing events reach it through tasks.changes.tasks_changed, for whole tasks.)
        coordination.refresh_ids([obligation.pk])
    return obligation


def record_reviews(reports: list[ProgressReport], event: str, *, now: datetime.datetime) -> None:
    """The office's review of reports (accepted at once, or one returned): their obligations move,
    in two queries whatever the number, and their summary rows in one more."""
    if not reports:
        return
    obligations = list(
        Obligation.objects.select_for_update()
        .filter(report__in=[report.pk for report in reports])
        .select_related("campaign", "period")
        .order_by("pk")
    )
    stale = {report.pk: report.stale for report in reports}
    moves = []
    for obligation in obligations:
        before = summary.counted(obligation, stale=stale.get(obligation.report_id, False))
        fix_due_at = states.fix_deadline(obligation.campaign, now) if event == states.RETURN else None
        states.transition(obligation, event, now=now, due_at=obligation.period.due_at, fix_due_at=fix_due_at)
        moves.append((obligation, before, summary.counted(obligation, stale=stale.get(obligation.report_id, False))))
    Obligation.objects.bulk_update(
        obligations, ["state", "returns", "returned_at", "fix_due_at", "fix_submitted_at", "fix_late", "accepted_at"]
    )
    summary.add_all(moves)


def restate(scope: Scope) -> int:
    """Rebuild the obligations of `scope` from their sources, states and timeliness included, as if
    each had been created after its report (what `ledger_check --fix`, the test factories and
    seed_scale use: they write reports without the services). Returns how many rows changed."""
    reconcile(scope)
    wanted = expected(scope)
    rows = list(scope.filter(Obligation.objects.all()).select_related("period", "campaign"))
    fields = [
        "state", "report", "first_submitted_at", "first_late", "returns", "returned_at", "fix_due_at",
        "fix_submitted_at", "fix_late", "accepted_at", "period_number",
    ]  # fmt: skip
    changed = []
    for row in rows:
        entry = wanted.get((row.task_id, row.unit_id, row.period_id))
        if entry is None:
            continue
        fresh = _new_obligation(
            (row.task_id, row.unit_id, row.period_id), entry, row.period.due_at, row.campaign,
            period_number=row.period.number,
        )  # fmt: skip
        if (entry.state, fresh.report_id, fresh.period_number) == (row.state, row.report_id, row.period_number):
            continue
        for name in fields:
            setattr(row, name, getattr(fresh, name))
        changed.append(row)
    Obligation.objects.bulk_update(changed, fields, batch_size=BATCH)
    _resum(scope)
    # Whether a report is a unit's latest on its task depends on its other periods: whole tasks.
    coordination.refresh(scope.filter(Obligation.objects.all(), period=None))
    return len(changed)


def _resum(scope: Scope) -> None:
    """The summary of a scope written without the transitions (restate, repair): a task's rows are
    recomputed under their locks; a campaign's or everything is rebuilt (ledger_check --fix)."""
    if scope.task_ids is not None:
        summary.refresh_obligations(scope.filter(Obligation.objects.all()))
    else:
        summary.rebuild(scope)


def repair(scope: Scope) -> int:
    """Make the stored ledger of `scope` what its sources say (manage.py ledger_check --fix): rows
    rebuilt by `restate`, and rows owed by nothing (no term, nothing filed) deleted, filed or not.
    Returns how many rows changed or went."""
    changed = restate(scope)
    wanted = expected(scope)
    stale = [
        pk
        for pk, task_id, unit_id, period_id in scope.filter(Obligation.objects.all()).values_list(
            "pk", "task_id", "unit_id", "period_id"
        )
        if (task_id, unit_id, period_id) not in wanted
    ]
    if stale:
        gone = Obligation.objects.filter(pk__in=stale)
        pairs = set(gone.values_list("period_id", "unit_id"))
        gone.delete()
        summary.refresh(pairs)
    return changed + len(stale)


def tasks_delete(task_ids: Iterable[int]) -> int:
    """Delete tasks (the admin) with their obligations, and recompute the summary rows those
    counted in: the database's cascade would leave them counting rows that are gone (the apps
    above recount what they keep, through tasks.changes.tasks_deleted). Returns how many tasks
    were deleted."""
    from ..changes import tasks_deleted  # it builds on the ledger

    task_ids = list(task_ids)
    pairs = set(Obligation.objects.filter(task_id__in=task_ids).values_list("period_id", "unit_id").distinct())
    campaigns = set(Task.objects.filter(pk__in=task_ids).values_list("campaign_id", flat=True))
    deleted, per_model = Task.objects.filter(pk__in=task_ids).delete()
    summary.refresh(pairs)
    tasks_deleted(campaigns)
    return per_model.get(Task._meta.label, 0)
