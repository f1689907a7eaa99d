"""The ledger's states and transitions: the one place that says what an obligation is and how it moves.

Stored states (Obligation.State) change only by the events below, through `transition`:

    owed ──save──▶ draft ──submit──▶ submitted ──return──▶ returned ──submit──▶ resubmitted
      └────────────submit─────────────┘   └──accept──▶ accepted ◀──accept──┘        │
                                                         returned ◀──return─────────┘

A returned report whose fix is being drafted stays "returned": it was filed, and is never missing.

What pages and jobs call an obligation at a moment (`shown`) also reads the clock:

- not yet due: owed (or a draft) before the period's due moment;
- missing: owed, or only a draft, once the period is due;
- fix overdue (退回未整改): returned and not resubmitted by the fix's deadline;
- otherwise the stored state. Outside a unit's term on a task there is no obligation: not owed.

Drafts are their unit's own business: to anyone else a draft shows as not yet due or missing.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.workdays import WorkCalendar

from .models import Obligation

OWED = Obligation.State.OWED
DRAFT = Obligation.State.DRAFT
SUBMITTED = Obligation.State.SUBMITTED
RETURNED = Obligation.State.RETURNED
RESUBMITTED = Obligation.State.RESUBMITTED
ACCEPTED = Obligation.State.ACCEPTED

# Shown states that are not stored ones.
NOT_DUE = "not_due"
MISSING = "missing"
FIX_OVERDUE = "fix_overdue"
NOT_OWED = "not_owed"

SHOWN_LABELS = {
    NOT_DUE: gettext_lazy("Not yet due"),
    MISSING: gettext_lazy("Missing"),
    DRAFT: gettext_lazy("Draft"),
    SUBMITTED: gettext_lazy("Submitted"),
    RETURNED: gettext_lazy("Returned, awaiting a fix"),
    FIX_OVERDUE: gettext_lazy("Returned, fix overdue"),
    RESUBMITTED: gettext_lazy("Resubmitted"),
    ACCEPTED: gettext_lazy("Accepted"),
    NOT_OWED: gettext_lazy("Not owed"),
}

UNFILED = (OWED, DRAFT)
FILED = (SUBMITTED, RETURNED, RESUBMITTED, ACCEPTED)
AWAITING_REVIEW = (SUBMITTED, RESUBMITTED)

# Events, as the services name them.
SAVE, SUBMIT, RETURN, ACCEPT = "save", "submit", "return", "accept"

_NEXT = {
    (OWED, SAVE): DRAFT,
    (DRAFT, SAVE): DRAFT,
    (RETURNED, SAVE): RETURNED,
    (OWED, SUBMIT): SUBMITTED,
    (DRAFT, SUBMIT): SUBMITTED,
    (RETURNED, SUBMIT): RESUBMITTED,
    (SUBMITTED, RETURN): RETURNED,
    (RESUBMITTED, RETURN): RETURNED,
    (SUBMITTED, ACCEPT): ACCEPTED,
    (RESUBMITTED, ACCEPT): ACCEPTED,
}


def refusal(state: str, event: str) -> str:
    if state == ACCEPTED:
        return _("The report has been accepted; it can no longer be changed or resubmitted.")
    if event in (SAVE, SUBMIT):
        return _("The report has been submitted; it can be changed only after the office returns it.")
    return _("Only a submitted report can be reviewed; this one is “%(state)s”.") % {
        "state": SHOWN_LABELS.get(state, state)
    }


def fix_deadline(campaign, returned_at: datetime.datetime, calendar: WorkCalendar | None = None) -> datetime.datetime:
    """The moment a returned report's fix is due: the campaign's fix time in working days after the
    day of the return (default 2), at the campaign's due time of day."""
    day = timezone.localdate(returned_at)
    calendar = calendar or WorkCalendar(day, day + datetime.timedelta(days=campaign.fix_within_workdays * 2 + 30))
    due_day = calendar.add_workdays(day, campaign.fix_within_workdays)
    return timezone.make_aware(datetime.datetime.combine(due_day, campaign.due_time))


def transition(obligation: Obligation, event: str, *, now: datetime.datetime, due_at: datetime.datetime,
               fix_due_at: datetime.datetime | None = None) -> Obligation:  # fmt: skip
    """Move the obligation by `event` at `now` (the period is due at `due_at`; a return sets the
    fix's deadline `fix_due_at`). A move the table does not allow raises ValidationError with a
    message for the user, and changes nothing."""
    state = obligation.state
    following = _NEXT.get((state, event))
    if following is None:
        raise ValidationError(refusal(state, event))
    if event == SUBMIT and state in UNFILED:
        obligation.first_submitted_at, obligation.first_late = now, now > due_at
    elif event == SUBMIT:
        obligation.fix_submitted_at = now
        obligation.fix_late = now > obligation.fix_due_at
    elif event == RETURN:
        if fix_due_at is None:
            raise TypeError("a return needs the fix's deadline")
        obligation.returns += 1
        obligation.returned_at, obligation.fix_due_at = now, fix_due_at
        obligation.fix_submitted_at = obligation.fix_late = None
    elif event == ACCEPT:
        obligation.accepted_at = now
    obligation.state = following
    return obligation


def shown(obligation: Obligation | None, now: datetime.datetime, *, due_at: datetime.datetime,
          own: bool = False) -> str:  # fmt: skip
    """What the obligation is at `now` (see the module's docstring). `own`: the viewer acts for the
    unit, and sees its drafts as drafts."""
    if obligation is None:
        return NOT_OWED
    state = obligation.state
    if state in UNFILED:
        if now >= due_at:
            return MISSING
        return DRAFT if state == DRAFT and own else NOT_DUE
    if fix_overdue(obligation, now):
        return FIX_OVERDUE
    return state


def awaiting_fix(obligation: Obligation | None) -> bool:
    """Returned by the office and not resubmitted yet: a fix, with its deadline, is owed."""
    return obligation is not None and obligation.state == RETURNED and obligation.fix_due_at is not None


def fix_overdue(obligation: Obligation | None, now: datetime.datetime) -> bool:
    """Awaiting a fix past the fix's deadline (退回未整改): fix_overdue_q for one obligation."""
    return awaiting_fix(obligation) and obligation.fix_due_at <= now


def missing_q(now: datetime.datetime, prefix: str = "") -> Q:
    """Obligations missing at `now`: nothing submitted and the period due."""
    return Q(**{f"{prefix}state__in": UNFILED, f"{prefix}period__due_at__lte": now})


def not_due_q(now: datetime.datetime, prefix: str = "") -> Q:
    return Q(**{f"{prefix}state__in": UNFILED, f"{prefix}period__due_at__gt": now})


def fix_overdue_q(now: datetime.datetime, prefix: str = "") -> Q:
    """Returned reports not resubmitted by the fix's deadline (退回未整改)."""
    return Q(**{f"{prefix}state": RETURNED, f"{prefix}fix_due_at__lte": now})


def filed_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}state__in": FILED})


def shown_case(now: datetime.datetime, *, own_unit_ids=()) -> Case:
    """`shown` as an SQL expression, to annotate, filter and count obligations in the database."""
    own = Q(unit_id__in=list(own_unit_ids)) if own_unit_ids else Q(pk__in=[])
    return Case(
        When(missing_q(now), then=Value(MISSING)),
        When(Q(state=DRAFT) & own, then=Value(DRAFT)),
        When(state__in=UNFILED, then=Value(NOT_DUE)),
        When(fix_overdue_q(now), then=Value(FIX_OVERDUE)),
        default="state",
    )


def derived_state(report) -> str:
    """The state a report implies, for rebuilding the ledger (tasks.ledger.check) and for an
    obligation created after its report (a unit put back on a task). A draft once submitted is a
    fix being drafted; a submitted report reviewed before was returned and resubmitted."""
    if report is None:
        return OWED
    status = report.status
    if status == "draft":
        return RETURNED if report.submitted_at else DRAFT
    if status == "submitted":
        return RESUBMITTED if report.reviewed_at else SUBMITTED
    return {"returned": RETURNED, "accepted": ACCEPTED}[status]
