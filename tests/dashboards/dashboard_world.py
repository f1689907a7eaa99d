"""A small campaign whose dashboard figures are worked out by hand (used by the dashboard,
overview and chart tests).

On the ``reporting`` world (task 1 led by `lead` with `support`, task 2 led by `other`, weekly
periods from eight weeks ago, every unit owing from the first period) add:

- task 3, closed, in section 2 with no units; task 4, led by `other`, its deadline passed
  (overdue), in no section;
- lights: task 1 red, task 2 yellow, task 3 closed (by its status), task 4 green (not computed);
- in the last due period P: `lead` files task 1 on time (60 %, asking for coordination),
  `support` files task 1 late; `other` files nothing.

So in P (`due_period`): 4 reports owed, 2 filed (50 %), 1 on time (25 %), 1 late, 2 missing. Over the D due
periods: `lead` owes D (1 on time), `support` D (none on time), `other` 2D (all missing).
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from django.utils import timezone

from campaigns.periods import last_due
from lights.models import Light, TaskLight
from tasks.ledger.read import ensure_open
from tasks.models import ProgressReport, Task

from ..factories import PhaseFactory, ProgressReportFactory, SectionFactory, TaskFactory


def set_light(task, light):
    now = timezone.now()
    TaskLight.objects.update_or_create(
        task=task,
        defaults={"campaign_id": task.campaign_id, "light": light, "reasons": [], "since": now, "computed_at": now},
    )


def build(r, assign):
    """`r`: the ``reporting`` world; `assign`: the ``assign`` fixture."""
    campaign = r.campaign
    now = timezone.now()
    ensure_open([campaign.pk], now)  # the periods begun owe their reports before any is filed
    section1 = SectionFactory(campaign=campaign, title="一、重大项目", sort_order=1)
    section2 = SectionFactory(campaign=campaign, title="二、营商环境", sort_order=2)
    phase = PhaseFactory(campaign=campaign, name="攻坚阶段")
    Task.objects.filter(pk=r.task.pk).update(section=section1, phase=phase)
    Task.objects.filter(pk=r.other_task.pk).update(section=section2, phase=phase)
    closed = TaskFactory(
        campaign=campaign, number="3", title="已办结任务", section=section2, status=Task.Status.CLOSED, closed_at=now
    )
    overdue = TaskFactory(
        campaign=campaign, number="4", title="超期任务", deadline=timezone.localdate() - datetime.timedelta(days=3)
    )
    assign(overdue, r.other, "lead")
    periods = list(campaign.periods.order_by("number"))
    period = last_due(periods, now)
    due = [p for p in periods if p.due_at <= now]
    ProgressReportFactory(
        task=r.task, unit=r.lead, period=period, status=ProgressReport.Status.SUBMITTED,
        submitted_at=period.due_at - datetime.timedelta(hours=1), percent_complete=60,
        needs_coordination=True, coordination_request="需要协调项目用地指标",
    )  # fmt: skip
    ProgressReportFactory(
        task=r.task, unit=r.support, period=period, status=ProgressReport.Status.SUBMITTED,
        submitted_at=period.due_at + datetime.timedelta(minutes=1), is_late=True, percent_complete=20,
    )  # fmt: skip
    set_light(r.task, Light.RED)
    set_light(r.other_task, Light.YELLOW)
    TaskLight.objects.filter(task=overdue).delete()  # not computed yet: reads green
    return SimpleNamespace(
        **vars(r), section1=section1, section2=section2, phase=phase, closed=closed, overdue=overdue,
        periods=periods, due_period=period, due=len(due),
    )  # fmt: skip
